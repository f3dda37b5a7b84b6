"""The bucketed build (docs/DATA.md §9): a full build splits the extract's segments into K
buckets (seg_id % K) and builds each bucket's bills and payments alone, so that its memory
stays within the cap at any size. K = ceil(bill rows / FEE_BUILD_BUCKET_ROWS) (default
30,000,000 rows a bucket), recorded in extract_info.buckets; K = 1 is the unbucketed build.
Whatever K is, every table of the cache must hold the same rows (as a multiset: the order may
differ) and every question must answer the same.

The shipped sample is built with K = 1, 3 and 7 into separate cache dirs (the cache's name does
not depend on K), each once for the module. Rows and answers are compared sorted, DOUBLE
columns (kWh, targets) to within 1e-9 of each other, as summing them in another order may
change their last bits; every other value exactly (money is DECIMAL). A refresh on top of a
bucketed build is compared with an unbucketed full build of the same files, and a tiny
hand-made extract with more buckets than segments (some empty) gives the figures worked out by
hand.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from conftest import SAMPLE
from queries import Extract, Scope, open_extract
from queries.checks import sql_str
from test_refresh import LAST_DAY, answers, canonical, lay_out, payments_before, payments_of, scopes
from tiny import bill, customer, d, payment, write_extract

DEFAULT_BUCKET_ROWS = 30_000_000  # FEE_BUILD_BUCKET_ROWS when it is not set
DEC_31 = d("2021-12-31")
# Columns that may differ between two builds of the same files: when and how each was made.
HOW_BUILT = {"extract_info": ("built_at", "buckets", "build_kind", "build_note")}
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
TOLERANCE = dict(check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


# --- building with K buckets ----------------------------------------------------------------------

def bill_rows(data: Path) -> int:
    """The rows of the extract's bills files, counted here from the Parquet files."""
    single = data / "bills.parquet"
    files = [single] if single.exists() else sorted((data / "bills").rglob("*.parquet"))
    return sum(pl.scan_parquet(f).select(pl.len()).collect().item() for f in files)


def rows_for(buckets: int, bills: int) -> int:
    """A FEE_BUILD_BUCKET_ROWS that splits `bills` rows into `buckets` buckets."""
    return math.ceil(bills / buckets)


def open_with(data: Path, cache: Path, bucket_rows: int | None) -> Extract:
    """Open (build or refresh) with FEE_BUILD_BUCKET_ROWS set to `bucket_rows` (None: unset)."""
    with pytest.MonkeyPatch.context() as env:
        if bucket_rows is None:
            env.delenv("FEE_BUILD_BUCKET_ROWS", raising=False)
        else:
            env.setenv("FEE_BUILD_BUCKET_ROWS", str(bucket_rows))
        return open_extract(data, cache)


def buckets_of(ex: Extract) -> int:
    return ex.query_rows("select buckets from extract_info")[0][0]


# --- comparing two caches, table by table ---------------------------------------------------------

def attached(one: Extract, other: Extract) -> duckdb.DuckDBPyConnection:
    """Both caches, read-only, as databases `one` and `other` of a new in-memory DuckDB."""
    con = duckdb.connect(":memory:")
    con.execute(f"attach {sql_str(str(one.cache_file))} as one (read_only)")
    con.execute(f"attach {sql_str(str(other.cache_file))} as other (read_only)")
    return con


def schema(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[tuple[str, str]]]:
    """Each table of database `db`, with its columns and their types in order."""
    tables = [t for (t,) in con.sql("select table_name from duckdb_tables() where database_name = $db "
                                    "order by table_name", params={"db": db}).fetchall()]
    columns = con.sql("select table_name, column_name, data_type from information_schema.columns "
                      "where table_catalog = $db order by table_name, ordinal_position", params={"db": db}).fetchall()
    return {t: [(c, kind) for table, c, kind in columns if table == t] for t in tables}


def macros(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    return sorted({f for (f,) in con.sql("select function_name from duckdb_functions() where not internal "
                                         "and database_name = $db", params={"db": db}).fetchall()})


def sorted_rows(con: duckdb.DuckDBPyConnection, db: str, table: str, columns: list[tuple[str, str]],
                ignore: tuple[str, ...]) -> pl.DataFrame:
    """The table's rows, sorted by its exact columns first and its DOUBLE columns last (a last
    bit of difference in a DOUBLE then cannot reorder rows that differ elsewhere)."""
    kept = [(c, kind) for c, kind in columns if c not in ignore]
    order = [c for c, kind in kept if kind not in FLOAT_TYPES] + [c for c, kind in kept if kind in FLOAT_TYPES]
    names = ", ".join(f'"{c}"' for c, _ in kept)
    by = ", ".join(f'"{c}" asc nulls last' for c in order)
    return con.sql(f'select {names} from {db}."{table}" order by {by}').pl()


def only_in(con: duckdb.DuckDBPyConnection, first: str, second: str, table: str, names: list[str]) -> list[tuple]:
    """A few rows of `first` that `second` lacks (as multisets), for a message."""
    cols = ", ".join(f'"{c}"' for c in names)
    return con.sql(f'select {cols} from {first}."{table}" except all select {cols} from {second}."{table}" '
                   "limit 5").fetchall()


def table_differences(one: Extract, other: Extract, how_built: dict[str, tuple[str, ...]]) -> dict:
    """What differs between the two caches: their tables and columns, their macros, and the
    rows of each table (beside the columns `how_built` names)."""
    con = attached(one, other)
    try:
        left, right = schema(con, "one"), schema(con, "other")
        assert "accounts" in left and "extract_info" in left, f"the harness reads the caches: {sorted(left)}"
        differ: dict = {}
        if left != right:
            differ["schema"] = {t: (left.get(t), right.get(t)) for t in left.keys() | right.keys()
                                if left.get(t) != right.get(t)}
        if macros(con, "one") != macros(con, "other"):
            differ["macros"] = sorted(set(macros(con, "one")) ^ set(macros(con, "other")))
        for table in sorted(left.keys() & right.keys()):
            if left[table] != right[table]:
                continue
            ignore = how_built.get(table, ())
            a = sorted_rows(con, "one", table, left[table], ignore)
            b = sorted_rows(con, "other", table, right[table], ignore)
            try:
                assert_frame_equal(a, b, **TOLERANCE)
            except AssertionError as exc:
                names = list(a.columns)
                differ[table] = (f"{a.height} rows against {b.height}: {str(exc).splitlines()[0]}; "
                                 f"only in the first {only_in(con, 'one', 'other', table, names)}, "
                                 f"only in the second {only_in(con, 'other', 'one', table, names)}")
        return differ
    finally:
        con.close()


def answer_differences(one: Extract, reference: Extract, comparisons: list[tuple[dt.date | None, str, str]]) -> dict:
    """Each question asked of both caches (tests/test_refresh.py `answers`, with the reference's
    parameter sets) at each (as of, scope, depth): the labels of the answers that differ, with
    how the first one does."""
    differ = {}
    for when, scope, depth in comparisons:
        day = when or reference.default_as_of
        for label, (new, old) in answers(one, reference, day, scopes()[scope], depth).items():
            try:
                assert_frame_equal(canonical(new), canonical(old), **TOLERANCE)
            except AssertionError as exc:
                differ[f"{label} @{day} {scope}"] = f"{exc}\n{canonical(new)}\n{canonical(old)}"
    return differ


def fail_on(differ: dict, what: str) -> None:
    if differ:
        first = next(iter(differ))
        pytest.fail(f"{len(differ)} {what} differ: {list(differ)[:8]}; the first: {first}: {differ[first]}")


# --- the shipped sample with K = 1, 3, 7 ------------------------------------------------------------

# What each bucketed build and the unbucketed one are asked: each question once (about 1.5 s a
# cache on the sample), for the branch and a station on the default date and 2021-12-31, and with
# K = 3 every parameter set for the branch on the default date (6 s). Equal tables leave only an
# answer that hangs on the order of their rows to differ, which any date shows: K = 7 is asked
# on two of the four.
COMPARISONS = {
    3: [(None, "branch", "every"), (None, "station", "first"), (DEC_31, "branch", "first"),
        (DEC_31, "station", "first")],
    7: [(None, "station", "first"), (DEC_31, "branch", "first")],
}


@pytest.fixture(scope="module")
def sample_bills() -> int:
    return bill_rows(SAMPLE)


@pytest.fixture(scope="module")
def unbucketed(tmp_path_factory) -> Extract:
    return open_with(SAMPLE, tmp_path_factory.mktemp("buckets-1"), None)


@pytest.fixture(scope="module", params=sorted(COMPARISONS), ids=lambda k: f"K={k}")
def bucketed(request, tmp_path_factory, sample_bills) -> tuple[int, int, Extract]:
    """(K, FEE_BUILD_BUCKET_ROWS, the sample built with it)."""
    rows = rows_for(request.param, sample_bills)
    return request.param, rows, open_with(SAMPLE, tmp_path_factory.mktemp(f"buckets-{request.param}"), rows)


def test_an_unbucketed_build_records_one_bucket(unbucketed, sample_bills):
    assert sample_bills > 100_000, "the sample's bills, counted from its Parquet file"
    assert buckets_of(unbucketed) == math.ceil(sample_bills / DEFAULT_BUCKET_ROWS) == 1


def test_the_build_records_its_buckets_from_the_bill_rows(bucketed, sample_bills):
    k, rows, ex = bucketed
    assert math.ceil(sample_bills / rows) == k, "the test's own choice of FEE_BUILD_BUCKET_ROWS"
    assert buckets_of(ex) == math.ceil(sample_bills / rows)
    assert ex.build_kind == "full"


def test_every_table_holds_the_same_rows_whatever_the_buckets(bucketed, unbucketed):
    k, _, ex = bucketed
    fail_on(table_differences(ex, unbucketed, HOW_BUILT), f"tables of the K = {k} build and the K = 1 build")


def test_every_question_answers_the_same_whatever_the_buckets(bucketed, unbucketed):
    k, _, ex = bucketed
    fail_on(answer_differences(ex, unbucketed, COMPARISONS[k]), f"answers of the K = {k} build and the K = 1 build")


# --- a refresh on top of a bucketed build -----------------------------------------------------------

@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> tuple[Extract, Extract, Extract, int]:
    """The sample with payments as a folder: the payments before 2022-06-30 built with K = 3,
    then the last day's payments file added and the folder opened again (a refresh); and the
    same files built in full with K = 1 in another cache dir. (base, refreshed, full, bill rows)."""
    root = tmp_path_factory.mktemp("buckets-refresh")
    data, cache = root / "data", root / "cache"
    data.mkdir()
    lay_out(data, {"payments/base.parquet": payments_before(LAST_DAY)})
    bills = bill_rows(data)
    rows = rows_for(3, bills)
    base = open_with(data, cache, rows)
    lay_out(data, {"payments/2022-06-30.parquet": payments_of(LAST_DAY)})
    new = open_with(data, cache, rows)
    full = open_with(data, root / "full", None)
    return base, new, full, bills


def test_a_refresh_of_a_bucketed_build_is_a_refresh(refreshed):
    base, new, full, bills = refreshed
    assert base.build_kind == "full" and buckets_of(base) == math.ceil(bills / rows_for(3, bills)) == 3
    assert new.build_kind == "refresh", new.build_note  # extract_info.build_kind
    assert full.build_kind == "full" and buckets_of(full) == 1
    assert new.default_as_of == full.default_as_of == LAST_DAY


def test_a_refresh_of_a_bucketed_build_holds_the_rows_of_an_unbucketed_full_build(refreshed):
    _, new, full, _ = refreshed
    fail_on(table_differences(new, full, HOW_BUILT), "tables of the refreshed K = 3 build and the K = 1 full build")


def test_a_refresh_of_a_bucketed_build_answers_as_an_unbucketed_full_build(refreshed):
    _, new, full, _ = refreshed
    comparisons = [(None, "branch", "first"), (d("2022-06-29"), "branch", "first")]
    fail_on(answer_differences(new, full, comparisons), "answers of the refreshed K = 3 build and the K = 1 full build")


# --- by hand: more buckets than segments ------------------------------------------------------------

# Four customers, each alone in a station (so in a segment of its own: four segments); bills of
# 2021-03 issued 03-05 and due 03-20, of 2021-04 issued 04-05 and due 04-20, of 2020-12 issued
# 12-05 and due 12-20. Five bills, so FEE_BUILD_BUCKET_ROWS = 1 makes K = 5 buckets for four
# segments: at least one bucket is empty, and the segment of C4 has no bill.
#   C1 千钢  B1 2020-12  80.00  paid 80.00 on 2021-03-10   → prior-year arrears, recovered in 2021
#            B2 2021-03 100.00  paid 40.00 on 2021-03-10   → 60.00 overdue
#   C2 城郊  B3 2021-03 200.00  paid 200.00 on 2021-03-15  → paid in full
#            B4 2021-04  50.00  unpaid                     → 50.00 overdue since 04-20
#   C3 东门  B5 2021-03 300.00  unpaid                     → 300.00 overdue
#   C4 西山  no bill; prepays 10.00 on 2021-03-12          → counts nowhere
# As of 2021-04-30, bills of 2021:
#   station  billed  recovered  arrears  arrears_customers  prior_opening  prior_recovered
#   千钢     100.00     40.00    60.00          1               80.00          80.00
#   城郊     250.00    200.00    50.00          1                0.00           0.00
#   东门     300.00      0.00   300.00          1                0.00           0.00
#   total    650.00    240.00   410.00          3               80.00          80.00
# (西山, with nothing billed or owed, is not a row of the stations.)

HAND = {"千钢供电所": ("100.00", "40.00", "60.00", 1, "80.00", "80.00"),
        "城郊供电所": ("250.00", "200.00", "50.00", 1, "0.00", "0.00"),
        "东门供电所": ("300.00", "0.00", "300.00", 1, "0.00", "0.00")}
HAND_TOTAL = ("650.00", "240.00", "410.00", 3, "80.00", "80.00")
FIGURES = ("billed", "recovered", "arrears", "arrears_customers", "prior_opening", "prior_recovered")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Extract, Extract]:
    """The hand-made extract built with K = 1 and with FEE_BUILD_BUCKET_ROWS = 1 (K = 5)."""
    root = tmp_path_factory.mktemp("buckets-tiny")
    data = write_extract(
        root / "data",
        [customer("C1", station="千钢供电所"), customer("C2", station="城郊供电所"),
         customer("C3", station="东门供电所"), customer("C4", station="西山供电所")],
        [bill("B1", "C1", "80.00", period="2020-12-01"), bill("B2", "C1", "100.00"),
         bill("B3", "C2", "200.00"), bill("B4", "C2", "50.00", period="2021-04-01"), bill("B5", "C3", "300.00")],
        [payment("P1", "C1", "B1", "80.00", "2021-03-10 09:00:00"),
         payment("P2", "C1", "B2", "40.00", "2021-03-10 09:05:00"),
         payment("P3", "C2", "B3", "200.00", "2021-03-15 10:00:00"),
         payment("P4", "C4", None, "10.00", "2021-03-12 11:00:00")])
    return open_with(data, root / "one", None), open_with(data, root / "many", 1)


def figures(row: dict) -> tuple:
    return tuple(row[f] if f == "arrears_customers" else str(row[f]) for f in FIGURES)


def test_more_buckets_than_segments_give_the_figures_worked_out_by_hand(tiny):
    _, many = tiny
    assert buckets_of(many) == 5 == math.ceil(5 / 1)
    as_of = d("2021-04-30")
    total = many.query("recovery_summary", Scope(), as_of=as_of, year=2021, group_by="total")
    assert figures(total.row(0, named=True)) == HAND_TOTAL
    by_station = many.query("recovery_summary", Scope(), as_of=as_of, year=2021, group_by="station")
    got = {row["station"]: figures(row) for row in by_station.iter_rows(named=True)}
    assert got == HAND
    owing = many.query("penalty_accounts", Scope(), as_of=as_of, group_by="bill", show_personal=False, limit=0)
    assert sorted(owing.select("bill_id", "arrears").rows()) == [
        ("B2", Decimal("60.00")), ("B4", Decimal("50.00")), ("B5", Decimal("300.00"))]


def test_more_buckets_than_segments_hold_the_rows_of_one_bucket(tiny):
    one, many = tiny
    assert buckets_of(one) == 1
    fail_on(table_differences(many, one, HOW_BUILT), "tables of the tiny K = 5 build and its K = 1 build")


# --- by hand: payments of another customer's bill, or of no bill ------------------------------------

# A payment counts toward the bill it names, whoever paid it (docs/DATA.md §3); a bucketed build
# must find that bill in whichever bucket it lies. Three stations, one segment each (千钢 holds C1
# and C4); FEE_BUILD_BUCKET_ROWS = 1 makes K = 4 buckets for the four bills, and the test checks
# that C2's and C3's segments fall in different buckets.
#   C1 千钢  B1 2021-03 100.00  paid 40.00 by C1 (P6) and 20.00 by C4 (P9, same segment) → 40.00 overdue
#   C2 城郊  B3 2021-03 200.00  "paid" 200.00 by C9, who is not a customer (P8)           → 200.00 overdue
#            B4 2021-04  50.00  paid 50.00 by C3 of 东门 (P5, another bucket)             → paid in full
#   C3 东门  B5 2021-03 300.00  unpaid                                                    → 300.00 overdue
#   C1 pays 10.00 for B9, which no bill is (P7)                                           → counts nowhere
# As of 2021-04-30, bills of 2021:
#   station  billed  recovered  arrears  arrears_customers
#   千钢     100.00     60.00    40.00          1
#   城郊     250.00     50.00   200.00          1
#   东门     300.00      0.00   300.00          1
# Findings, whatever K: orphan_customer 1 (P8：C9); orphan_bill 1 (P7：B9); bill_customer_mismatch
# 3 (P5：C3, P8：C9, P9：C4 — P8's bill is C2's).

ODD_HAND = {"千钢供电所": ("100.00", "60.00", "40.00", 1),
            "城郊供电所": ("250.00", "50.00", "200.00", 1),
            "东门供电所": ("300.00", "0.00", "300.00", 1)}
ODD_FINDINGS = {("customer_id", "orphan_customer"): (1, ["P8：C9"]),
                ("bill_id", "orphan_bill"): (1, ["P7：B9"]),
                ("customer_id", "bill_customer_mismatch"): (3, ["P5：C3", "P8：C9", "P9：C4"])}


def odd_extract(root: Path) -> Path:
    """The extract above, written to `root` (tests/test_spark.py builds it too)."""
    return write_extract(
        root,
        [customer("C1", station="千钢供电所"), customer("C2", station="城郊供电所"),
         customer("C3", station="东门供电所"), customer("C4", station="千钢供电所")],
        [bill("B1", "C1", "100.00"), bill("B3", "C2", "200.00"), bill("B4", "C2", "50.00", period="2021-04-01"),
         bill("B5", "C3", "300.00")],
        [payment("P5", "C3", "B4", "50.00", "2021-04-21 10:00:00"),
         payment("P6", "C1", "B1", "40.00", "2021-03-10 09:00:00"),
         payment("P7", "C1", "B9", "10.00", "2021-03-10 09:30:00"),
         payment("P8", "C9", "B3", "200.00", "2021-03-15 10:00:00"),
         payment("P9", "C4", "B1", "20.00", "2021-03-11 11:00:00")])


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> tuple[Extract, Extract]:
    """The extract above built with K = 1 and with FEE_BUILD_BUCKET_ROWS = 1 (K = 4)."""
    root = tmp_path_factory.mktemp("buckets-odd")
    data = odd_extract(root / "data")
    return open_with(data, root / "one", None), open_with(data, root / "many", 1)


def payment_findings(ex: Extract) -> dict:
    from queries import labels
    rule_key = {text: key for key, text in labels.RULE.items()}
    rows = ex.query_rows("select column_name, rule, rows, examples from findings where table_name = 'payments'")
    return {(column, rule_key[rule]): (count, list(examples)) for column, rule, count, examples in rows}


def test_a_payment_of_a_bill_in_another_bucket_counts_toward_that_bill(odd):
    one, many = odd
    assert buckets_of(many) == 4
    segs = dict(many.query_rows("select customer_id, seg_id from accounts"))
    assert segs["C2"] % 4 != segs["C3"] % 4, "C3's payment must cross buckets to reach C2's bill"
    assert segs["C1"] == segs["C4"]
    for ex in (one, many):
        by_station = ex.query("recovery_summary", Scope(), as_of=d("2021-04-30"), year=2021, group_by="station")
        got = {row["station"]: tuple(row[f] if f == "arrears_customers" else str(row[f])
                                     for f in ("billed", "recovered", "arrears", "arrears_customers"))
               for row in by_station.iter_rows(named=True)}
        assert got == ODD_HAND


def test_payments_of_other_bills_are_found_whatever_the_buckets(odd):
    one, many = odd
    assert payment_findings(one) == ODD_FINDINGS
    assert payment_findings(many) == ODD_FINDINGS
    fail_on(table_differences(many, one, HOW_BUILT), "tables of the K = 4 build and its K = 1 build")
