"""docs/DATA.md §6, collection operations, one rule at a time on the smallest extract that shows
it: risk grades, penalty exposure, instalments, posting, collector targets, the settings file
and the `collections` JSON. Every expected number is worked out by hand in the test; at the
end the query layer meets the second implementation (tests/reference.py) on the shipped sample.

Unless a test says otherwise a bill of period 2021-03 is issued 2021-03-05 and due 2021-03-20
(tests/tiny.py defaults), customers are residential, in 千钢供电所, collected by 李催费.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import SAMPLE
from queries import Scope, open_extract
from queries.collections import SettingsError, collections, load_settings, with_risk_words
from reference import collections_mismatches, load, load_plans, reference_collections
from tiny import bill, customer, d, part, payment, write_extract

QIANGANG, CHENGJIAO = "千钢供电所", "城郊供电所"


def open_tiny(root: Path, customers, bills, payments, **kwargs):
    return open_extract(write_extract(root, customers, bills, payments, **kwargs))


def grades(ex, as_of: str, settings=None, scope: Scope = Scope()) -> dict[str, tuple[str, str]]:
    """{customer_id: (risk_grade, risk_reason)} of the chase list at as_of."""
    settings = settings or load_settings()
    rows = ex.query("risk_customers", scope, as_of=d(as_of), show_personal=True, limit=0, **settings.params())
    return {r["customer_id"]: (r["risk_grade"], r["risk_reason"]) for r in rows.to_dicts()}


def chase_row(ex, as_of: str, customer_id: str) -> dict:
    rows = ex.query("risk_customers", Scope(), as_of=d(as_of), show_personal=True, limit=0,
                    **load_settings().params())
    return next(r for r in rows.to_dicts() if r["customer_id"] == customer_id)


def penalties(ex, as_of: str, group_by: str = "bill", settings=None, scope: Scope = Scope()) -> list[dict]:
    settings = settings or load_settings()
    return ex.query("penalty_exposure", scope, as_of=d(as_of), group_by=group_by, **settings.params()).to_dicts()


def penalty_of(ex, as_of: str, settings=None) -> dict[str, Decimal]:
    return {r["bill_id"]: r["penalty_exposure"] for r in penalties(ex, as_of, settings=settings)}


# --- risk grades ------------------------------------------------------------------------

def test_grade_boundaries_at_30_31_and_90_91_days_overdue(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")], [])  # due 03-20, never paid
    # 03-20 → 04-19 is 11 + 19 = 30 days: not more than 30. The history (bill months 2020-04 …
    # 2021-03) holds B1 alone: average 100, and 100 < 2 × 100; one bill owed on its due date < 3.
    assert grades(ex, "2021-04-19") == {"C1": ("low", "low")}
    assert grades(ex, "2021-04-20") == {"C1": ("medium", "medium_overdue")}   # 31 days
    # 11 (March) + 30 (April) + 31 (May) + 18 = 90 days: more than 30, not more than 90
    assert grades(ex, "2021-06-18") == {"C1": ("medium", "medium_overdue")}
    assert grades(ex, "2021-06-19") == {"C1": ("high", "high_overdue")}      # 91 days
    assert chase_row(ex, "2021-06-19", "C1")["days_overdue"] == 91


def test_arrears_on_a_bill_of_an_earlier_year_is_high(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2")],
                   [bill("B1", "C1", "100.00", period="2020-12-01", issued_on="2020-12-28", due_on="2021-01-10"),
                    bill("B2", "C2", "100.00", period="2021-01-01", issued_on="2021-01-05", due_on="2021-01-10")], [])
    # 10 days overdue each; B1's bill month lies in 2020, before D's year; C2 has no bill in
    # the 12 months before January 2021, so only its own, current bill: low.
    assert grades(ex, "2021-01-20") == {"C1": ("high", "high_prior_years"), "C2": ("low", "low")}


def test_arrears_of_100000_yuan_is_high(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1", category="small_power"), customer("C2", category="small_power")],
                   [bill("B1", "C1", "100000.00"), bill("B2", "C2", "99999.99")], [])
    assert grades(ex, "2021-03-25") == {"C1": ("high", "high_amount"), "C2": ("low", "low")}


def test_arrears_of_twice_the_average_monthly_bill_is_medium(tmp_path):
    paid_on_time = [payment("P1", "C1", "B1", "100.00", "2021-01-10 09:00:00"),
                    payment("P2", "C1", "B2", "100.00", "2021-02-10 09:00:00"),
                    payment("P3", "C2", "B4", "100.00", "2021-01-10 09:00:00"),
                    payment("P4", "C2", "B5", "100.00", "2021-02-10 09:00:00")]
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2")],
                   [bill("B1", "C1", "100.00", period="2021-01-01"), bill("B2", "C1", "100.00", period="2021-02-01"),
                    bill("B3", "C1", "400.00"),
                    bill("B4", "C2", "100.00", period="2021-01-01"), bill("B5", "C2", "100.00", period="2021-02-01"),
                    bill("B6", "C2", "399.99")], paid_on_time)
    # As of 2021-04-01 (12 days overdue) the history is January … March 2021. C1: 600 over
    # 3 months = 200 a month, arrears 400 ≥ 2 × 200. C2: 599.99 / 3 = 199.996…, and
    # 399.99 < 399.993…; one bill owed on its due date (< 3): low.
    assert grades(ex, "2021-04-01") == {"C1": ("medium", "medium_average_bill"), "C2": ("low", "low")}
    row = chase_row(ex, "2021-04-01", "C1")
    assert (row["average_monthly_bill"], row["months_12m"], row["late_bills_12m"]) == (Decimal("200.00"), 3, 1)


def test_the_average_leaves_out_the_as_of_month_and_bills_not_yet_issued(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1"), customer("C3")],
                   [bill("B1", "C1", "400.00"),
                    bill("B7", "C3", "100.00", period="2021-01-01"),
                    bill("B8", "C3", "10.00", period="2021-02-01", issued_on="2021-04-05", due_on="2021-04-20"),
                    bill("B9", "C3", "250.00")],
                   [payment("P1", "C3", "B7", "100.00", "2021-01-10 09:00:00")])
    # C1 as of 2021-03-31: its only bill is of March, D's own month, so it has no bill in the
    # 12 months before: the average clause does not apply (and nothing is divided by zero).
    # C3 owes B9 (250, March); its history is January alone (B8 is not issued): 250 ≥ 2 × 100.
    assert grades(ex, "2021-03-31") == {"C1": ("low", "low"), "C3": ("medium", "medium_average_bill")}
    assert chase_row(ex, "2021-03-31", "C1")["average_monthly_bill"] is None
    # On 2021-04-01 B8 is still not issued: January and March, 350 / 2 = 175, and 250 < 350.
    # From B8's issue on 04-05: 360 / 3 = 120, and 250 ≥ 240.
    assert grades(ex, "2021-04-01")["C3"] == ("low", "low")
    assert grades(ex, "2021-04-06")["C3"] == ("medium", "medium_average_bill")


def test_three_bills_still_owed_on_their_due_date_is_medium(tmp_path):
    bills = [bill(f"{c}{m}", c, "100.00", period=f"2021-0{m}-01") for c in ("C1", "C2") for m in (1, 2, 3, 4)]
    payments = [
        payment("P1", "C1", "C11", "100.00", "2021-01-21 09:00:00"),  # the day after its due date: owed on it
        payment("P2", "C1", "C12", "100.00", "2021-02-20 09:00:00"),  # on its due date: not owed on it
        payment("P3", "C1", "C13", "100.00", "2021-03-25 09:00:00"),  # late
        payment("P4", "C2", "C21", "100.00", "2021-01-21 09:00:00"),
        payment("P5", "C2", "C22", "100.00", "2021-02-20 09:00:00"),
        payment("P6", "C2", "C23", "100.00", "2021-03-20 09:00:00"),  # on its due date
    ]
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2")], bills, payments)
    # As of 2021-05-01 each owes April's bill (due 04-20, 11 days). History January … April:
    # 400 / 4 = 100 a month (100 < 200). Owed on the due date: C1 January, March, April = 3;
    # C2 January, April = 2.
    assert grades(ex, "2021-05-01") == {"C1": ("medium", "medium_late_bills"), "C2": ("low", "low")}
    assert chase_row(ex, "2021-05-01", "C1")["late_bills_12m"] == 3


def test_the_reason_reads_in_chinese_with_the_figures_and_thresholds(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")], [])
    settings = load_settings()
    rows = with_risk_words(ex.query("risk_customers", Scope(), as_of=d("2021-06-19"), show_personal=False,
                                    limit=0, **settings.params()), settings)
    assert rows["risk_grade_label"].to_list() == ["高"]
    assert rows["risk_reason_text"].to_list() == ["有欠费逾期超过 90 天（最长 91 天）"]


def test_chase_list_masks_personal_data_and_shows_the_last_payment(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1", phone="18812348912")],
                   [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "30.00", "2021-03-25 09:00:00", channel="bank"),
                    payment("P2", "C1", "B1", "20.00", "2021-03-28 10:00:00", channel="counter"),
                    payment("P3", "C1", "B1", "-20.00", "2021-03-29 10:00:00", channel="counter"),  # a reversal
                    payment("P4", "C1", "B1", "50.00", "2021-04-02 10:00:00", channel="wechat")])
    rows = ex.query("risk_customers", Scope(), as_of=d("2021-03-31"), show_personal=False, limit=0,
                    **load_settings().params()).to_dicts()
    # as of 03-31 the last payment is P2 (a reversal is not a payment; P4 comes later)
    assert [(r["customer_name"], r["phone"]) for r in rows] == [("张*明", "188****8912")]
    assert (rows[0]["last_paid_at"], rows[0]["last_payment_amount"], rows[0]["last_payment_channel"]) == (
        dt.datetime(2021, 3, 28, 10), Decimal("20.00"), "counter")
    assert rows[0]["arrears"] == Decimal("70.00")  # 100 − (30 + 20 − 20)


def test_grades_moved_since_the_end_of_last_month(tmp_path):
    customers = [customer(c) for c in ("C1", "C2", "C3", "C4", "C5")]
    bills = [bill("B1", "C1", "100.00"),
             bill("B2", "C2", "100.00"),
             bill("B3", "C3", "100.00", period="2021-04-01"),                      # due 04-20
             bill("B4", "C4", "100.00", period="2020-12-01", issued_on="2020-12-28", due_on="2021-01-10"),
             bill("B5", "C5", "100.00", period="2021-02-01"),                      # due 02-20
             bill("B6", "C5", "100.00", period="2021-04-01")]
    payments = [payment("P1", "C2", "B2", "100.00", "2021-04-10 09:00:00"),
                payment("P2", "C5", "B5", "100.00", "2021-04-10 09:00:00")]
    ex = open_tiny(tmp_path, customers, bills, payments)
    # End of March → 2021-04-25:
    # C1 low (11 days) → medium (36 days): up.     C2 low → paid in April: cleared.
    # C3 none (B3 not yet issued) → low (5 days): new.
    # C4 high (2020 bill) → high (105 days): same.
    # C5 medium (39 days) → low: B5 paid, B6 5 days overdue; its history, February alone,
    #    averages 100 and one bill owed on its due date.
    assert grades(ex, "2021-03-31") == {"C1": ("low", "low"), "C2": ("low", "low"),
                                         "C4": ("high", "high_prior_years"), "C5": ("medium", "medium_overdue")}
    moves = ex.query("risk_grade_moves", Scope(), as_of=d("2021-04-25"), **load_settings().params())
    got = {(r["grade_then"], r["grade_now"], r["move"]): r["customers"] for r in moves.to_dicts()}
    assert got == {("low", "medium", "up"): 1, ("low", "none", "cleared"): 1, ("none", "low", "new"): 1,
                   ("high", "high", "same"): 1, ("medium", "low", "down"): 1}


def test_grade_counts_and_amounts_by_station_village_and_collector(tmp_path):
    customers = [customer("C1", village="一村", meter_reader="甲"),
                 customer("C2", village="二村", meter_reader="甲"),
                 customer("C3", station=CHENGJIAO, village=None, meter_reader=None, category="small_power")]
    bills = [bill("B1", "C1", "100.00"), bill("B2", "C2", "50.00", period="2021-01-01"),
             bill("B3", "C3", "100000.00")]
    ex = open_tiny(tmp_path, customers, bills, [])
    params = dict(as_of=d("2021-04-01"), **load_settings().params())
    # 2021-04-01: C1 low (12 days), C2 medium (B2 due 01-20: 71 days), C3 high (100,000 元).
    total = ex.query("risk_grade_summary", Scope(), group_by="total", **params)
    assert [(r["risk_grade"], r["customers"], r["arrears"]) for r in total.to_dicts()] == [
        ("high", 1, Decimal("100000.00")), ("medium", 1, Decimal("50.00")), ("low", 1, Decimal("100.00"))]
    by_village = ex.query("risk_grade_summary", Scope(), group_by="village", **params)
    got = {(r["station"], r["member"], r["risk_grade"]): r["customers"] for r in by_village.to_dicts()}
    assert got == {(QIANGANG, "一村", "high"): 0, (QIANGANG, "一村", "medium"): 0, (QIANGANG, "一村", "low"): 1,
                   (QIANGANG, "二村", "high"): 0, (QIANGANG, "二村", "medium"): 1, (QIANGANG, "二村", "low"): 0,
                   (CHENGJIAO, None, "high"): 1, (CHENGJIAO, None, "medium"): 0, (CHENGJIAO, None, "low"): 0}
    by_collector = ex.query("risk_grade_summary", Scope(), group_by="collector", **params)
    got = {(r["member"], r["risk_grade"]): r["customers"] for r in by_collector.to_dicts() if r["customers"]}
    assert got == {("甲", "medium"): 1, ("甲", "low"): 1, (None, "high"): 1}



def test_moves_by_kind_and_grades_then_and_now(tmp_path):
    """The tiles of the arrears page and the report: the rows of risk_grade_moves summed."""
    from queries.collections import grades_then_and_now, moves_by_kind

    ex = open_tiny(tmp_path, [customer("C1"), customer("C2"), customer("C3")],
                   [bill("B1", "C1", "100.00"), bill("B2", "C2", "100.00"),
                    bill("B3", "C3", "100.00", period="2021-04-01")],
                   [payment("P1", "C2", "B2", "100.00", "2021-04-10 09:00:00")])
    # End of March: C1 low (11 days), C2 low (11 days), C3 none (B3 not issued).
    # 2021-04-25: C1 medium (36 days): up; C2 paid: cleared; C3 low (5 days): new.
    moves = ex.query("risk_grade_moves", Scope(), as_of=d("2021-04-25"), **load_settings().params())
    assert moves_by_kind(moves) == {"up": 1, "down": 0, "new": 1, "cleared": 1, "same": 0}
    assert grades_then_and_now(moves) == {"high": (0, 0), "medium": (0, 1), "low": (2, 1)}
    nothing = ex.query("risk_grade_moves", Scope(stations=("无",)), as_of=d("2021-04-25"), **load_settings().params())
    assert moves_by_kind(nothing) == dict.fromkeys(("up", "down", "new", "cleared", "same"), 0)


# --- the grade in the arrears list (arrears_accounts.sql) --------------------------------------

@pytest.fixture(scope="module")
def four_grades(tmp_path_factory):
    """As of 2021-05-01 (history: bill months 2020-05 … 2021-04), largest arrears first:
    M owes April's 400 (11 days); its January and February bills of 100 were paid on time:
      600 / 3 months = 200 a month, and 400 ≥ 2 × 200: 中 by the average.
    H owes January's 100 (due 01-20: 11 + 28 + 31 + 30 + 1 = 101 days > 90): 高.
    L owes April's 100 (11 days); January and February paid on time: 300 / 3 = 100 a month,
      100 < 200, and one bill owed on its due date (< 3): 低.
    O owes March's 50 (due 03-20: 11 + 30 + 1 = 42 days > 30): 中 by days overdue."""
    on_time = [payment(f"P{c}{m}", c, f"{c}{m}", "100.00", f"2021-0{m}-10 09:00:00") for c in ("M", "L") for m in (1, 2)]
    bills = [bill(f"{c}{m}", c, "100.00", period=f"2021-0{m}-01") for c in ("M", "L") for m in (1, 2)]
    bills += [bill("M4", "M", "400.00", period="2021-04-01"), bill("L4", "L", "100.00", period="2021-04-01"),
              bill("H1", "H", "100.00", period="2021-01-01"), bill("O3", "O", "50.00")]
    customers = [customer(c, customer_name=f"{c}张三明") for c in ("H", "M", "L", "O")]
    return open_tiny(tmp_path_factory.mktemp("four"), customers, bills, on_time)


def accounts(ex, limit: int = 0, grades: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    settings = load_settings()
    rows = with_risk_words(ex.query("arrears_accounts", Scope(), as_of=d("2021-05-01"), show_personal=False,
                                    limit=limit, grades=list(grades), **settings.params()), settings)
    return [(r["customer_id"], r["risk_grade"], r["risk_reason_text"]) for r in rows.to_dicts()]


def test_the_arrears_list_carries_each_customers_grade_and_reason(four_grades):
    assert accounts(four_grades) == [
        ("M", "medium", "欠费 400.00 元，达到月均电费 200.00 元的 2 倍"),
        ("H", "high", "有欠费逾期超过 90 天（最长 101 天）"),
        ("L", "low", "欠费逾期 11 天，未达到中、高风险条件"),
        ("O", "medium", "有欠费逾期超过 30 天（最长 42 天）"),
    ]


def test_the_arrears_list_grades_as_the_chase_list_does(four_grades):
    listed = four_grades.query("arrears_accounts", Scope(), as_of=d("2021-05-01"), show_personal=False, limit=0,
                               **load_settings().params())
    chase = four_grades.query("risk_customers", Scope(), as_of=d("2021-05-01"), show_personal=False, limit=0,
                              **load_settings().params())
    columns = ["risk_grade", "risk_reason", "average_monthly_bill", "months_12m", "late_bills_12m", "days_overdue"]
    assert listed.sort("customer_id").select(columns).equals(chase.sort("customer_id").select(columns))


def test_a_short_list_grades_the_rows_it_shows(four_grades):
    # the largest, M, is graded by its history even when it is the only row asked for
    assert [r[:2] for r in accounts(four_grades, limit=1)] == [("M", "medium")]
    assert [r[:2] for r in accounts(four_grades, limit=2)] == [("M", "medium"), ("H", "high")]


def test_the_grade_filter_applies_before_the_limit(four_grades):
    assert [r[0] for r in accounts(four_grades, grades=("low",))] == ["L"]
    assert [r[0] for r in accounts(four_grades, limit=1, grades=("low",))] == ["L"]  # not the largest
    assert [r[0] for r in accounts(four_grades, grades=("medium",))] == ["M", "O"]
    assert [r[0] for r in accounts(four_grades, limit=1, grades=("high", "low"))] == ["H"]
    assert [r[0] for r in accounts(four_grades, grades=("high", "medium", "low"))] == ["M", "H", "L", "O"]


def test_the_arrears_list_can_be_asked_without_a_grade_filter_or_the_settings(four_grades):
    """A caller that knows nothing of grades (the home page's ten largest) still gets them,
    graded with the settings in force."""
    rows = four_grades.query("arrears_accounts", Scope(), as_of=d("2021-05-01"), show_personal=False, limit=2)
    assert rows.select("customer_id", "risk_grade").rows() == [("M", "medium"), ("H", "high")]


# --- penalty exposure -----------------------------------------------------------------------

def test_penalty_across_a_year_end_residential_and_the_minimum(tmp_path):
    december = dict(period="2021-12-01", issued_on="2021-12-05", due_on="2021-12-20")
    customers = [customer("C1", category="small_power", village="一村"), customer("C2", village="二村"),
                 customer("C3", village="二村"), customer("C5", category="small_power", village="一村")]
    bills = [bill("B1", "C1", "1000.00", **december), bill("B2", "C2", "1000.00", **december),
             bill("B3", "C3", "40.00", **december), bill("B5", "C5", "1000.00", **december)]
    payments = [payment("P1", "C5", "B5", "400.00", "2022-01-05 09:00:00")]
    ex = open_tiny(tmp_path, customers, bills, payments)
    # As of 2022-01-10, days 2021-12-21 … 2022-01-10: 11 in the bill's year, 10 after it.
    # B1 small power: 1000 × (11 × 0.002 + 10 × 0.003) = 1000 × 0.052 = 52.00
    # B2 residential: 1000 × 21 × 0.001 = 21.00;  B3 residential: 40 × 0.021 = 0.84 → 1.00 (minimum)
    # B5 small power, 600 still owed: 600 × 0.052 = 31.20
    assert penalty_of(ex, "2022-01-10") == {"B1": Decimal("52.00"), "B2": Decimal("21.00"),
                                            "B3": Decimal("1.00"), "B5": Decimal("31.20")}
    b1 = next(r for r in penalties(ex, "2022-01-10") if r["bill_id"] == "B1")
    assert (b1["rate_sum"], b1["days_overdue"], b1["arrears"]) == (Decimal("0.052"), 21, Decimal("1000.00"))
    villages = {r["village"]: (r["penalty_exposure"], r["penalty_bills"]) for r in penalties(ex, "2022-01-10", "village")}
    assert villages == {"一村": (Decimal("83.20"), 2), "二村": (Decimal("22.00"), 2)}
    [total] = penalties(ex, "2022-01-10", "total")
    assert (total["penalty_exposure"], total["penalty_bills"]) == (Decimal("105.20"), 4)
    customers_ = {r["customer_id"]: r["penalty_exposure"] for r in penalties(ex, "2022-01-10", "customer")}
    assert customers_ == {"C1": Decimal("52.00"), "C2": Decimal("21.00"), "C3": Decimal("1.00"), "C5": Decimal("31.20")}


def test_penalty_rounds_halves_away_from_zero(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "2469.00")], [])
    # 5 days (03-21 … 03-25): 2469 × 0.005 = 12.345 → 12.35 (a binary double would give 12.34)
    assert penalty_of(ex, "2021-03-25") == {"B1": Decimal("12.35")}


def test_no_penalty_before_the_bill_is_overdue_or_when_nothing_is_owed(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00"), bill("B2", "C1", "100.00")],
                   [payment("P1", "C1", "B2", "100.00", "2021-03-22 09:00:00")])
    assert penalties(ex, "2021-03-20", "total")[0]["penalty_bills"] == 0   # due today: not overdue
    assert penalty_of(ex, "2021-03-25") == {"B1": Decimal("1.00")}        # 100 × 0.005 = 0.50 → 1.00


def write_settings(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


RATES_FROM_APRIL = """
[[penalty.rates]]
effective_from = 1996-01-01
residential = 0.001
current_year = 0.002
cross_year = 0.003
minimum = 1.00

[[penalty.rates]]
effective_from = 2021-04-01
residential = 0.0005
current_year = 0.001
cross_year = 0.0015
minimum = 2.00
"""


def test_a_rate_change_inside_the_overdue_stretch(tmp_path, monkeypatch):
    settings_file = write_settings(tmp_path / "rates.toml", RATES_FROM_APRIL)
    monkeypatch.setenv("FEE_SETTINGS", str(settings_file))
    settings = load_settings()
    assert [r.effective_from for r in settings.penalty_rates] == [dt.date(1996, 1, 1), dt.date(2021, 4, 1)]
    assert settings.risk.high_days_overdue == 90  # keys the file leaves out keep the shipped values
    ex = open_tiny(tmp_path / "x", [customer("C1"), customer("C2"), customer("C3", category="small_power")],
                   [bill("B1", "C1", "1000.00"), bill("B2", "C2", "100.00"), bill("B3", "C3", "1000.00")], [])
    # As of 2021-04-10: 03-21 … 03-31 (11 days) at the 1996 rates, 04-01 … 04-10 (10) at the new.
    # B1: 1000 × (11 × 0.001 + 10 × 0.0005) = 16.00;  B3: 1000 × (11 × 0.002 + 10 × 0.001) = 32.00
    # B2: 100 × 0.016 = 1.60, under the minimum in force on D (2.00)
    assert penalty_of(ex, "2021-04-10", settings) == {"B1": Decimal("16.00"), "B2": Decimal("2.00"),
                                                      "B3": Decimal("32.00")}
    # before the change: 11 days at 0.001, minimum 1.00
    assert penalty_of(ex, "2021-03-31", settings) == {"B1": Decimal("11.00"), "B2": Decimal("1.10"),
                                                      "B3": Decimal("22.00")}


def test_days_before_the_first_rate_row_carry_no_penalty(tmp_path):
    settings_file = write_settings(tmp_path / "late.toml", RATES_FROM_APRIL.split("[[penalty.rates]]", 2)[0]
                                   + "[[penalty.rates]]" + RATES_FROM_APRIL.split("[[penalty.rates]]", 2)[2])
    settings = load_settings(settings_file)
    assert len(settings.penalty_rates) == 1
    ex = open_tiny(tmp_path / "x", [customer("C1")], [bill("B1", "C1", "10000.00")], [])
    # only 04-01 … 04-10 carry a rate: 10000 × 10 × 0.0005 = 50.00
    assert penalty_of(ex, "2021-04-10", settings) == {"B1": Decimal("50.00")}
    # before any rate row is in force: no rate and no minimum
    assert penalty_of(ex, "2021-03-31", settings) == {"B1": Decimal("0.00")}


# --- instalments ----------------------------------------------------------------------------

def instalment_extract(root: Path):
    bills = [bill("B1", "C1", "300.00", due_on="2021-03-31")]
    plans = [part("B1", "2021-03-10", "100.00"), part("B1", "2021-03-20", "100.00"),
             part("B1", "2021-03-31", "50.00"), part("B1", "2021-04-10", "50.00"),
             part("B-none", "2021-03-10", "10.00")]  # no such bill: a finding, counted nowhere
    payments = [payment("P1", "C1", "B1", "100.00", "2021-03-09 23:59:00", "2021-03-10 00:01:00"),
                payment("P2", "C1", "B1", "50.00", "2021-03-20 09:00:00"),
                payment("P3", "C1", "B1", "60.00", "2021-03-25 09:00:00")]
    return open_tiny(root, [customer("C1")], bills, payments, instalment_plans=plans)


def test_each_instalment_status(tmp_path):
    ex = instalment_extract(tmp_path)
    parts = ex.query("instalment_parts", Scope(), as_of=d("2021-04-05"), show_personal=False).to_dicts()
    # C_k = 100, 200, 250, 300. paid(B1, t): 100 from 03-10 (posted just after midnight), 150
    # from 03-20, 210 from 03-25.
    #   03-10: 100 ≥ 100 on the day                           → on_time
    #   03-20: 150 < 200 on the day, 210 ≥ 200 by 04-05        → late
    #   03-31: 210 < 250 on the day and by 04-05               → missed
    #   04-10: not yet due                                     → upcoming
    assert [(r["due_on"], r["due_by_then"], r["paid_by_due"], r["paid_now"], r["status"]) for r in parts] == [
        (d("2021-03-10"), Decimal("100.00"), Decimal("100.00"), Decimal("210.00"), "on_time"),
        (d("2021-03-20"), Decimal("200.00"), Decimal("150.00"), Decimal("210.00"), "late"),
        (d("2021-03-31"), Decimal("250.00"), Decimal("210.00"), Decimal("210.00"), "missed"),
        (d("2021-04-10"), Decimal("300.00"), Decimal("210.00"), Decimal("210.00"), "upcoming")]
    status = ex.query("instalment_status", Scope(), as_of=d("2021-04-05"))
    assert [(r["status"], r["parts"], r["amount"]) for r in status.to_dicts()] == [
        ("upcoming", 1, Decimal("50.00")), ("on_time", 1, Decimal("100.00")),
        ("late", 1, Decimal("100.00")), ("missed", 1, Decimal("50.00"))]
    # the day before the first part is due, everything is upcoming
    before = ex.query("instalment_status", Scope(), as_of=d("2021-03-09"))
    assert [r["parts"] for r in before.to_dicts()] == [4, 0, 0, 0]


def test_a_plan_row_whose_bill_does_not_exist_is_a_finding(tmp_path):
    ex = instalment_extract(tmp_path)
    rows = ex.query_rows("select table_name, column_name, rule, rows, examples from findings "
                         "where table_name = 'instalment_plans'")
    assert rows == [("instalment_plans", "bill_id", "分次结算计划所指的电费单不存在（不计入任何统计）", 1,
                     ["B-none：2021-03-10"])]


def test_an_instalment_plan_with_an_unreadable_amount_is_refused(tmp_path):
    from queries import ExtractRefused

    root = write_extract(tmp_path, [customer("C1")], [bill("B1", "C1", "300.00")], [],
                         instalment_plans=[{**part("B1", "2021-03-10", "100.00"), "amount": "一百"}],
                         types={"instalment_plans": {"amount": pa.string()}})
    with pytest.raises(ExtractRefused) as refused:
        open_extract(root)
    assert "instalment_plans.parquet" in str(refused.value) and "amount" in str(refused.value)


# --- posting ----------------------------------------------------------------------------------

def posting_extract(root: Path):
    customers = [customer("C1"), customer("C2", station=CHENGJIAO)]
    payments = [
        payment("P1", "C1", "B1", "100.00", "2021-03-09 23:59:00", "2021-03-10 00:01:00", channel="bank"),
        payment("P2", "C1", "B1", "50.00", "2021-03-10 09:00:00", channel="wechat"),
        payment("P3", "C1", None, "30.00", "2021-03-15 10:00:00", channel="counter"),       # no bill: counts too
        payment("P4", "C2", None, "20.00", "2021-03-25 10:00:00", None, channel="door_to_door"),  # never posted
        payment("P5", "C2", None, "40.00", "2021-03-30 10:00:00", "2021-04-02 09:00:00", channel="bank"),
        payment("P6", "9999", None, "99.00", "2021-03-12 10:00:00"),                        # unknown customer
        payment("P7", "C1", None, "10.00", "2020-12-30 10:00:00", None, channel="counter"),  # last year, in transit
    ]
    return open_tiny(root, customers, [bill("B1", "C1", "150.00")], payments)


def test_same_day_posting_across_midnight(tmp_path):
    ex = posting_extract(tmp_path)
    [row] = ex.query("posting_summary", Scope(), as_of=d("2021-03-31")).to_dicts()
    # Paid in 2021 by 03-31: P1 … P5 (P6's customer is unknown, P7 paid in 2020). Posted the day
    # paid: P2 and P3; P1, paid 23:59 and posted 00:01 the next day, is not.
    assert (row["payments"], row["posted_same_day"], row["same_day_posting_rate"]) == (5, 2, 0.4)
    latency = ex.query("posting_latency", Scope(), as_of=d("2021-03-31")).to_dicts()
    # posted by 03-31: P2, P3 the same day, P1 a day later (P5, posted 04-02, not yet)
    assert [(r["latency_days"], r["payments"]) for r in latency] == [(0, 2), (1, 1)]


def test_same_day_posting_by_channel_station_and_month(tmp_path):
    ex = posting_extract(tmp_path)

    def by(group_by: str) -> dict:
        rows = ex.query("posting_same_day", Scope(), as_of=d("2021-03-31"), group_by=group_by).to_dicts()
        return {r["member"] or r["station"] or r["paid_month"]: (r["payments"], r["posted_same_day"]) for r in rows}

    assert by("channel") == {"bank": (2, 0), "counter": (1, 1), "door_to_door": (1, 0), "wechat": (1, 1)}
    assert by("station") == {QIANGANG: (3, 2), CHENGJIAO: (2, 0)}
    assert by("month") == {d("2021-03-01"): (5, 2)}
    [row] = ex.query("posting_summary", Scope(stations=(CHENGJIAO,)), as_of=d("2021-03-31")).to_dicts()
    assert (row["payments"], row["posted_same_day"], row["same_day_posting_rate"]) == (2, 0, 0.0)
    [row] = ex.query("posting_summary", Scope(), as_of=d("2020-06-30")).to_dicts()
    assert (row["payments"], row["same_day_posting_rate"]) == (0, None)


def test_in_transit_ageing(tmp_path):
    ex = posting_extract(tmp_path)

    def aging(as_of: str) -> dict:
        rows = ex.query("in_transit_aging", Scope(), as_of=d(as_of)).to_dicts()
        return {r["bucket"]: (r["payments"], r["amount"]) for r in rows if r["payments"]}

    # 03-31: P4 paid 6 days before, P5 1 day before (posted 04-02), P7 91 days before
    assert aging("2021-03-31") == {"1": (1, Decimal("40.00")), "4-7": (1, Decimal("20.00")),
                                   ">30": (1, Decimal("10.00"))}
    [row] = ex.query("posting_summary", Scope(), as_of=d("2021-03-31")).to_dicts()
    assert (row["in_transit"], row["in_transit_amount"], row["in_transit_oldest_days"]) == (3, Decimal("70.00"), 91)
    # 04-02: P5 is posted that day, so no longer in transit; P4 is 8 days old
    assert aging("2021-04-02") == {"8-30": (1, Decimal("20.00")), ">30": (1, Decimal("10.00"))}


# --- collectors and their targets -----------------------------------------------------------------

def target_extract(root: Path):
    customers = [customer("C1", meter_reader="甲"), customer("C2", meter_reader="乙"),
                 customer("C3", meter_reader=None), customer("C4", station=CHENGJIAO, meter_reader="甲")]
    bills = [bill(f"B{i}", f"C{i}", "100.00") for i in (1, 2, 3, 4)]
    targets = [{"station": QIANGANG, "year": 2021, "recovery_target": 0.99, "collector": None},
               {"station": QIANGANG, "year": 2021, "recovery_target": 0.95, "collector": "甲"},
               {"station": CHENGJIAO, "year": 2021, "recovery_target": 0.97, "collector": "甲"},
               {"station": CHENGJIAO, "year": 2021, "recovery_target": 0.90, "collector": "乙"}]  # 乙 is not at 城郊
    return open_tiny(root, customers, bills, [], targets=targets)


def test_a_collector_target_overrides_the_station_target(tmp_path):
    ex = target_extract(tmp_path)

    def targets(group_by: str, year: int = 2021) -> dict:
        rows = ex.query("recovery_summary", Scope(), as_of=d("2021-12-31"), year=year, group_by=group_by)
        return {(r["station"], r["member"]): r["target"] for r in rows.to_dicts()}

    # 甲 at 千钢 has a target of its own; 乙 and the unassigned have the station's; 甲 at 城郊
    # (a namesake: the row's station tells them apart) has its own, and 城郊 has no station row.
    assert targets("collector") == {(QIANGANG, "甲"): 0.95, (QIANGANG, "乙"): 0.99, (QIANGANG, None): 0.99,
                                    (CHENGJIAO, "甲"): 0.97}
    # a station's target is its collectors' mixed by billed: (0.95 + 0.99 + 0.99) × 100 / 300
    assert targets("station") == {(QIANGANG, None): 0.976667, (CHENGJIAO, None): 0.97}
    # one name across stations: (0.95 + 0.97) / 2
    assert targets("collector_name") == {(None, "甲"): 0.96, (None, "乙"): 0.99, (None, None): 0.99}
    # no target rows for 2022: everyone 1.0
    assert set(targets("collector", 2022).values()) == {1.0}


def test_a_target_for_a_collector_not_in_that_station_is_a_finding(tmp_path):
    ex = target_extract(tmp_path)
    rows = ex.query_rows("select rule, rows, examples from findings where column_name = 'collector'")
    assert rows == [("该供电所的用户档案中没有这个催费责任人（此目标不使用）", 1, ["城郊供电所 乙 2021"])]


def test_collector_is_a_scope_of_every_collections_question(tmp_path):
    ex = target_extract(tmp_path)
    params = dict(as_of=d("2021-04-01"), **load_settings().params())
    # everyone owes 100, 12 days overdue: 甲's customers are C1 (千钢) and C4 (城郊)
    [row] = ex.query("penalty_exposure", Scope(collectors=("甲",)), group_by="total", **params).to_dicts()
    assert row["penalty_bills"] == 2
    [row] = ex.query("penalty_exposure", Scope(collectors=("",)), group_by="total", **params).to_dicts()
    assert row["penalty_bills"] == 1  # the unassigned (未分配): C3


# --- the collections command's JSON -----------------------------------------------------------------

def test_collections_json(tmp_path):
    customers = [customer("C1", meter_reader="b"), customer("C2", meter_reader="a"),
                 customer("C3", meter_reader=None), customer("C4", meter_reader="张")]
    bills = [bill(f"B{i}", f"C{i}", "100.00") for i in (1, 2, 3, 4)]
    payments = [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
                payment("P2", "C2", "B2", "60.00", "2021-03-10 09:00:00", "2021-03-12 09:00:00")]
    ex = open_tiny(tmp_path, customers, bills, payments)
    got = collections(ex, as_of=d("2021-03-31"))
    assert list(got) == ["as_of", "station", "by_collector", "posting", "penalty_exposure", "penalty_bills",
                         "risk", "instalments"]
    assert (got["as_of"], got["station"]) == ("2021-03-31", None)
    # code-point order, the unassigned last
    assert [r["collector"] for r in got["by_collector"]] == ["a", "b", "张", None]
    assert got["by_collector"][0] == {
        "collector": "a", "billed": 100.0, "recovered": 60.0, "recovery_rate": 0.6, "prior_opening": 0.0,
        "prior_recovered": 0.0, "prior_recovery_rate": None, "cumulative_rate": 0.6, "arrears": 40.0,
        "arrears_current_year": 40.0, "arrears_prior_years": 0.0, "arrears_customers": 1}
    assert got["posting"] == {"payments": 2, "posted_same_day": 1, "same_day_posting_rate": 0.5,
                              "in_transit": 0, "in_transit_amount": 0.0}
    # 11 days overdue, residential: C2 40 × 0.011 = 0.44, C3 and C4 100 × 0.011 = 1.10 each
    assert (got["penalty_exposure"], got["penalty_bills"]) == (3.2, 3)
    assert got["risk"] == {"high": {"customers": 0, "arrears": 0.0}, "medium": {"customers": 0, "arrears": 0.0},
                           "low": {"customers": 3, "arrears": 240.0}}
    assert got["instalments"] == {"upcoming": 0, "on_time": 0, "late": 0, "missed": 0}


# --- the settings file ----------------------------------------------------------------------------

def test_the_shipped_settings_are_the_contract_defaults():
    settings = load_settings()
    [rate] = settings.penalty_rates
    assert (rate.effective_from, rate.residential, rate.current_year, rate.cross_year, rate.minimum) == (
        dt.date(1996, 1, 1), Decimal("0.001"), Decimal("0.002"), Decimal("0.003"), Decimal("1.00"))
    assert (settings.risk.high_days_overdue, settings.risk.high_arrears, settings.risk.medium_days_overdue,
            settings.risk.medium_average_bill_multiple, settings.risk.medium_late_bills) == (90, 100000, 30, 2, 3)


def test_a_branch_changes_a_threshold_without_code(tmp_path, monkeypatch):
    ex = open_tiny(tmp_path / "x", [customer("C1")], [bill("B1", "C1", "100.00")], [])
    assert grades(ex, "2021-05-20") == {"C1": ("medium", "medium_overdue")}  # 61 days
    monkeypatch.setenv("FEE_SETTINGS", str(write_settings(tmp_path / "risk.toml", "[risk]\nhigh_days_overdue = 60\n")))
    assert grades(ex, "2021-05-20") == {"C1": ("high", "high_overdue")}      # no rebuild


@pytest.mark.parametrize("text, key", [
    ("[risk]\nhigh_days_overdue = -1\n", "risk.high_days_overdue"),
    ("[risk]\nmedium_late_bills = 2.5\n", "risk.medium_late_bills"),
    ("[[penalty.rates]]\neffective_from = 2024-06-01\nresidential = 0.001\ncurrent_year = 0.002\n"
     "cross_year = 0.003\n", "penalty.rates[1].minimum"),
    ("[[penalty.rates]]\neffective_from = \"2024-06-01\"\n", "penalty.rates[1].effective_from"),
    ("[[penalty.rates]]\neffective_from = 2024-06-01\nresidential = 1.5\n", "penalty.rates[1].residential"),
    ("[risk]\nhigh_day_overdue = 60\n", "risk.high_day_overdue"),  # misspelt
    ("[penalty]\nrates = 1\n", "penalty.rates"),
    ("[risk]\nhigh_arrears = nan\n", "risk.high_arrears"),
])
def test_a_settings_value_that_cannot_be_used_is_named(tmp_path, text, key):
    with pytest.raises(SettingsError) as error:
        load_settings(write_settings(tmp_path / "bad.toml", text))
    assert key in str(error.value) and "bad.toml" in str(error.value)


def test_a_settings_file_that_is_not_toml(tmp_path):
    with pytest.raises(SettingsError, match="不是有效的 TOML"):
        load_settings(write_settings(tmp_path / "bad.toml", "[risk\n"))


# --- the second implementation, on the shipped sample ------------------------------------------------

@pytest.fixture(scope="module")
def tables():
    return (*load(SAMPLE), load_plans(SAMPLE))


@pytest.mark.parametrize("as_of, station", [
    (dt.date(2022, 6, 30), None), (dt.date(2021, 12, 31), None), (dt.date(2022, 1, 10), None),
    (dt.date(2022, 3, 15), CHENGJIAO), (dt.date(2022, 5, 20), QIANGANG)])
def test_collections_agree_with_the_second_implementation(tables, sample, as_of, station):
    got = collections(sample, as_of=as_of, scope=Scope(stations=(station,) if station else ()))
    assert collections_mismatches(got, reference_collections(*tables, as_of, station)) == []


def test_the_chase_list_of_a_presented_view_never_shows_personal_data(tmp_path):
    from queries import View
    from queries.collections import risk_customers

    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")], [])
    view = View(as_of=d("2021-04-01"), year=2021)
    assert risk_customers(ex, view)["customer_name"].to_list() == ["张*明"]
    assert risk_customers(ex, view, show_personal=True)["customer_name"].to_list() == ["张三明"]
    presented = View(as_of=d("2021-04-01"), year=2021, presentation=True)
    assert risk_customers(ex, presented, show_personal=True)["customer_name"].to_list() == ["张*明"]
    assert risk_customers(ex, view)["risk_reason_text"].to_list() == ["欠费逾期 12 天，未达到中、高风险条件"]


# --- python -m queries collections ----------------------------------------------------------------

def cli(capsys, *argv: str) -> tuple[int, str, str]:
    from queries.__main__ import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_collections_command_prints_the_json(tmp_path, capsys):
    import json

    root = write_extract(tmp_path / "x", [customer("C1", meter_reader="甲"), customer("C2", station=CHENGJIAO)],
                         [bill("B1", "C1", "100.00"), bill("B2", "C2", "100.00")], [])
    code, out, _ = cli(capsys, "collections", "--data", str(root), "--as-of", "2021-03-31", "--json")
    assert code == 0
    assert json.loads(out) == collections(open_extract(root), as_of=d("2021-03-31"))
    code, out, _ = cli(capsys, "collections", "--data", str(root), "--as-of", "2021-03-31",
                       "--station", CHENGJIAO, "--json")
    got = json.loads(out)
    assert (got["station"], [r["collector"] for r in got["by_collector"]]) == (CHENGJIAO, ["李催费"])
    assert got["penalty_bills"] == 1
    code, out, _ = cli(capsys, "collections", "--data", str(root), "--as-of", "2021-03-31")
    assert code == 0 and "违约金敞口  2.20 元（2 笔）" in out  # 100 × 0.011, twice


def test_the_collections_command_refuses_what_it_cannot_answer(tmp_path, capsys, monkeypatch):
    root = write_extract(tmp_path / "x", [customer("C1")], [bill("B1", "C1", "100.00")], [])
    code, _, err = cli(capsys, "collections", "--data", str(root), "--as-of", "2021-03-31", "--station", "无此所")
    assert code == 2 and "无此所" in err
    code, _, err = cli(capsys, "collections", "--data", str(root), "--year", "2021")
    assert code == 2 and "usage" in err
    monkeypatch.setenv("FEE_SETTINGS", str(write_settings(tmp_path / "bad.toml", "[risk]\nmedium_late_bills = -3\n")))
    code, out, err = cli(capsys, "collections", "--data", str(root), "--as-of", "2021-03-31", "--json")
    assert (code, out) == (2, "") and "risk.medium_late_bills" in err


def test_a_huge_penalty_does_not_overflow(tmp_path):
    settings = load_settings(write_settings(tmp_path / "steep.toml", """
[[penalty.rates]]
effective_from = 1996-01-01
residential = 0.5
current_year = 0.5
cross_year = 0.5
minimum = 1.00
"""))
    ex = open_tiny(tmp_path / "x", [customer("C1")],
                   [bill("B1", "C1", "900000000000.00", period="2000-01-01", due_on="2000-01-20")], [])
    # 2000-01-21 … 2100-12-31 is 36,870 days at 0.5: 9 × 10^11 × 18,435
    assert penalty_of(ex, "2100-12-31", settings) == {"B1": Decimal("16591500000000000.00")}
