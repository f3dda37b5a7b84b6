"""The checks of the Spark build (docs/DATA.md §4, §9): Spark reads the extract's values for the
refusals and the findings, through the same SQL as DuckDB (queries/checks.py, translated by
queries/spark.py), so a refused extract gets the same message from either engine and a built one
the same `findings` table, row for row.

The messages and findings below are also checked against what they must say, worked out by hand
(the texts of numbers are Python's repr, which is DuckDB's). Spark needs pyspark and Java 17+:
without them these tests skip, as tests/test_spark.py says.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import queries.__main__ as cli
from queries import ExtractRefused, open_extract
from queries.labels import RULE, refusal_message
from test_buckets import table_differences
from test_contract_checks import duplicates, write_part
from sparktest import few_partitions, require_spark  # noqa: F401  (the fixture applies here)
from tiny import bill, customer, part, payment, table, write_extract

require_spark()

from queries import spark  # noqa: E402  (needs sqlglot)

HOW_BUILT = {"extract_info": ("built_at", "buckets", "build_kind", "build_note", "engine")}



def refusals(root: Path, tmp_path: Path) -> tuple[str, str]:
    """The message each engine refuses the extract with."""
    messages = []
    for engine in ("duckdb", "spark"):
        with pytest.raises(ExtractRefused) as caught:
            open_extract(root, tmp_path / f"{engine}-cache", engine=engine)
        messages.append(str(caught.value))
    return messages[0], messages[1]


# --- refusals --------------------------------------------------------------------------------------

def folder(root: Path, name: str, parts: dict[str, list[dict]], types: dict | None = None) -> None:
    (root / f"{name}.parquet").unlink()
    for file, rows in parts.items():
        write_part(root / name / file, name, rows, types)


def duplicate_across_oddly_named_files(root: Path) -> str:
    write_extract(root, [customer("C1")], [], [])
    folder(root, "bills", {"2021 03.parquet": [bill("B1", "C1", "1.00"), bill("B2", "C1", "1.00")],
                           "三月%41/补.parquet": [bill("B1", "C1", "1.00", period="2021-04-01")],
                           "2021-05.parquet": [bill("B2", "C1", "1.00", period="2021-05-01"),
                                               bill("B3", "C1", "1.00", period="2021-05-01")]})
    # B1 in "2021 03" and "三月%41/补", B2 in "2021 03" and "2021-05": 4 rows; names sorted by code point
    return refusal_message("bills/（3 个文件）", "bill_id", RULE["duplicate"], 4, [
        "B1（2 次，bills/2021 03.parquet、bills/三月%41/补.parquet）",
        "B2（2 次，bills/2021 03.parquet、bills/2021-05.parquet）"])


def periods_in_two_files(root: Path) -> str:
    write_extract(root, [customer("C1")], [], [])
    folder(root, "bills", {"b.parquet": [bill(f"B{i}", "C1", "1.00", period=f"2021-03-0{i + 1}") for i in range(4)],
                           "a.parquet": [bill("B9", "C1", "1.00", period="2021-02-02"),
                                         bill("B8", "C1", "1.00", period="2021-02-01")]})
    # B1..B3 in b (B0 is on the 1st) and B9 in a: 4 rows, by file then bill
    return refusal_message("bills/a.parquet、bills/b.parquet", "period", RULE["period_first"], 4, [
        "B9：2021-02-02", "B1：2021-03-02", "B2：2021-03-03", "B3：2021-03-04"])


def nan_kwh_after_a_wrong_type(root: Path) -> str:
    """The first file's wrong type is refused before the second's NaN, as the files come."""
    write_extract(root, [customer("C1")], [], [])
    (root / "bills.parquet").unlink()
    write_part(root / "bills" / "1.parquet", "bills", [{**bill("B1", "C1", "1.00"), "amount": "一元"}],
               {"amount": pa.string()})
    write_part(root / "bills" / "2.parquet", "bills", [bill("B2", "C1", "1.00", kwh=float("nan"))])
    return "文件 bills/1.parquet 的列 amount"


def numbers(value, arrow_type, column="amount"):
    def write(root: Path) -> str:
        bills = [bill("B1", "C1", "1.00"), bill("B2", "C1", "2.00", period="2021-04-01"),
                 bill("B3", "C1", "3.00", period="2021-05-01")]
        bills[1][column] = value
        bills[2][column] = value
        write_extract(root, [customer("C1")], bills, [], types={"bills": {column: arrow_type}})
        return f"文件 bills.parquet 的列 {column} —— "
    write.__name__ = f"{column}_{value}_{arrow_type}"
    return write


CASES = [
    *[(lambda root, name=name: write_extract(root, *duplicates(name)) and f"{name}.parquet")
      for name in ("customers", "bills", "payments")],
    duplicate_across_oddly_named_files,
    periods_in_two_files,
    nan_kwh_after_a_wrong_type,
    numbers(float("nan"), pa.float64()),
    numbers(float("-inf"), pa.float64()),
    numbers(1e17, pa.float64()),
    numbers(1234567890123.5, pa.float64()),
    numbers(float("inf"), pa.float32(), "kwh"),
    numbers(10**12, pa.int64()),
    numbers(Decimal("1000000000000.00"), pa.decimal128(38, 2)),
]


@pytest.mark.parametrize("write", CASES, ids=lambda f: getattr(f, "__name__", "dup"))
def test_spark_refuses_an_extract_with_duckdbs_message(tmp_path, write):
    expected = write(tmp_path / "x")
    by_duckdb, by_spark = refusals(tmp_path / "x", tmp_path)
    assert by_spark == by_duckdb
    assert expected in by_spark


@pytest.mark.parametrize("write", [duplicate_across_oddly_named_files, numbers(1e17, pa.float64())],
                         ids=lambda f: f.__name__)
def test_a_uri_is_refused_with_the_message_its_folder_gets(tmp_path, capsys, write):
    # Spark reads the files at the URI (file://, as hdfs:// or s3a://), and names them as DuckDB does
    expected = write(tmp_path / "x")
    by_duckdb, _ = refusals(tmp_path / "x", tmp_path)
    code = cli.main(["build", "--data", (tmp_path / "x").as_uri(), "--cache", str(tmp_path / "uri-cache"),
                     "--engine", "spark"])
    err = capsys.readouterr().err
    assert code == 1
    assert by_duckdb in err and expected in err


def test_the_examples_of_numbers_that_are_not_money_read_as_duckdb_writes_them(tmp_path):
    # the two bad rows of each case above, as Python (and DuckDB) write the values
    for value, arrow_type, shown in [(float("nan"), pa.float64(), "nan、nan"), (1e17, pa.float64(), "1e+17、1e+17"),
                                     (1234567890123.5, pa.float64(), "1234567890123.5、1234567890123.5"),
                                     (float("inf"), pa.float32(), "inf、inf")]:
        root = tmp_path / str(value)
        numbers(value, arrow_type, "kwh" if arrow_type == pa.float32() else "amount")(root)
        by_duckdb, by_spark = refusals(root, tmp_path / f"cache-{value}")
        assert by_spark == by_duckdb
        assert by_spark.endswith(f"共 2 行不符合，例如：{shown}。")


# --- findings -----------------------------------------------------------------------------------------

LONG = "很长的村名" * 50  # 250 characters


def findings_extract(root: Path) -> Path:
    """Every non-refusing rule broken, with the examples worked out in FINDINGS."""
    root = write_extract(
        root,
        [customer("C1"), customer("C2", category="commercial", village=LONG),
         customer("C3", station="城郊供电所", meter_reader="王催费")],
        [bill("B1", "C1", "100.00", kwh=12_000_000.0, kwh_peak=5_000_000.0, kwh_flat=4_000_000.0,
              kwh_valley=2_000_000.0),  # 12000000.0 ≠ 11000000.0
         bill("B2", "C1", "200.00", kwh=0.5, kwh_peak=0.25, kwh_flat=1.875, kwh_valley=None),  # 0.5 ≠ 2.125
         bill("B3", "C1", "50.00", due_on="2021-03-01"),  # issued 03-05
         bill("B4", "C1", "10.00", kwh=-1.5e-05, tariff="flat_rate"),
         bill("B9", "C9", "1000.00")],  # C9 is not a customer
        [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
         payment("P2", "C9", "B9", "1000.00", "2021-03-10 09:00:00"),
         payment("P3", "C1", "B404", "20.00", "2021-03-10 09:00:00"),  # no such bill
         payment("P4", "C3", "B2", "50.00", "2021-03-10 09:00:00", channel="bitcoin"),  # C1's bill
         payment("P5", "C1", "B3", "5.00", "1980-01-02 08:00:00", posted_at="9999-01-01 00:00:00")],
        targets=[{"station": "千钢供电所", "year": 2021, "recovery_target": 99.5, "collector": None},
                 {"station": "城郊供电所", "year": 2021, "recovery_target": -1e-05, "collector": "赵无人"},
                 {"station": "无此所", "year": 2021, "recovery_target": 0.98, "collector": None}],
        instalment_plans=[part("BX", "2021-06-01", "1.00"), part("BX", "2021-04-01", "1.00"),
                          part("BX", "2021-05-01", "1.00"), part("B1", "2021-04-01", "100.00")])
    return root


FINDINGS = {  # (table, column, rule key): (rows, examples)
    ("bills", "kwh_peak", "tou_mismatch"): (2, ["B1：12000000.0 ≠ 11000000.0", "B2：0.5 ≠ 2.125"]),
    ("bills", "kwh", "negative_kwh"): (1, ["B4：-1.5e-05"]),
    ("bills", "due_on", "due_before_issue"): (1, ["B3：2021-03-05 → 2021-03-01"]),
    ("bills", "customer_id", "orphan_customer"): (1, ["B9：C9"]),
    ("bills", "tariff", "unknown_code"): (1, ["B4：flat_rate"]),
    ("customers", "category", "unknown_code"): (1, ["C2：commercial"]),
    ("customers", "village", "long_text"): (1, [f"C2：{LONG[:40]}…（共 250 字）"]),
    ("payments", "customer_id", "orphan_customer"): (1, ["P2：C9"]),
    ("payments", "bill_id", "orphan_bill"): (1, ["P3：B404"]),
    ("payments", "customer_id", "bill_customer_mismatch"): (1, ["P4：C3"]),
    ("payments", "channel", "unknown_code"): (1, ["P4：bitcoin"]),
    ("payments", "paid_at", "implausible_date"): (1, ["P5：1980-01-02 08:00:00"]),
    ("payments", "posted_at", "implausible_date"): (1, ["P5：9999-01-01 00:00:00"]),
    ("targets", "recovery_target", "target_range"): (2, ["千钢供电所 2021：99.5", "城郊供电所 2021：-1e-05"]),
    ("targets", "station", "orphan_station"): (1, ["无此所 2021"]),
    ("targets", "collector", "orphan_collector"): (1, ["城郊供电所 赵无人 2021"]),
    # three parts of one bill: by the row's name, then the example
    ("instalment_plans", "bill_id", "orphan_plan_bill"): (3, ["BX：2021-04-01", "BX：2021-05-01", "BX：2021-06-01"]),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("findings")
    data = findings_extract(root / "data")
    return (open_extract(data, root / "duckdb-cache"), open_extract(data, root / "spark-cache", engine="spark"))


def test_spark_finds_what_duckdb_finds_row_for_row(built):
    by_duckdb, by_spark = built
    assert by_spark.query_rows("select engine from extract_info") == [("spark",)]
    assert not table_differences(by_duckdb, by_spark, HOW_BUILT)
    ordered = "select * from findings"  # the order the data-quality page lists them in
    assert by_spark.query_rows(ordered) == by_duckdb.query_rows(ordered)


def test_the_findings_say_what_was_worked_out_by_hand(built):
    for ex in built:
        rows = ex.query_rows("select table_name, column_name, rule, rows, examples from findings where rows > 0")
        found = {(t, c, r): (n, list(e)) for t, c, r, n, e in rows}
        expected = {}
        for (table_name, column, rule), value in FINDINGS.items():
            text = RULE[rule]
            if rule == "unknown_code":
                text = next(r for (t, c, r) in found if (t, c) == (table_name, column) and r.startswith(text[:6]))
            expected[table_name, column, text] = value
        assert found == expected


# --- what Spark reads as DuckDB does --------------------------------------------------------------

def test_nanosecond_timestamps_are_read_to_the_microsecond_as_duckdb_rounds_them(tmp_path):
    # Spark has no nanosecond type (pandas writes one); DuckDB rounds half away from zero
    data = write_extract(tmp_path / "data", [customer("C1")], [bill("B1", "C1", "100.00")], [])
    t = table("payments", [payment("P1", "C1", "B1", "40.00", "2021-03-10 09:00:00"),
                           payment("P2", "C1", "B1", "60.00", "2021-03-20 23:59:59")],
              {"paid_at": pa.timestamp("ns"), "posted_at": pa.timestamp("ns")})
    ns = pa.array([1615366800_000000500, 1616284799_999999500], pa.timestamp("ns"))  # +0.5 µs each
    pq.write_table(t.set_column(t.schema.get_field_index("paid_at"), "paid_at", ns), data / "payments.parquet")
    by_duckdb = open_extract(data, tmp_path / "duckdb-cache")
    by_spark = open_extract(data, tmp_path / "spark-cache", engine="spark")
    assert not table_differences(by_duckdb, by_spark, HOW_BUILT)
    # 23:59:59.999999500 is paid on the next day once rounded: 2021-03-21, as DuckDB reads it
    assert by_spark.query_rows("select first_paid, last_paid from extract_dates") == [
        (dt.date(2021, 3, 10), dt.date(2021, 3, 21))]
    con = duckdb.connect()
    assert con.sql(f"select paid_at::timestamp from '{data / 'payments.parquet'}' order by 1").fetchall() == [
        (dt.datetime(2021, 3, 10, 9, 0, 0, 1),), (dt.datetime(2021, 3, 21, 0, 0, 0),)]


def doubles() -> tuple[list[float], list[float]]:
    """Numbers below 10^16 (kWh, yuan, rates, sums of parts, any digits), and any 64 bits at all."""
    rng = random.Random(20211231)
    below = [0.0, -0.0, 100.0, 1e7, 1e15, 1e-4, 1e-5, 0.001, 12_000_000.0, 0.1 + 0.2, 123456789.123]
    below += [round(rng.uniform(-1e9, 1e9), 2) for _ in range(3000)]
    below += [round(rng.uniform(0, 1e4), 1) + round(rng.uniform(0, 1e4), 1) + round(rng.uniform(0, 1e4), 2)
              for _ in range(3000)]
    below += [rng.uniform(-1, 1) * 10 ** rng.randint(-300, 15) for _ in range(3000)]
    below += [float(rng.randint(-10**15, 10**15)) for _ in range(1000)]
    bits = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(5000)]
    return below, [b for b in bits if b == b]  # NaN has many bit patterns, all "nan"


def test_spark_writes_a_number_as_duckdb_does():
    below, bits = doubles()
    session = spark.session("local[1]")
    for statement in spark.SPARK_FUNCTIONS:
        session.sql(statement)
    con = duckdb.connect()
    for values, allowed in ((below, 0), (bits, len(bits) // 500)):
        frame = session.createDataFrame([(i, v) for i, v in enumerate(values)], "i int, x double")
        frame.createOrReplaceTempView("numbers")
        by_spark = dict(session.sql("select i, double_text(x) from numbers").collect())
        by_duckdb = {i: con.execute("select ?::double::varchar", [v]).fetchone()[0] for i, v in enumerate(values)}
        assert all(by_duckdb[i] == repr(v) for i, v in enumerate(values))  # DuckDB's text is Python's repr
        differ = [(values[i], by_spark[i], by_duckdb[i]) for i in by_duckdb if by_spark[i] != by_duckdb[i]]
        # Java 17's Double.toString is not always the shortest (JDK-4511638, fixed in Java 19).
        # double_text drops the extra digit it writes to some numbers of 10^16 and more; on this
        # machine 3 in 5,000 of those still keep one (a number of 17 digits of 10^17 yuan or
        # more, which is refused as no money). Below 10^16, none.
        assert len(differ) <= allowed, differ[:5]
        assert all(abs(x) >= 1e16 for x, _, _ in differ), differ[:5]


def test_a_file_spark_lists_under_another_path_stops_the_build_with_a_message(tmp_path):
    # The messages name files through the paths Spark lists them by; one it cannot match (here:
    # Spark is pointed at the file's folder, and lists the file inside it) is said, not guessed.
    data = write_extract(tmp_path / "data", [customer("C1")], [bill("B1", "C1", "1.00")], [])
    values = spark.SparkValues(duckdb.connect(), data, None, None)
    values.where = lambda f: str(f.parent)
    with pytest.raises(spark.SparkFailed, match="Spark 列出的文件中没有"):
        values.name_files({"bills": spark.checks.TableSource("bills", "bills.parquet", [data / "bills.parquet"])})
