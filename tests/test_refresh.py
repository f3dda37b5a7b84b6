"""The refresh (docs/DATA.md §9, issue 11 §2): when the only change to an extract's folder is
new Parquet files under payments/, its new cache is made from the cache of the folder's earlier
state instead of a full build; otherwise it is a full build, with the reason. Either way every
question must answer exactly as a full build of the same files does.

Each scenario lays the shipped sample out in tmp with payments as a folder: the base file(s)
first, opened into a cache (a full build); then the day's file(s) are added and the same
folder opened again into the same cache (the refresh). The very same folder is then built into
a second, empty cache dir (a full build, there being no earlier cache there) and the two caches
are compared: every question of queries/sql (tests/questions.py) as of the new default date,
the day before the appended day, 2021-12-31 and a day in 2020, for the whole branch, a station
and a collector (how many parameter sets where: `comparisons`); `python -m queries summary` and
`collections --json`; the extract's dates, findings and files. Frames must be equal after
sorting their rows: the same values and types, no tolerance (money is DECIMAL).

The sample's payments end on 2022-06-30. A "day" of payments is those posted on it and those
paid on it and not yet posted (in transit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from conftest import SAMPLE
from queries import Extract, ExtractRefused, Scope, open_extract, question_names
from queries import __main__ as cli
from queries.extract import is_built
from questions import CHENGJIAO, parameter_sets
from tiny import bill, customer, d, payment, table, write_extract

LAST_DAY = dt.date(2022, 6, 30)
TABLES = ("customers", "bills", "payments", "targets", "instalment_plans")


# --- the sample, cut into days ------------------------------------------------------------------

@functools.cache
def sample(name: str) -> pl.DataFrame:
    return pl.read_parquet(SAMPLE / f"{name}.parquet")


def on_days(first: dt.date, last: dt.date | None = None) -> pl.Expr:
    """Payments posted from `first` to `last`, and those paid then and still in transit."""
    return pl.coalesce("posted_at", "paid_at").dt.date().is_between(first, last or first)


def payments_of(first: dt.date, last: dt.date | None = None) -> pl.DataFrame:
    return sample("payments").filter(on_days(first, last))


def payments_before(day: dt.date) -> pl.DataFrame:
    return sample("payments").filter(pl.coalesce("posted_at", "paid_at").dt.date() < day)


def new_payment(payment_id: str, of: dict, amount: str, posted_at: str | None = "2022-06-30 16:00:00",
                paid_at: str | None = None, **changes) -> pl.DataFrame:
    """One hand-made payment row with the sample's column types: `of` gives its customer and
    bill (a row of the sample's payments or bills), `changes` override any column."""
    row = {"payment_id": payment_id, "customer_id": of["customer_id"], "bill_id": of.get("bill_id"),
           "paid_at": dt.datetime.fromisoformat(paid_at or posted_at),
           "posted_at": dt.datetime.fromisoformat(posted_at) if posted_at else None,
           "amount": Decimal(amount), "channel": "counter", **changes}
    return pl.DataFrame([row], schema=sample("payments").schema)


def first_row(frame: pl.DataFrame) -> dict:
    assert frame.height, "the sample has such a row"
    return frame.row(0, named=True)


# --- scenarios ----------------------------------------------------------------------------------

Files = dict[str, pl.DataFrame]  # a file's path in the data folder → its rows


@dataclass
class Step:
    """What a step does to the folder, the build it should cause ('refresh' or 'full'), and the
    day before the first appended day (the comparisons ask about it too, beside `also_as_of`)."""
    write: Files
    expect: str
    before: dt.date
    remove: tuple[str, ...] = ()
    also_as_of: tuple[dt.date, ...] = ()
    findings: tuple[str, ...] = ()  # examples the findings must show after it (the rows made to be findings)


@dataclass
class Scenario:
    base: Files
    steps: list[Step]
    thorough: bool = False  # compare every parameter set at every date and scope (see `comparisons`)


def last_day() -> Scenario:
    return Scenario({"payments/base.parquet": payments_before(LAST_DAY)},
                    [Step({"payments/2022-06-30.parquet": payments_of(LAST_DAY)}, "refresh", d("2022-06-29"))],
                    thorough=True)


def last_seven_days() -> Scenario:
    first = d("2022-06-24")
    return Scenario({"payments/base.parquet": payments_before(first)},
                    [Step({"payments/2022-06-24_30.parquet": payments_of(first, LAST_DAY)}, "refresh",
                          d("2022-06-23"), also_as_of=(d("2022-06-27"),))])


def two_days_in_turn() -> Scenario:
    return Scenario({"payments/base.parquet": payments_before(d("2022-06-29"))},
                    [Step({"payments/2022-06-29.parquet": payments_of(d("2022-06-29"))}, "refresh", d("2022-06-28")),
                     Step({"payments/2022-06-30.parquet": payments_of(LAST_DAY)}, "refresh", d("2022-06-29"))])


def second_file_of_the_same_day() -> Scenario:
    """2022-06-30 in two files by payment_id. The sample pays no bill twice on one day, so the
    second file also holds, for bills the first file posted on that day, a larger payment
    through another channel (the bill's same-day channel changes) and a reversal."""
    day = payments_of(LAST_DAY).sort("payment_id")
    half = day.height // 2
    first, second = day.head(half), day.tail(day.height - half)
    posted = first.filter(pl.col("bill_id").is_not_null() & pl.col("posted_at").is_not_null()
                          & (pl.col("posted_at").dt.date() == pl.col("paid_at").dt.date()))
    again, reversed_ = posted.row(0, named=True), posted.row(1, named=True)
    extra = [new_payment("202206990000001", again, str(again["amount"] + Decimal("50.00")), "2022-06-30 20:00:00",
                         channel="alipay" if again["channel"] != "alipay" else "wechat"),
             new_payment("202206990000002", reversed_, str(-reversed_["amount"]), "2022-06-30 21:00:00",
                         channel=reversed_["channel"])]
    return Scenario({"payments/base.parquet": payments_before(LAST_DAY)},
                    [Step({"payments/2022-06-30-a.parquet": first}, "refresh", d("2022-06-29")),
                     Step({"payments/2022-06-30-b.parquet": pl.concat([second, *extra])}, "refresh",
                          d("2022-06-29"))])


def findings_in_the_day() -> Scenario:
    """The day's file also holds payments that are data-quality findings (docs/DATA.md §4): of
    a customer not in customers (without a bill, and on a bill of another customer: both count
    nowhere) and on a bill that does not exist (a posting of a known customer)."""
    known = first_row(payments_of(LAST_DAY).filter(pl.col("bill_id").is_not_null()))
    someones_bill = first_row(sample("bills").filter(pl.col("period") == d("2022-06-01")))
    unknown = "999999999999"
    rows = [new_payment("202206990000011", {"customer_id": unknown}, "88.00"),
            new_payment("202206990000012", {"customer_id": unknown, "bill_id": someones_bill["bill_id"]}, "66.00"),
            new_payment("202206990000013", {"customer_id": known["customer_id"], "bill_id": "20229999999999"},
                        "44.00")]
    return Scenario({"payments/base.parquet": payments_before(LAST_DAY)},
                    [Step({"payments/2022-06-30.parquet": pl.concat([payments_of(LAST_DAY), *rows])}, "refresh",
                          d("2022-06-29"), findings=(f"202206990000011：{unknown}", f"202206990000012：{unknown}",
                                                     "202206990000013：20229999999999"))])


def new_bills_file() -> Scenario:
    """Bills as a folder too: the day brings a new bills file (a supplementary bill of a known
    customer) beside the payments, one of which pays it."""
    bills = sample("bills")
    extra = bills.filter(pl.col("period") == d("2022-06-01")).head(1).with_columns(
        bill_id=pl.lit("20220699999999"), amount=pl.lit(Decimal("123.45")).cast(bills.schema["amount"]))
    pays = new_payment("202206990000021", extra.row(0, named=True), "100.00")
    return Scenario({"bills/base.parquet": bills, "payments/base.parquet": payments_before(LAST_DAY)},
                    [Step({"bills/2022-06-30.parquet": extra,
                           "payments/2022-06-30.parquet": pl.concat([payments_of(LAST_DAY), pays])}, "full",
                          d("2022-06-29"))])


def earlier_file_changed() -> Scenario:
    """The base file is written again with one payment corrected, beside the new day's file."""
    base = payments_before(LAST_DAY)
    corrected = base.with_columns(amount=pl.when(pl.int_range(pl.len()) == 0)
                                  .then(pl.col("amount") + Decimal("1.00")).otherwise(pl.col("amount")))
    return Scenario({"payments/base.parquet": base},
                    [Step({"payments/base.parquet": corrected,
                           "payments/2022-06-30.parquet": payments_of(LAST_DAY)}, "full", d("2022-06-29"))])


def earlier_file_removed() -> Scenario:
    return Scenario({"payments/base.parquet": payments_before(d("2022-06-29")),
                     "payments/2022-06-29.parquet": payments_of(d("2022-06-29"))},
                    [Step({"payments/2022-06-30.parquet": payments_of(LAST_DAY)}, "full", d("2022-06-29"),
                          remove=("payments/2022-06-29.parquet",))])


def backdated_posting() -> Scenario:
    """The day's file holds a payment posted on 2022-06-28 for a bill already posted on 06-29."""
    base = payments_before(LAST_DAY)
    later = first_row(base.filter(pl.col("bill_id").is_not_null()
                                  & (pl.col("posted_at").dt.date() == d("2022-06-29"))))
    early = new_payment("202206990000031", later, "5.00", "2022-06-28 11:00:00")
    return Scenario({"payments/base.parquet": base},
                    [Step({"payments/2022-06-30.parquet": pl.concat([payments_of(LAST_DAY), early])}, "full",
                          d("2022-06-29"))])


SCENARIOS: dict[str, Callable[[], Scenario]] = {f.__name__: f for f in (
    last_day, last_seven_days, two_days_in_turn, second_file_of_the_same_day, findings_in_the_day,
    new_bills_file, earlier_file_changed, earlier_file_removed, backdated_posting)}


# --- laying out, opening, asking ------------------------------------------------------------------

def lay_out(folder: Path, files: Files, remove: tuple[str, ...] = ()) -> None:
    """Write `files` into the data folder; a sample table not among them is copied as it is."""
    for path in remove:
        (folder / path).unlink()
    for path, rows in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        rows.write_parquet(folder / path)
    for name in TABLES:
        if not (folder / f"{name}.parquet").exists() and not (folder / name).is_dir():
            shutil.copyfile(SAMPLE / f"{name}.parquet", folder / f"{name}.parquet")


def build_kind(ex: Extract) -> tuple[str, str | None]:
    """(build_kind, build_note) of the cache; the reason in place of the kind when it has none."""
    try:
        return ex.query_rows("select build_kind, build_note from extract_info")[0]
    except duckdb.Error as exc:
        return f"extract_info has no build_kind: {str(exc).splitlines()[0]}", None


def collector() -> str:
    return sample("customers").filter(station=CHENGJIAO)["meter_reader"].drop_nulls().sort()[0]


def scopes() -> dict[str, Scope]:
    return {"branch": Scope(), "station": Scope(stations=(CHENGJIAO,)), "collector": Scope(collectors=(collector(),))}


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True) if frame.width else frame


def _label(name: str, params: dict) -> str:
    keys = ("group_by", "customer_id", "grades", "month", "stations", "period_from")
    return " ".join([name, *(f"{k}={params[k]}" for k in keys if k in params)])


def narrowed(asked: dict[str, list[dict]], depth: str) -> dict[str, list[dict]]:
    """Every question, with every parameter set ('every'), its first and last ('ends': the
    groupings at both ends, two key accounts) or its first alone ('first')."""
    if depth == "every":
        return asked
    if depth == "ends":
        return {name: sets[:1] + sets[1:][-1:] for name, sets in asked.items()}
    return {name: sets[:1] for name, sets in asked.items()}


def answers(new: Extract, full: Extract, day: dt.date, scope: Scope, depth: str) -> dict[str, tuple]:
    """Every question as of `day` (its parameter sets `narrowed` to `depth`), from both caches."""
    asked = parameter_sets(full, day)
    assert sorted(asked) == question_names(), "every question in queries/sql is asked here"
    got = {}
    for name, sets in narrowed(asked, depth).items():
        for params in sets:
            label = _label(name, params)
            assert label not in got, f"two parameter sets of {name} read alike: {label}"
            got[label] = (new.query(name, scope, **params), full.query(name, scope, **params))
    return got


def command_line(data: Path, cache_dir: Path, argv: list[str]) -> tuple[int, str, str]:
    """`python -m queries …` in this process, reading the caches of `cache_dir`."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        env.setenv("FEE_CACHE_DIR", str(cache_dir))
        code = cli.main([argv[0], "--data", str(data), "--json", *argv[1:]])
    return code, out.getvalue(), err.getvalue()


def the_extract(ex: Extract) -> dict[str, object]:
    """What an extract says of itself: its dates and name, findings and files."""
    return {"dates": ex.query_rows("select * from extract_dates"),
            "attributes": (ex.name, ex.default_as_of, ex.first_period, ex.last_period, ex.first_issued),
            "info": ex.query_rows("select name, data_dir from extract_info"),
            "findings": canonical(ex.query("data_findings", Scope())).rows(),
            "files": canonical(ex.query("extract_tables", Scope())).rows()}


@dataclass
class Outcome:
    """One step of a scenario: the refreshed cache's kind, and each comparison as (refreshed,
    full build), taken before the next step changes the folder."""
    step: str
    expect: str
    findings: tuple[str, ...]
    kind: tuple[str, str | None]
    full_kind: tuple[str, str | None]
    extract: tuple[dict, dict] = field(repr=False)
    answers: dict[str, tuple] = field(default_factory=dict, repr=False)
    command_line: dict[str, tuple] = field(default_factory=dict, repr=False)


def comparisons(step: Step, day: dt.date, thorough: bool) -> list[tuple[dt.date, str, str]]:
    """(as of, scope, depth) of each comparison after a step. Asking each question once costs
    about 2 s per cache on the sample (every parameter set 6 s), so only the last-day scenario
    asks everything: every parameter set on the new default date for the branch, a station and
    a collector, and on the day before; both ends of the groupings on 2021-12-31 and in 2020.
    The other refreshes ask both ends on the new default date and each question once for a
    collector, on the day before the appended day and on 2021-12-31. A step that should build in
    full (both caches are then full builds) is checked on the new default date alone."""
    if step.expect == "full":
        return [(day, "branch", "ends")]
    if thorough:
        return ([(day, scope, "every") for scope in scopes()] + [(step.before, "branch", "every")]
                + [(other, "branch", "ends") for other in (*step.also_as_of, d("2021-12-31"), d("2020-11-15"))])
    return ([(day, "branch", "ends"), (day, "collector", "first"), (step.before, "branch", "first")]
            + [(other, "branch", "first") for other in (*step.also_as_of, d("2021-12-31"))])


def command_lines(step: Step, thorough: bool) -> list[list[str]]:
    """The summary and collections asked of both caches after a step (fewer for a full build)."""
    station = ["--station", CHENGJIAO]
    argvs = [["summary"], ["collections"]]
    if step.expect != "full":
        argvs += [["summary", "--as-of", str(step.before), *station], ["collections", "--as-of", str(step.before)]]
    if thorough:
        argvs += [["summary", "--as-of", "2021-12-31", "--year", "2021"],
                  ["collections", "--as-of", "2020-11-15", *station]]
    return argvs


def settle(data: Path, cache: Path, reference: Path, step: Step, name: str, thorough: bool) -> Outcome:
    new = open_extract(data, cache)  # the refresh
    full = open_extract(data, reference)  # a full build of the very same folder
    day = full.default_as_of
    outcome = Outcome(name, step.expect, step.findings, build_kind(new), build_kind(full),
                      (the_extract(new), the_extract(full)))
    for when, scope, depth in comparisons(step, day, thorough):
        for label, pair in answers(new, full, when, scopes()[scope], depth).items():
            outcome.answers[f"{label} @{when} {scope}"] = pair
    for argv in command_lines(step, thorough):
        outcome.command_line[" ".join(argv)] = (command_line(data, cache, argv), command_line(data, reference, argv))
    return outcome


@dataclass
class Run:
    base_kind: tuple[str, str | None]  # of the first open, with the base files alone
    outcomes: list[Outcome]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def run(request, tmp_path_factory) -> Run:
    """One scenario, run once for the tests below: each step's new cache compared with a full
    build in a new, empty cache dir, before the next step changes the folder."""
    scenario = SCENARIOS[request.param]()
    root = tmp_path_factory.mktemp(request.param)
    data, cache = root / "data", root / "cache"
    data.mkdir()
    lay_out(data, scenario.base)
    base = open_extract(data, cache)
    done = Run(build_kind(base), [])
    for i, step in enumerate(scenario.steps, start=1):
        lay_out(data, step.write, step.remove)
        done.outcomes.append(settle(data, cache, root / f"full-{i}", step, f"{request.param} step {i}",
                                    scenario.thorough))
    return done


# --- the tests ----------------------------------------------------------------------------------

def test_every_question_answers_as_a_full_build(run):
    for outcome in run.outcomes:
        differ = [label for label, (new, full) in outcome.answers.items() if not canonical(new).equals(canonical(full))]
        if differ:
            new, full = outcome.answers[differ[0]]
            try:
                assert_frame_equal(canonical(new), canonical(full), check_exact=True)
                message = "equal by assert_frame_equal, but not by DataFrame.equals"
            except AssertionError as exc:
                message = str(exc)
            pytest.fail(f"{outcome.step}: {len(differ)} answers differ from the full build's: {differ[:8]}; "
                        f"the first (refreshed, then full): {message}\n{canonical(new)}\n{canonical(full)}")


def test_the_command_line_answers_as_a_full_build(run):
    for outcome in run.outcomes:
        for argv, (new, full) in outcome.command_line.items():
            assert new == full, f"{outcome.step}: {argv}"
            assert new[0] == 0 and new[2] == "", f"{outcome.step}: {argv} opened the cache without building"


def test_dates_findings_and_files_are_those_of_a_full_build(run):
    for outcome in run.outcomes:
        new, full = outcome.extract
        assert new == full, outcome.step
        examples = {e for *_, found in full["findings"] for e in found}
        assert set(outcome.findings) <= examples, f"{outcome.step}: the findings the day was made with"


def test_the_day_is_refreshed_or_built_in_full_as_expected(run):
    assert run.base_kind[0] == "full", "the first open of a folder"
    for outcome in run.outcomes:
        assert outcome.full_kind[0] == "full", f"{outcome.step}: the reference, built in an empty cache dir"
        kind, note = outcome.kind
        assert kind == outcome.expect, f"{outcome.step}: {note}"
        assert note, f"{outcome.step}: a {kind} says what was added, or why it was not a refresh"


# --- a refused day ------------------------------------------------------------------------------------

def test_a_day_repeating_a_payment_id_is_refused_like_a_full_build_and_the_old_cache_stays(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    base = payments_before(LAST_DAY)
    lay_out(data, {"payments/base.parquet": base})
    old = open_extract(data, cache)
    day = old.default_as_of
    before = old.query("recovery_summary", Scope(), as_of=day, year=day.year, group_by="station")
    repeated = base.head(1).with_columns(posted_at=pl.lit(dt.datetime(2022, 6, 30, 9)))
    lay_out(data, {"payments/2022-06-30.parquet": pl.concat([payments_of(LAST_DAY), repeated])})

    with pytest.raises(ExtractRefused) as refreshed:
        open_extract(data, cache)
    with pytest.raises(ExtractRefused) as full:
        open_extract(data, tmp_path / "full")
    assert str(refreshed.value) == str(full.value)
    assert base["payment_id"][0] in str(full.value)

    # the old cache is left as it was, and still answers
    assert sorted(cache.glob("extract-*")) == [old.cache_file]  # no new cache, no leftovers
    assert old.query("recovery_summary", Scope(), as_of=day, year=day.year, group_by="station").equals(before)
    # without the refused file the folder is its earlier state again: its cache opens, nothing is built
    (data / "payments/2022-06-30.parquet").unlink()
    assert is_built(data, cache)
    assert open_extract(data, cache).cache_file == old.cache_file


# --- by hand, on a tiny extract -------------------------------------------------------------------------

# Two customers, bills of 2021-03 issued 03-05 and due 03-20:
#   C1  B1 100.00  base: 60.00 posted 03-25   the day's file: 40.00 posted 03-26  → paid in full
#   C2  B2 200.00                             the day's file: 150.00 posted 03-26 → 50.00 owed
# As of 03-25: recovered 60, arrears 40 + 200 on two customers.
# As of 03-26: recovered 100 + 150 = 250 of 300, arrears 0 + 50 on one customer (C2).

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-refresh")
    data, cache = root / "data", root / "cache"
    write_extract(data, [customer("C1"), customer("C2")], [bill("B1", "C1", "100.00"), bill("B2", "C2", "200.00")],
                  None)
    (data / "payments").mkdir()
    pq.write_table(table("payments", [payment("P1", "C1", "B1", "60.00", "2021-03-25 10:00:00")]),
                   data / "payments" / "2021-03-25.parquet")
    before = open_extract(data, cache)
    pq.write_table(table("payments", [payment("P2", "C1", "B1", "40.00", "2021-03-26 10:00:00"),
                                      payment("P3", "C2", "B2", "150.00", "2021-03-26 11:00:00")]),
                   data / "payments" / "2021-03-26.parquet")
    return before, open_extract(data, cache)


def _total(ex: Extract, as_of: dt.date) -> tuple:
    row = ex.query("recovery_summary", Scope(), as_of=as_of, year=2021, group_by="total").row(0, named=True)
    return row["billed"], row["recovered"], row["arrears"], row["arrears_customers"]


def test_a_refreshed_day_gives_the_numbers_worked_out_by_hand(tiny):
    before, after = tiny
    assert before.default_as_of == d("2021-03-25") and after.default_as_of == d("2021-03-26")
    assert _total(before, d("2021-03-25")) == (Decimal("300.00"), Decimal("60.00"), Decimal("240.00"), 2)
    assert _total(after, d("2021-03-26")) == (Decimal("300.00"), Decimal("250.00"), Decimal("50.00"), 1)
    assert _total(after, d("2021-03-25")) == (Decimal("300.00"), Decimal("60.00"), Decimal("240.00"), 2)
    owing = after.query("penalty_accounts", Scope(), as_of=d("2021-03-26"), group_by="bill", show_personal=False,
                        limit=0)
    assert owing.select("bill_id", "arrears").rows() == [("B2", Decimal("50.00"))]  # B1's arrears went to 0


def test_the_tiny_day_is_a_refresh(tiny):
    before, after = tiny
    assert build_kind(before)[0] == "full"
    kind, note = build_kind(after)
    assert kind == "refresh" and note
