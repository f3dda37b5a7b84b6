"""Property: on any small extract, for any as-of date D and year Y, the query layer's §5
figures equal the bill-by-bill second implementation of docs/DATA.md §3 (tests/reference.py), and
for one D of each example so do the §6 collections figures (by collector, posting, penalty
exposure, risk grades, instalments).

Hypothesis draws extracts of 1–4 customers in 1–2 stations, 0–8 bills and 0–10 payments
with the awkward cases of §2–§3 (credit bills, reversals, overpayments, payments in transit,
late postings across a year end, prepayments, orphans, postings before the bill was issued,
a posting dated 9999-12-31), 0–4 instalment parts (some of a bill that does not exist), and
for each a few (D, Y) pairs: random ones from 2017–2026, a D before the first bill, a D after
the last posting, a Y with no bills and the default D. The budget is the hypothesis profile of tests/conftest.py ("ci" under CI, else "dev").

The plain tests at the end pin the edge cases of §3 by hand, then against the reference.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from queries import Scope, open_extract
from queries.collections import collections, load_settings
from queries.summary import summary
from reference import (bill_balances, collections_mismatches, default_as_of, load, mismatches, reference,
                       reference_collections, reference_groups, reference_penalty_avoided)
from tiny import bill, customer, part, payment, write_extract

STATIONS = ("千钢供电所", "城郊供电所")
CATEGORIES = ("residential", "small_power", "large_industry", "agriculture", "other")
ORPHAN_CUSTOMER = "9999"   # in no customers table
MISSING_BILL = "B-none"    # in no bills table
LAST_DAY = dt.date(9999, 12, 31)


# --- strategies --------------------------------------------------------------------------

def money(low_cents: int, high_cents: int) -> st.SearchStrategy[str]:
    """Yuan as a 2-decimal string (for Decimal), from a range of fen."""
    return st.integers(low_cents, high_cents).map(lambda c: f"{Decimal(c).scaleb(-2):.2f}")


@st.composite
def some(draw, most: int) -> int:
    """A row count 0..most, 0 one time in ten (an empty table is an edge case, not the rule)."""
    return draw(st.integers(1, most)) if draw(st.integers(0, 9)) else 0


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@st.composite
def customers_strategy(draw) -> list[dict]:
    stations = STATIONS[:draw(st.integers(1, 2))]  # a station may still have no customer
    rows = []
    for i in range(draw(st.integers(1, 4))):
        rows.append(customer(
            f"{i + 1:04d}",  # leading zeros: ids are text
            station=draw(st.sampled_from(stations)),
            village=draw(st.sampled_from([None, "一村", "二村"])),
            line=draw(st.sampled_from([None, "10kV甲线", "10kV乙线"])),
            category=draw(st.sampled_from(CATEGORIES)),
            phone=draw(st.sampled_from([None, "18812348912"])),
            industry=draw(st.sampled_from([None, "铁合金"])),
            meter_reader=draw(st.sampled_from([None, "李催费", "王收费"])),
            is_key_account=draw(st.sampled_from([None, True, False])),
            is_high_energy=draw(st.booleans()),
        ))
    return rows


@st.composite
def bills_strategy(draw, customer_ids: list[str]) -> list[dict]:
    rows = []
    for i in range(draw(some(8))):
        month = draw(st.one_of(st.sampled_from([1, 12]), st.integers(1, 12)))  # year ends often
        period = dt.date(draw(st.integers(2019, 2023)), month, 1)
        issued = period + days(draw(st.integers(0, 70)))     # a December bill issued in January
        due = issued + days(draw(st.integers(-3, 45)))        # due before issue: a finding, still counted
        amount = draw(st.one_of(money(1, 300_000), money(1, 300_000), money(-50_000, 0)))  # credits too
        rows.append(bill(f"B{i + 1}", draw(st.sampled_from(customer_ids + [ORPHAN_CUSTOMER])), amount,
                         period=period.isoformat(), issued_on=issued.isoformat(), due_on=due.isoformat()))
    return rows


def _stamp(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour, 59, 59 if hour == 23 else 0)).isoformat(sep=" ")


@st.composite
def payments_strategy(draw, customer_ids: list[str], bills: list[dict]) -> list[dict]:
    rows = []
    for i in range(draw(some(10))):
        target = draw(st.sampled_from(["bill", "bill", "bill", "prepayment", "missing_bill"]))
        b = draw(st.sampled_from(bills)) if bills and target == "bill" else None
        if b is not None and draw(st.integers(0, 3)) > 0:
            cid = b["customer_id"]  # mostly the bill's own customer; else anyone, or nobody known
        else:
            cid = draw(st.sampled_from(customer_ids + [ORPHAN_CUSTOMER]))
        bill_id = b["bill_id"] if b is not None else (None if target == "prepayment" else MISSING_BILL)

        base = b["amount"] if b is not None else Decimal("100.00")
        how = draw(st.sampled_from(["full", "part", "over", "reversal", "any"]))
        if how == "full":
            amount = f"{base:.2f}"
        elif how == "part":
            amount = f"{(base * draw(st.integers(1, 99)) / 100).quantize(Decimal('0.01')):.2f}"
        elif how == "over":
            amount = f"{abs(base) + Decimal(draw(money(1, 50_000))):.2f}"
        elif how == "reversal":
            amount = f"{-abs(base):.2f}" if draw(st.booleans()) else draw(money(-100_000, -1))
        else:
            amount = draw(money(-100_000, 300_000))

        anchor = draw(st.sampled_from(["issued", "due", "year_end"])) if b is not None else "year_end"
        if anchor == "issued":
            paid_day = b["issued_on"] + days(draw(st.integers(-20, 120)))  # before issue, too
        elif anchor == "due":
            paid_day = b["due_on"] + days(draw(st.integers(-10, 400)))
        else:
            paid_day = dt.date(draw(st.integers(2018, 2024)), 12, 31) + days(draw(st.integers(-20, 20)))
        hour = draw(st.sampled_from([0, 9, 23]))

        posting = draw(st.sampled_from(["same", "same", "late", "late", "in_transit", "9999"]))
        if posting == "same":
            posted = "same"
        elif posting == "late":  # days or weeks later, often across a year end
            posted = _stamp(paid_day + days(draw(st.integers(0, 45))), draw(st.sampled_from([0, 10, 23])))
        elif posting == "in_transit":
            posted = None
        else:
            posted = _stamp(LAST_DAY, 0)
        rows.append(payment(f"P{i + 1}", cid, bill_id, amount, _stamp(paid_day, hour), posted,
                            channel=draw(st.sampled_from(["counter", "bank", "wechat"]))))
    return rows


# An instalment part is (bill index, days from the bill's due date, fen), resolved on the
# extract's bills by `plan_rows`; an index past the last bill names a bill that does not exist.
PLANS = st.lists(st.tuples(st.integers(0, 8), st.integers(-20, 40), st.integers(1, 20_000)), max_size=4)


def plan_rows(plans: list[tuple], bills: list[dict]) -> list[dict]:
    rows = []
    for index, offset, fen in plans:
        b = bills[index] if index < len(bills) else None
        due = (b["due_on"] if b else dt.date(2021, 3, 20)) + days(offset)
        rows.append(part(b["bill_id"] if b else MISSING_BILL, due.isoformat(), f"{Decimal(fen).scaleb(-2):.2f}"))
    return rows


@st.composite
def extracts(draw) -> tuple[list[dict], list[dict], list[dict]]:
    customers = draw(customers_strategy())
    ids = [c["customer_id"] for c in customers]
    bills = draw(bills_strategy(ids))
    return customers, bills, draw(payments_strategy(ids, bills))


# A pair is (kind, a day, a year, Δyear, offset, use Δyear, station index), resolved on the
# extract by `resolve`. Each example asks a random (D, Y), one of the special kinds and one more.
SPECIAL = ("before_first", "after_last", "no_bill_year", "default")


def pair_strategy(kinds: tuple[str, ...]) -> st.SearchStrategy[tuple]:
    return st.tuples(st.sampled_from(kinds), st.dates(dt.date(2017, 1, 1), dt.date(2026, 12, 31)),
                     st.integers(2017, 2026), st.integers(-1, 1), st.integers(0, 400), st.booleans(),
                     st.integers(0, 1))


PAIRS = st.tuples(pair_strategy(("random",)), pair_strategy(SPECIAL),
                  pair_strategy(("random",) + SPECIAL)).map(list)


def resolve(pair, bills: list[dict], payments: list[dict], ex) -> tuple[dt.date, int | None, str]:
    """The (D, Y) of a drawn pair on this extract; Y None means summary's default (D's year)."""
    kind, day, year, dy, offset, relative, station = pair
    when_d = lambda d: min(d.year + dy, 9999) if relative else year  # noqa: E731
    if kind == "fixed":
        return day, year, STATIONS[station]
    if kind == "before_first" and bills:
        first = min(min(b["period"], b["issued_on"]) for b in bills)
        day = first - days(1 + offset % 90)
        return day, when_d(day), STATIONS[station]
    if kind == "after_last":
        posted = [p["posted_at"].date() for p in payments if p["posted_at"] is not None
                  and (offset % 2 or p["posted_at"].date() < LAST_DAY)]  # the last, or the last before 9999
        last = max(posted) if posted else max((b["due_on"] for b in bills), default=None)
        if last is not None:
            day = min(last + days(offset), LAST_DAY) if last < LAST_DAY - days(offset) else LAST_DAY
            return day, when_d(day), STATIONS[station]
    if kind == "no_bill_year":
        years = sorted(set(range(2017, 2031)) - {b["period"].year for b in bills})
        return day, years[year % len(years)], STATIONS[station]
    if kind == "default" and ex.default_as_of is not None:
        return ex.default_as_of, None, STATIONS[station]
    return day, when_d(day), STATIONS[station]


# --- the comparison ----------------------------------------------------------------------

def compare(ex, tables, as_of: dt.date, year: int | None, station: str | None = None) -> list[str]:
    """Everything summary answers for (D, Y) and a scope (everything, or one station) — total,
    by_station, by_village, by_line — against the reference; the differences, described."""
    ref_year = year if year is not None else as_of.year
    where = f"D={as_of} Y={year}" + (f" station={station}" if station else "")
    got = summary(ex, as_of=as_of, year=year, scope=Scope(stations=(station,) if station else ()))
    assert got["year"] == ref_year
    wrong = [f"{where} total: {m}"
             for m in mismatches(got["total"], reference(*tables, as_of, ref_year, station))]
    for group, member in (("by_station", None), ("by_village", "village"), ("by_line", "line")):
        rows = {(r["station"],) + ((r[member],) if member else ()): r for r in got[group]}
        want = {key: figures for key, figures in reference_groups(*tables, as_of, ref_year, member).items()
                if station is None or key[0] == station}
        if rows.keys() != want.keys():
            wrong.append(f"{where} {group}: groups {sorted(rows, key=str)}, want {sorted(want, key=str)}")
        for key in rows.keys() & want.keys():
            wrong += [f"{where} {group} {key}: {m}" for m in mismatches(rows[key], want[key])]
    return wrong


def open_fresh(tmp: str, customers, bills, payments, plans: list[dict] | None = None):
    root = write_extract(Path(tmp) / "extract", customers, bills, payments, instalment_plans=plans)
    return open_extract(root, cache_dir=Path(tmp) / "cache"), load(root)


def compare_collections(ex, tables, plans: list[dict], as_of: dt.date) -> list[str]:
    """The §6 collections figures at D against the reference's (penalties day by day)."""
    frame = pl.DataFrame(plans, schema={"bill_id": pl.String, "due_on": pl.Date, "amount": pl.Decimal(18, 2)})
    got = collections(ex, as_of=as_of)
    wrong = [f"D={as_of} collections: {m}"
             for m in collections_mismatches(got, reference_collections(*tables, frame, as_of))]
    # what same-day posting saved, at D and on the last day a bill payment was posted the day paid
    payments = tables[2]
    same_day = payments.filter(pl.col("bill_id").is_not_null()
                               & (pl.col("posted_at").dt.date() == pl.col("paid_at").dt.date()))
    for day in [as_of] + ([same_day["paid_at"].dt.date().max()] if same_day.height else []):
        [saved] = ex.query("penalty_avoided_by_same_day_posting", Scope(), as_of=day, group_by="total",
                           **load_settings().params()).to_dicts()
        want = reference_penalty_avoided(*tables, day)
        event(f"penalty avoided by same-day posting: {'some' if want['bills'] else 'none'}")
        if {k: saved[k] for k in want} != want:
            wrong.append(f"D={day} penalty avoided by same-day posting: got {saved}, want {want}")
    return wrong


# Edge cases that must always run (not left to the draw): a posting dated 9999-12-31 seen
# the day before and on that day, a Y with no bills long after the last one, and a D before
# the first bill.
_EDGE_CUSTOMERS = [customer("0001"), customer("0002", station=STATIONS[1], village=None, line=None)]
_EDGE_BILLS = [bill("B1", "0001", "100.50", period="2021-12-01", issued_on="2022-01-04", due_on="2022-01-20"),
               bill("B2", "0002", "80.00", period="2022-01-01", issued_on="2022-01-05", due_on="2022-01-25"),
               bill("B3", "0002", "-10.00", period="2020-12-01", issued_on="2020-12-28", due_on="2021-01-10")]
_EDGE_PAYMENTS = [payment("P1", "0001", "B1", "40.25", "2022-01-10 09:00:00", "9999-12-31 00:00:00"),
                  payment("P2", "0002", "B2", "80.00", "2021-12-31 23:59:59", "2022-01-03 00:00:00"),
                  payment("P3", "0001", None, "50.00", "2022-02-01 09:00:00")]


def fixed(day: str, year: int, station: int = 0):
    return ("fixed", dt.date.fromisoformat(day), year, 0, 0, False, station)


@given(extract=extracts(), pairs=PAIRS, plans=PLANS)
@example(extract=(_EDGE_CUSTOMERS, _EDGE_BILLS, _EDGE_PAYMENTS),
         pairs=[fixed("9999-12-30", 9999), fixed("9999-12-31", 9999, 1), fixed("2021-06-30", 2030)],
         plans=[(0, -1, 5000), (0, 10, 5050), (9, 0, 100)])
@example(extract=(_EDGE_CUSTOMERS, _EDGE_BILLS, _EDGE_PAYMENTS),
         pairs=[fixed("2020-01-01", 2020), fixed("2030-06-30", 2030, 1), fixed("2022-01-03", 2021)], plans=[])
@example(extract=(_EDGE_CUSTOMERS, [], []),
         pairs=[fixed("2021-06-30", 2021), fixed("2017-01-01", 2017, 1), fixed("2030-01-01", 2030)], plans=[])
@settings(suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
def test_query_layer_agrees_with_the_reference(extract, pairs, plans):
    customers, bills, payments = extract
    plans = plan_rows(plans, bills)
    note(f"customers={customers!r}\nbills={bills!r}\npayments={payments!r}\nplans={plans!r}")
    with tempfile.TemporaryDirectory() as tmp:  # a fresh directory per example
        ex, tables = open_fresh(tmp, customers, bills, payments, plans)
        try:
            assert ex.default_as_of == default_as_of(tables[1], tables[2])
            wrong = []
            for i, pair in enumerate(pairs):
                as_of, year, station = resolve(pair, bills, payments, ex)
                note(f"pair {pair} -> D={as_of} Y={year} station={station}")
                event(f"pair: {pair[0]}")
                wrong += compare(ex, tables, as_of, year)
                if i == 1:  # one station's scope per example (each summary asks four questions)
                    wrong += compare(ex, tables, as_of, year, station)
                if i == 2 and as_of.year < 9999:  # one D for §6 (the reference counts penalty days one by one)
                    wrong += compare_collections(ex, tables, plans, as_of)
            assert wrong == []
        finally:
            ex.close()


# --- the edge cases of §3, by hand --------------------------------------------------------

def _figures(ex, tables, as_of: str, year: int, station: str | None = None) -> dict:
    """summary's total, after checking it against the reference."""
    d = dt.date.fromisoformat(as_of)
    scope = Scope(stations=(station,)) if station else Scope()
    got = summary(ex, as_of=d, year=year, scope=scope)["total"]
    assert mismatches(got, reference(*tables, d, year, station)) == []
    return got


def _extract():
    customers = [customer("0001"), customer("0002", station=STATIONS[1])]
    bills = [bill("B1", "0001", "100.00", period="2021-03-01"),                    # due 2021-03-20
             bill("B2", "0001", "200.00", period="2021-12-01", issued_on="2022-01-05", due_on="2022-01-20"),
             bill("B3", "0002", "50.00", period="2022-06-01"),                     # due 2022-06-20
             bill("B4", "9999", "999.00", period="2021-03-01")]                   # an orphan: counts nowhere
    payments = [payment("P1", "0001", "B1", "30.00", "2021-03-10 10:00:00"),
                payment("P2", "0001", "B2", "200.00", "2022-01-10 10:00:00", "2022-02-03 08:00:00"),
                payment("P3", "0002", "B3", "20.00", "2022-06-10 10:00:00", None),  # in transit for ever
                payment("P4", "0002", "B1", "10.00", "2022-12-31 23:00:00", "2023-01-02 09:00:00")]
    return customers, bills, payments


def test_d_before_the_first_bill_is_all_zeros():
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, *_extract())
        try:
            for year in (2020, 2021):
                t = _figures(ex, tables, "2021-03-04", year)  # B1 is issued 2021-03-05
                assert {k: t[k] for k in ("billed", "recovered", "prior_opening", "prior_recovered",
                                          "arrears", "arrears_customers")} == {
                    "billed": 0.0, "recovered": 0.0, "prior_opening": 0.0, "prior_recovered": 0.0,
                    "arrears": 0.0, "arrears_customers": 0}
                assert t["recovery_rate"] is None and t["prior_recovery_rate"] is None
                assert t["cumulative_rate"] is None
            # Y = 2022 looks back from E = 2021-12-31, after D: B1 was owed 70 at E (P1 paid 30),
            # and is owed 100 at D, so the earlier years' collection is −30.
            t = _figures(ex, tables, "2021-03-04", 2022)
            assert (t["billed"], t["prior_opening"], t["prior_recovered"], t["arrears"]) == (0.0, 70.0, -30.0, 0.0)
            assert t["cumulative_rate"] == -30 / 70
        finally:
            ex.close()


def test_d_after_the_last_posting_keeps_counting():
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, *_extract())
        try:
            assert ex.default_as_of == dt.date(2023, 1, 2)
            t = _figures(ex, tables, "2026-12-31", 2021)
            # 2021: B1 100 (paid 30 + 10) and B2 200 (paid); arrears: B1 60, B3 50 (P3 never posted).
            assert (t["billed"], t["recovered"]) == (300.0, 240.0)
            assert (t["arrears"], t["arrears_prior_years"], t["arrears_customers"]) == (110.0, 110.0, 2)
            t = _figures(ex, tables, "2026-12-31", 2026)  # no bills in 2026
            assert (t["billed"], t["recovery_rate"]) == (0.0, None)
            # carried into 2026: B1 60 and B3 50, nothing collected since.
            assert (t["prior_opening"], t["prior_recovered"], t["prior_recovery_rate"]) == (110.0, 0.0, 0.0)
            _figures(ex, tables, "2026-12-31", 2026, STATIONS[1])
        finally:
            ex.close()


def test_a_year_with_no_bills_opens_with_the_arrears_carried_in():
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, *_extract())
        try:
            year_end = dt.date(2029, 12, 31)
            carried = bill_balances(*tables, year_end).filter(pl.col("issued_on") <= year_end)
            carried_in = float(carried["outstanding"].sum())
            assert carried_in == 110.0
            for as_of in ("2030-06-30", "2029-12-31", "2023-01-01", "2022-07-01"):
                t = _figures(ex, tables, as_of, 2030)
                assert t["billed"] == 0.0 and t["recovery_rate"] is None
                assert t["prior_opening"] == carried_in
            # seen from 2022-07-01 (before P4 posted), B1 owed 70: prior_recovered = 110 − (70 + 50)
            assert _figures(ex, tables, "2022-07-01", 2030)["prior_recovered"] == -10.0
        finally:
            ex.close()


def test_a_posting_dated_9999_counts_only_from_that_day():
    customers = [customer("0001")]
    bills = [bill("B1", "0001", "100.00", period="2021-03-01")]
    payments = [payment("P1", "0001", "B1", "100.00", "2021-03-10 10:00:00", "9999-12-31 00:00:00")]
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, customers, bills, payments)
        try:
            assert ex.default_as_of is None  # implausible: never chosen as D
            t = _figures(ex, tables, "9999-12-30", 2021)
            assert (t["recovered"], t["arrears"]) == (0.0, 100.0)
            t = _figures(ex, tables, "9999-12-31", 2021)
            assert (t["recovered"], t["arrears"]) == (100.0, 0.0)
            t = _figures(ex, tables, "9999-12-31", 9999)
            assert (t["prior_opening"], t["prior_recovered"], t["prior_recovery_rate"]) == (100.0, 100.0, 1.0)
        finally:
            ex.close()


def test_no_payments_at_all():
    customers, bills, _ = _extract()
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, customers, bills, [])
        try:
            assert tables[2].height == 0
            assert ex.default_as_of is None  # so D is passed explicitly
            t = _figures(ex, tables, "2022-12-31", 2022)
            assert (t["billed"], t["recovered"], t["recovery_rate"]) == (50.0, 0.0, 0.0)
            assert (t["arrears"], t["arrears_current_year"], t["arrears_prior_years"]) == (350.0, 50.0, 300.0)
            assert (t["prior_opening"], t["prior_recovered"]) == (100.0, 0.0)  # B2 issued 2022-01-05 > E
            _figures(ex, tables, "2022-12-31", 2022, STATIONS[0])
        finally:
            ex.close()


def test_prior_recovered_of_a_bill_paid_before_its_issue():
    customers = [customer("0001")]
    bills = [bill("B1", "0001", "100.00", period="2023-01-01", issued_on="2023-01-05", due_on="2023-01-20")]
    payments = [payment("P1", "0001", "B1", "100.00", "2022-06-01 10:00:00")]  # posted before the issue
    with tempfile.TemporaryDirectory() as tmp:
        ex, tables = open_fresh(tmp, customers, bills, payments)
        try:
            # Y = 2024, E = 2023-12-31: P = {B1}. outstanding(B1, E) = 0 and outstanding(B1, D) =
            # max(0, 100 − 100) = 0 (P1 is posted by D), so prior_recovered = 0 − 0 = 0.
            t = _figures(ex, tables, "2022-08-03", 2024)
            assert (t["prior_opening"], t["prior_recovered"]) == (0.0, 0.0)
        finally:
            ex.close()
