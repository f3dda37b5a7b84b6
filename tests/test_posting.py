"""The 入账与违约金 page's questions (docs/DATA.md §6), each rule on the smallest extract that
shows it, with the expected numbers worked out by hand: payments by channel over time, what
same-day posting saved against posting on the next working day, the penalty lists with names,
and a 2024 rate row entered the way collections.toml says. At the end the avoided penalty meets
the second implementation (tests/reference.py) on the shipped sample.

March 2021 starts on a Monday: 03-16 is a Tuesday, 03-18 a Thursday, 03-19 a Friday, 03-20 a
Saturday, 03-22 a Monday. Customers are residential in 千钢供电所 unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SAMPLE
from queries import Scope, open_extract
from queries.collections import SETTINGS_FILE, load_settings
from reference import PENALTY_1996, load, reference_penalty_avoided
from tiny import bill, customer, d, payment, write_extract

QIANGANG, CHENGJIAO = "千钢供电所", "城郊供电所"


def open_tiny(root: Path, customers, bills, payments):
    return open_extract(write_extract(root, customers, bills, payments))


def avoided(ex, as_of: str, group_by: str = "total", settings=None, scope: Scope = Scope()) -> list[dict]:
    settings = settings or load_settings()
    return ex.query("penalty_avoided_by_same_day_posting", scope, as_of=d(as_of), group_by=group_by,
                    **settings.params()).to_dicts()


def figures(row: dict) -> tuple:
    return row["payments"], row["bills"], row["settled"], row["penalty_days"], row["penalty_avoided"]


# --- payments by channel over time ------------------------------------------------------------

def channel_extract(root: Path):
    customers = [customer("C1"), customer("C2", station=CHENGJIAO)]
    payments = [
        payment("P1", "C1", "B1", "100.00", "2021-01-10 09:00:00", channel="bank"),
        payment("P2", "C1", None, "50.00", "2021-01-20 09:00:00", None, channel="bank"),      # in transit: counts
        payment("P3", "C2", None, "30.00", "2021-03-05 09:00:00", channel="wechat"),
        payment("P4", "C2", None, "-30.00", "2021-03-06 09:00:00", channel="wechat"),          # a reversal
        payment("P5", "C1", None, "20.00", "2021-03-06 10:00:00", channel="counter"),
        payment("P6", "C1", None, "70.00", "2021-03-31 09:00:00", "2021-04-01 09:00:00", channel="counter"),
        payment("P7", "C1", None, "11.00", "2020-12-31 09:00:00", channel="bank"),             # last year
        payment("P8", "C1", None, "12.00", "2021-04-01 09:00:00", channel="bank"),             # after D
        payment("P9", "9999", None, "99.00", "2021-03-05 09:00:00", channel="bank"),           # unknown customer
    ]
    return open_tiny(root, customers, [bill("B1", "C1", "100.00", period="2021-01-01")], payments)


def test_payments_by_channel_per_month_of_the_year(tmp_path):
    ex = channel_extract(tmp_path)
    rows = ex.query("collections_by_channel", Scope(), as_of=d("2021-03-31"), month=None).to_dicts()
    # 2021-01-01 … 03-31 by the day paid, posted or not; P7 (2020), P8 (after D) and P9 (no such
    # customer) count nowhere; the reversal P4 counts as a payment of −30
    assert [(r["period"], r["channel"], r["payments"], r["amount"]) for r in rows] == [
        (d("2021-01-01"), "bank", 2, Decimal("150.00")),
        (d("2021-03-01"), "counter", 2, Decimal("90.00")),
        (d("2021-03-01"), "wechat", 2, Decimal("0.00"))]
    rows = ex.query("collections_by_channel", Scope(stations=(CHENGJIAO,)), as_of=d("2021-03-31"), month=None)
    assert rows["payments"].to_list() == [2]


def test_payments_by_channel_per_day_of_a_month_up_to_the_as_of_date(tmp_path):
    ex = channel_extract(tmp_path)
    rows = ex.query("collections_by_channel", Scope(), as_of=d("2021-03-06"), month=d("2021-03-01")).to_dicts()
    # March up to D = 03-06: P3 on 03-05; P4 and P5 on 03-06 (P6 on 03-31 is after D)
    assert [(r["period"], r["channel"], r["payments"], r["amount"]) for r in rows] == [
        (d("2021-03-05"), "wechat", 1, Decimal("30.00")),
        (d("2021-03-06"), "counter", 1, Decimal("20.00")),
        (d("2021-03-06"), "wechat", 1, Decimal("-30.00"))]
    # a month before D's: all its days; January has P1 and P2
    rows = ex.query("collections_by_channel", Scope(), as_of=d("2021-03-31"), month=d("2021-01-01"))
    assert rows["period"].to_list() == [d("2021-01-10"), d("2021-01-20")]


# --- what same-day posting saved ----------------------------------------------------------------

def saving_extract(root: Path):
    customers = [customer("R1"), customer("S1", category="small_power")]
    bills = [
        bill("B1", "R1", "1000.00", due_on="2021-03-19"),   # due Friday
        bill("B2", "R1", "1000.00", due_on="2021-03-16"),   # due Tuesday
        bill("B3", "R1", "1000.00", due_on="2021-03-19"),
        bill("B4", "R1", "1000.00", due_on="2021-03-20"),   # due Saturday
        bill("B5", "S1", "1000.00", due_on="2021-03-19"),
        bill("B6", "S1", "1000.00", due_on="2021-03-10"),
        bill("B7", "R1", "1000.00", due_on="2021-03-19"),
        bill("B8", "R1", "1000.00", due_on="2021-03-19"),
    ]
    payments = [
        payment("P1", "R1", "B1", "1000.00", "2021-03-19 10:00:00", channel="bank"),    # Friday, on the due date
        payment("P2", "R1", "B2", "1000.00", "2021-03-16 10:00:00", channel="wechat"),  # Tuesday, on the due date
        payment("P3", "R1", "B3", "1000.00", "2021-03-18 10:00:00", channel="wechat"),  # Thursday, a day early
        payment("P4", "R1", "B4", "1000.00", "2021-03-19 10:00:00", channel="counter"),  # Friday, a day early
        payment("P5", "S1", "B5", "1000.00", "2021-03-19 10:00:00", channel="bank"),    # Friday, small power
        payment("P6", "S1", "B6", "1000.00", "2021-03-16 10:00:00", channel="bank"),    # Tuesday, 6 days late
        payment("P7", "R1", "B7", "1000.00", "2021-03-19 10:00:00", "2021-03-22 09:00:00"),  # posted Monday
        payment("P8", "R1", "B8", "400.00", "2021-03-19 10:00:00", channel="wechat"),   # Friday, part of the bill
    ]
    return open_tiny(root, customers, bills, payments)


def test_the_penalty_days_a_friday_and_a_tuesday_payment_avoided(tmp_path):
    ex = saving_extract(tmp_path)
    # Each payment posted the day paid, against posting on the next working day:
    # P1 Friday on the due date → Monday: 03-20, 03-21, 03-22 = 3 days × 0.001 × 1000 = 3.00
    # P2 Tuesday on the due date → Wednesday: 1 day × 0.001 × 1000 = 1.00
    # P3 Thursday, due Friday → Friday: the bill is not yet overdue on the next working day: nothing
    # P4 Friday, due Saturday → Monday: 03-21, 03-22 = 2 days × 0.001 × 1000 = 2.00
    # P5 Friday on the due date, small power → Monday: 3 days × 0.002 × 1000 = 6.00
    # P6 Tuesday, 6 days late → Wednesday: 1 more day × 0.002 × 1000 = 2.00
    # P7 was not posted the day paid: not a same-day posting
    # P8 Friday on the due date, 400 of the 1000: 3 days × 0.001 × 400 = 1.20
    [total] = avoided(ex, "2021-03-31")
    assert figures(total) == (6, 6, Decimal("5400.00"), 3 + 1 + 2 + 3 + 1 + 3, Decimal("15.20"))
    by_timing = {r["member"]: figures(r) for r in avoided(ex, "2021-03-31", "timing")}
    assert by_timing == {"by_due_date": (5, 5, Decimal("4400.00"), 12, Decimal("13.20")),
                         "overdue": (1, 1, Decimal("1000.00"), 1, Decimal("2.00"))}
    by_channel = {r["member"]: r["penalty_avoided"] for r in avoided(ex, "2021-03-31", "channel")}
    assert by_channel == {"bank": Decimal("11.00"), "wechat": Decimal("2.20"), "counter": Decimal("2.00")}
    # residential against other categories, through the scope
    [small_power] = avoided(ex, "2021-03-31", scope=Scope(categories=("small_power",)))
    assert small_power["penalty_avoided"] == Decimal("8.00")


def test_only_payments_of_the_year_up_to_the_as_of_date_count(tmp_path):
    ex = saving_extract(tmp_path)
    # as of Thursday 03-18: P2 and P6 (Tuesday) alone; P3 (Thursday) avoided nothing
    [total] = avoided(ex, "2021-03-18")
    assert (total["payments"], total["penalty_avoided"]) == (2, Decimal("3.00"))
    [total] = avoided(ex, "2022-03-31")  # another year: nothing, and still one row
    assert figures(total) == (0, 0, Decimal("0.00"), 0, Decimal("0.00"))
    assert avoided(ex, "2022-03-31", "channel") == []


def test_across_a_year_end_and_without_the_minimum(tmp_path):
    december = dict(period="2021-12-01", issued_on="2021-12-05", due_on="2021-12-31")  # due Friday
    ex = open_tiny(tmp_path, [customer("R1"), customer("S1", category="small_power"), customer("R2", station=CHENGJIAO)],
                   [bill("B1", "R1", "1000.00", **december), bill("B2", "S1", "1000.00", **december),
                    bill("B3", "R2", "40.00", **december)],
                   [payment("P1", "R1", "B1", "1000.00", "2021-12-31 10:00:00"),
                    payment("P2", "S1", "B2", "1000.00", "2021-12-31 10:00:00"),
                    payment("P3", "R2", "B3", "40.00", "2021-12-31 10:00:00")])
    # Friday 2021-12-31 → Monday 2022-01-03: the three avoided days lie in the year after the
    # bill's. Residential 1000 × 3 × 0.001 = 3.00; small power 1000 × 3 × 0.003 (cross-year) =
    # 9.00; residential 40 × 0.003 = 0.12, not raised to the 1-元 minimum.
    [small_power] = avoided(ex, "2021-12-31", scope=Scope(categories=("small_power",)))
    [residential] = avoided(ex, "2021-12-31", scope=Scope(stations=(QIANGANG,), categories=("residential",)))
    [small_bill] = avoided(ex, "2021-12-31", scope=Scope(stations=(CHENGJIAO,)))
    assert (small_power["penalty_avoided"], residential["penalty_avoided"], small_bill["penalty_avoided"]) == (
        Decimal("9.00"), Decimal("3.00"), Decimal("0.12"))
    assert avoided(ex, "2021-12-31")[0]["penalty_avoided"] == Decimal("12.12")


def test_the_part_settled_is_at_most_the_same_day_payments_and_the_day_s_drop(tmp_path):
    ex = open_tiny(tmp_path, [customer("R1")],
                   [bill("B1", "R1", "1000.00", due_on="2021-03-19"), bill("B2", "R1", "100.00", due_on="2021-03-19")],
                   [payment("P1", "R1", "B1", "300.00", "2021-03-18 10:00:00", "2021-03-19 09:00:00"),  # posted late
                    payment("P2", "R1", "B1", "800.00", "2021-03-19 10:00:00", channel="bank"),
                    payment("P3", "R1", "B2", "150.00", "2021-03-19 10:00:00", channel="counter"),  # overpaid
                    payment("P4", "R1", "B2", "20.00", "2021-03-19 11:00:00", channel="wechat")])
    # B1 drops 1000 on Friday, 800 of it by the same-day payment: 800 × 3 × 0.001 = 2.40.
    # B2 drops 100 (an overpayment counts up to the bill) under P3's channel, the larger
    # payment: 100 × 0.003 = 0.30.
    [total] = avoided(ex, "2021-03-31")
    assert figures(total) == (3, 2, Decimal("900.00"), 6, Decimal("2.70"))
    assert {r["member"]: r["bills"] for r in avoided(ex, "2021-03-31", "channel")} == {"bank": 1, "counter": 1}


def test_equal_same_day_payments_through_two_channels_count_under_the_later_payment_id(tmp_path):
    ex = open_tiny(tmp_path, [customer("R1")],
                   [bill("B1", "R1", "100.00", due_on="2021-03-19"), bill("B2", "R1", "100.00", due_on="2021-03-19")],
                   [payment("P1", "R1", "B1", "50.00", "2021-03-19 10:00:00", channel="wechat"),
                    payment("P2", "R1", "B1", "50.00", "2021-03-19 09:00:00", channel="counter"),
                    # B2 is posted on two days; its Friday has the same tie, P4 the later id
                    payment("P3", "R1", "B2", "30.00", "2021-03-18 10:00:00", channel="bank"),
                    payment("P4", "R1", "B2", "35.00", "2021-03-19 10:00:00", channel="alipay"),
                    payment("P5", "R1", "B2", "35.00", "2021-03-19 10:00:00", channel="app")])
    # Both bills settle on Friday 2021-03-19 under the channel of P2 and of P5 (equal amounts:
    # the later payment_id): B1 100 and B2 70 (30 came on Thursday) × 3 days × 0.001.
    assert {r["member"]: r["bills"] for r in avoided(ex, "2021-03-31", "channel")} == {"counter": 1, "app": 1}
    [total] = avoided(ex, "2021-03-31")
    assert total["penalty_avoided"] == Decimal("0.51")


def test_rounded_once_per_figure_half_away_from_zero(tmp_path):
    ex = open_tiny(tmp_path, [customer("R1"), customer("R2", station=CHENGJIAO)],
                   [bill("B1", "R1", "125.00", due_on="2021-03-16"), bill("B2", "R2", "125.00", due_on="2021-03-16")],
                   [payment("P1", "R1", "B1", "125.00", "2021-03-16 10:00:00"),
                    payment("P2", "R2", "B2", "125.00", "2021-03-16 10:00:00")])
    # each 125 × 0.001 = 0.125 → 0.13 per station; together 0.25 exactly
    assert {r["station"]: r["penalty_avoided"] for r in avoided(ex, "2021-03-31", "station")} == {
        QIANGANG: Decimal("0.13"), CHENGJIAO: Decimal("0.13")}
    assert avoided(ex, "2021-03-31")[0]["penalty_avoided"] == Decimal("0.25")


# --- the 2024 rules entered as the settings file says ---------------------------------------------

def settings_with_2024_row(tmp_path: Path, residential: str, current_year: str, cross_year: str, minimum: str) -> Path:
    """The shipped collections.toml with its commented 2024 example row switched on and given
    these values: exactly the edit the file asks a branch to make."""
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    example = re.search(r"^# \[\[penalty\.rates\]\]\n(# .*\n)+", text, re.MULTILINE).group(0)
    row = re.sub(r"^# ", "", example, flags=re.MULTILINE)
    for key, value in (("residential", residential), ("current_year", current_year),
                       ("cross_year", cross_year), ("minimum", minimum)):
        row = re.sub(rf"^{key} = .*$", f"{key} = {value}", row, flags=re.MULTILINE)
    path = tmp_path / "collections.toml"
    path.write_text(text.replace(example, row), encoding="utf-8")
    return path


def test_a_2024_row_changes_the_exposure_of_days_after_its_effective_date(tmp_path, monkeypatch):
    monkeypatch.setenv("FEE_SETTINGS", str(settings_with_2024_row(tmp_path, "0.0005", "0.001", "0.0015", "2.00")))
    settings = load_settings()
    assert [r.effective_from for r in settings.penalty_rates] == [dt.date(1996, 1, 1), dt.date(2024, 6, 1)]
    ex = open_tiny(tmp_path / "x", [customer("R1"), customer("S1", category="small_power"), customer("R2")],
                   [bill("B1", "R1", "1000.00", period="2024-05-01", due_on="2024-05-20"),
                    bill("B2", "S1", "1000.00", period="2024-05-01", due_on="2024-05-20"),
                    bill("B3", "R2", "100.00", period="2024-05-01", due_on="2024-05-20")], [])

    def exposure(as_of: str, rates) -> dict:
        rows = ex.query("penalty_exposure", Scope(), as_of=d(as_of), group_by="bill", **rates.params())
        return {r["bill_id"]: r["penalty_exposure"] for r in rows.to_dicts()}

    shipped = load_settings(SETTINGS_FILE)  # the shipped file alone: the 1996 row
    # 2024-05-31: every day (05-21 … 05-31, 11 days) lies before the new row: the same either way
    assert exposure("2024-05-31", settings) == exposure("2024-05-31", shipped) == {
        "B1": Decimal("11.00"), "B2": Decimal("22.00"), "B3": Decimal("1.10")}
    # 2024-06-10: 11 days at the 1996 rates, 06-01 … 06-10 (10 days) at the new ones
    # B1 1000 × (11 × 0.001 + 10 × 0.0005) = 16.00 (1996 alone: 21.00)
    # B2 1000 × (11 × 0.002 + 10 × 0.001) = 32.00 (1996 alone: 42.00)
    # B3 100 × 0.016 = 1.60, under the new minimum in force on D: 2.00 (1996 alone: 2.10)
    assert exposure("2024-06-10", shipped) == {"B1": Decimal("21.00"), "B2": Decimal("42.00"), "B3": Decimal("2.10")}
    assert exposure("2024-06-10", settings) == {"B1": Decimal("16.00"), "B2": Decimal("32.00"), "B3": Decimal("2.00")}


def test_a_2024_row_changes_what_same_day_posting_saved(tmp_path):
    settings = load_settings(settings_with_2024_row(tmp_path, "0.0005", "0.001", "0.0015", "2.00"))
    ex = open_tiny(tmp_path / "x", [customer("R1")],
                   [bill("B1", "R1", "1000.00", period="2024-05-01", due_on="2024-05-31")],
                   [payment("P1", "R1", "B1", "1000.00", "2024-05-31 10:00:00")])  # a Friday
    # Friday 05-31 → Monday 06-03: 06-01 … 06-03 at the new residential rate: 1000 × 3 × 0.0005
    assert avoided(ex, "2024-06-30", settings=settings)[0]["penalty_avoided"] == Decimal("1.50")
    assert avoided(ex, "2024-06-30")[0]["penalty_avoided"] == Decimal("3.00")  # the shipped 1996 rates


# --- the penalty lists with names -------------------------------------------------------------------

def test_penalty_lists_give_penalty_exposure_s_figures_with_names_masked(tmp_path):
    december = dict(period="2021-12-01", issued_on="2021-12-05", due_on="2021-12-20")
    ex = open_tiny(tmp_path, [customer("C1", category="small_power", customer_name="王小明", phone="13912345678"),
                              customer("C2", customer_name="李四")],
                   [bill("B1", "C1", "1000.00", **december), bill("B2", "C1", "100.00", **december),
                    bill("B3", "C2", "1000.00", **december)], [])
    params = dict(as_of=d("2022-01-10"), **load_settings().params())
    # as of 2022-01-10 (test_collections: 11 days in 2021, 10 in 2022): small power 0.052,
    # residential 0.021: B1 52.00, B2 5.20, B3 21.00
    customers = ex.query("penalty_accounts", Scope(), group_by="customer", show_personal=False, limit=0,
                         **params).to_dicts()
    assert [(r["customer_id"], r["customer_name"], r["phone"], r["penalty_exposure"], r["penalty_bills"])
            for r in customers] == [("C1", "王*明", "139****5678", Decimal("57.20"), 2),
                                    ("C2", "李*", "188****8912", Decimal("21.00"), 1)]
    bills = ex.query("penalty_accounts", Scope(), group_by="bill", show_personal=True, limit=2, **params).to_dicts()
    assert [(r["bill_id"], r["customer_name"], r["rate_sum"], r["penalty_exposure"]) for r in bills] == [
        ("B1", "王小明", Decimal("0.052"), Decimal("52.00")), ("B3", "李四", Decimal("0.021"), Decimal("21.00"))]
    for group_by in ("customer", "bill"):
        listed = ex.query("penalty_accounts", Scope(), group_by=group_by, show_personal=False, limit=0, **params)
        grouped = ex.query("penalty_exposure", Scope(), group_by=group_by, **params)
        columns = ["customer_id", "bill_id", "days_overdue", "arrears", "penalty_exposure", "penalty_bills"]
        assert listed.select(columns).to_dicts() == grouped.select(columns).to_dicts()


# --- the second implementation, on the shipped sample ------------------------------------------------

@pytest.fixture(scope="module")
def tables():
    return load(SAMPLE)


@pytest.mark.parametrize("as_of, station", [
    (dt.date(2022, 6, 30), None), (dt.date(2021, 12, 31), None), (dt.date(2022, 3, 15), CHENGJIAO)])
def test_the_avoided_penalty_agrees_with_the_second_implementation(tables, sample, as_of, station):
    scope = Scope(stations=(station,) if station else ())
    [got] = sample.query("penalty_avoided_by_same_day_posting", scope, as_of=as_of, group_by="total",
                         **load_settings().params()).to_dicts()
    want = reference_penalty_avoided(*tables, as_of, station, PENALTY_1996)
    assert want["bills"] > 0
    assert {k: got[k] for k in want} == want
