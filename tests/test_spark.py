"""The build on Apache Spark (docs/DATA.md §9): `python -m queries build --engine spark` makes
the cache from the same SQL as the DuckDB build (queries/spark.py translates it with sqlglot),
and every table of it, and every `summary` (§5) and `collections` (§6) answer, must be what the
DuckDB build gives.

Each extract is built once by each engine into its own cache dir; tables are compared row for
row as multisets (tests/test_buckets.py `table_differences`: schemas and macros equal, DOUBLE
to within 1e-9, everything else exactly). The extracts: the shipped sample, the hand-made
extract of payments of other customers' bills (tests/test_buckets.py), and a hand-made one of
the edge cases the translation could get wrong (below).

Spark needs pyspark (`pip install -e '.[spark]'`) and Java 17+; .ci/run installs both. Without
them these tests skip and say which is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import queries.__main__ as cli
from conftest import SAMPLE
from queries import Extract, open_extract
from test_buckets import fail_on, table_differences
from sparktest import few_partitions, require_spark  # noqa: F401  (the fixture applies here)
from tiny import bill, customer, d, part, payment, write_extract

require_spark()

from queries import spark  # noqa: E402  (needs sqlglot)

# Columns that differ between two builds of the same files: when and how each was made.
HOW_BUILT = {"extract_info": ("built_at", "buckets", "build_kind", "build_note", "engine")}



def both(data: Path, root: Path) -> tuple[Extract, Extract]:
    """The extract built by DuckDB and by Spark, each into its own cache dir."""
    return open_extract(data, root / "duckdb-cache"), open_extract(data, root / "spark-cache", engine="spark")


# --- the edge cases ------------------------------------------------------------------------------

# 2021-03-19 is a Friday, 2021-03-20 a Saturday (the same-day saving's next working day: +3, +2).
EDGE_CUSTOMERS = [
    customer("C1"),
    customer("C2", category="large_industry", is_high_energy=True, industry="钢铁", is_key_account=True),
    customer("C3", station="城郊供电所", meter_reader="王催费"),
    customer("C4", station="城郊供电所", village=None, line=None),
]
EDGE_BILLS = [
    bill("B1", "C1", "120.00", due_on="2021-03-18"),
    bill("B2", "C2", "1000.00", due_on="2021-03-18"),
    bill("B3", "C3", "80.00", period="2020-12-01"),  # never paid: open to the end of time
    bill("B4", "C3", "60.00", period="2021-04-01"),
    bill("B5", "C4", "-5.00", period="2021-02-01"),  # a credit bill
]
EDGE_PAYMENTS = [
    payment("P1", "C1", "B1", "100.00", "2021-03-19 09:00:00"),  # Friday, posted the same day
    payment("P2", "C1", "B1", "-20.00", "2021-03-22 09:00:00"),  # a reversal
    payment("P3", "C1", "B1", "40.00", "2021-03-20 10:00:00", channel="counter"),  # Saturday
    payment("P4", "C2", "B2", "300.00", "2021-03-20 08:00:00", channel="bank"),
    payment("P5", "C2", "B2", "100.00", "2021-03-20 09:00:00", "2021-03-23 09:00:00"),  # posted later
    payment("P6", "C2", "B2", "400.00", "2021-04-12 10:00:00"),  # two channels on one day:
    payment("P7", "C2", "B2", "200.00", "2021-04-12 11:00:00", channel="counter"),  # the larger counts
    payment("P8", "C2", "B2", "50.00", "2021-04-30 10:00:00", None),  # in transit
    payment("P9", "C4", None, "30.00", "2021-03-05 10:00:00"),  # prepaid, no bill
    payment("P10", "C3", "B4", "60.00", "2021-03-30 10:00:00"),  # before its bill was issued
]
EDGE_PLANS = [part("B2", "2021-03-25", "400.00"), part("B2", "2021-04-10", "600.00")]
EDGE_TARGETS = [{"station": "千钢供电所", "collector": None, "year": 2021, "recovery_target": 0.95},
                {"station": "城郊供电所", "collector": "王催费", "year": 2021, "recovery_target": 0.99},
                {"station": "城郊供电所", "collector": None, "year": 2021, "recovery_target": 1.5}]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Extract, Extract]:
    return both(SAMPLE, tmp_path_factory.mktemp("spark-sample"))


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> tuple[Extract, Extract]:
    root = tmp_path_factory.mktemp("spark-edge")
    data = write_extract(root / "data", EDGE_CUSTOMERS, EDGE_BILLS, EDGE_PAYMENTS, targets=EDGE_TARGETS,
                         instalment_plans=EDGE_PLANS, types={"payments": {"amount": pa.float64()}})
    return both(data, root)


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> tuple[Extract, Extract]:
    from test_buckets import odd_extract
    root = tmp_path_factory.mktemp("spark-odd")
    return both(odd_extract(root / "data"), root)


# --- every table ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample", "edge", "odd"])
def test_spark_builds_every_table_as_duckdb_does(request, name):
    by_duckdb, by_spark = request.getfixturevalue(name)
    assert by_spark.query_rows("select engine from extract_info") == [("spark",)]
    assert by_duckdb.query_rows("select engine from extract_info") == [("duckdb",)]
    fail_on(table_differences(by_spark, by_duckdb, HOW_BUILT), f"tables of the {name} extract's two builds")


def test_the_edge_extract_holds_what_the_translation_could_get_wrong(edge):
    """The rows the rewrites are for, in the Spark build (and so, by the test above, in both)."""
    _, by_spark = edge
    # still owing: open-ended stretches (DuckDB's infinite date, 9999-12-31 in Spark)
    open_ended = by_spark.query_rows("select bill_id from overdue_pieces where valid_to = 'infinity'::date "
                                     "order by bill_id")
    assert ("B3",) in open_ended
    # the same-day saving: a Friday's posting is next worth a day on Monday (+3), a Saturday's (+2)
    days = dict(by_spark.query_rows("select paid_on, next_working_day from same_day_settlements"))
    assert days.get(d("2021-03-19")) == d("2021-03-22")
    assert days.get(d("2021-03-20")) == d("2021-03-22")
    # two channels on one day: the larger payment's
    assert by_spark.query_rows("select channel from same_day_settlements where paid_on = '2021-04-12'") == \
        [("wechat",)]
    # the instalment parts' payments by their due dates
    assert by_spark.query_rows("select due_on, paid_by_due from instalment_parts order by due_on") == [
        (d("2021-03-25"), pytest.approx(400)), (d("2021-04-10"), pytest.approx(400))]


# --- §5 summary and §6 collections --------------------------------------------------------------------

def cli_answer(capsys, monkeypatch, cache: Path, *argv: str) -> str:
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("name", ["sample", "edge"])
@pytest.mark.parametrize("command", ["summary", "collections"])
@pytest.mark.parametrize("as_of", [None, "2021-12-31"])
def test_summary_and_collections_answer_the_same_from_either_build(request, capsys, monkeypatch, name, command,
                                                                     as_of):
    by_duckdb, by_spark = request.getfixturevalue(name)
    argv = [command, "--data", str(by_duckdb.data_dir), "--json", *(["--as-of", as_of] if as_of else [])]
    from_duckdb = json.loads(cli_answer(capsys, monkeypatch, by_duckdb.cache_file.parent, *argv))
    from_spark = json.loads(cli_answer(capsys, monkeypatch, by_spark.cache_file.parent, *argv))
    assert from_spark == from_duckdb
    for station in ("千钢供电所", "城郊供电所"):
        from_duckdb = cli_answer(capsys, monkeypatch, by_duckdb.cache_file.parent, *argv, "--station", station)
        from_spark = cli_answer(capsys, monkeypatch, by_spark.cache_file.parent, *argv, "--station", station)
        assert from_spark == from_duckdb


# --- the translation ---------------------------------------------------------------------------------

def test_macros_are_expanded_into_the_statement():
    macros = spark.read_macros(
        "create temp macro twice(x) as x + x;\n"
        "create temp macro rows_of(t) as table select a, twice(a) as b from query_table(t);\n"
        "create temp macro kept(t) as table select * from rows_of(t) where b > 2;")
    step = spark.plan("create table out as select b from kept('src') as k order by b", macros)
    assert step.kind == "table" and step.order == "b"
    con = duckdb.connect()
    con.execute("create table src as select * from range(4) as r(a)")
    # the expanded statement, back in DuckDB's dialect, still means what the macros mean
    expanded = spark.expand(spark.sqlglot.parse_one("select b from kept('src') as k", read="duckdb"), macros)
    assert "query_table" not in expanded.sql("duckdb").lower()
    assert sorted(con.sql(expanded.sql("duckdb")).fetchall()) == [(4,), (6,)]


def test_iso_weekdays_and_the_infinite_date_in_spark(edge):
    """isodow and 'infinity'::date, written for Spark and run there, against Python's calendar."""
    macros = spark.read_macros("")
    days = [dt.date(2021, 3, 15) + dt.timedelta(days=k) for k in range(7)]
    values = ", ".join(f"(date '{day}')" for day in days)
    sql = spark.plan(f"create table w as select day, isodow(day) as iso, 'infinity'::date as never "
                     f"from (values {values}) as t(day)", macros).sql
    rows = spark.session().sql(sql).collect()
    assert {r["day"]: r["iso"] for r in rows} == {day: day.isoweekday() for day in days}
    assert {r["never"] for r in rows} == {dt.date(9999, 12, 31)}


# --- the command line ------------------------------------------------------------------------------------

def test_without_java_the_spark_build_says_so(monkeypatch):
    """Java is looked for when no session runs yet (tests/test_build.py: the command line's messages)."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark, "_running", lambda: None)
    with pytest.raises(spark.SparkFailed, match="Java 17"):
        spark.session("local[1]")


def test_a_failed_spark_job_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    """A statement Spark rejects stops the build with exit 2 and Spark's first line, in Chinese."""
    data = write_extract(tmp_path / "data", [customer("C1")], [bill("B1", "C1", "10.00")], [])
    broken = spark.plan

    def plan(statement, macros):
        step = broken(statement, macros)
        if step.name == "cohorts":
            step.sql = "select no_such_column from bill_state"
        return step

    monkeypatch.setattr(spark, "plan", plan)
    code = cli.main(["build", "--data", str(data), "--cache", str(tmp_path / "cache"), "--engine", "spark"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Spark 未能启动或连接 master" in err and "no_such_column" in err and "Traceback" not in err
    assert not list((tmp_path / "cache").glob("*.duckdb"))
