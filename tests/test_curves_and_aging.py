"""Daily questions on a hand-made extract: the recovery curve of a month and of a year,
daily collections, and the aging buckets' edges (docs/DATA.md §3: days overdue = D − due_on)."""

from decimal import Decimal

import pytest

from queries import Scope, open_extract
from tiny import bill, customer, d, payment, write_extract


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    root = tmp_path_factory.mktemp("curves")
    write_extract(root / "x", [customer("001"), customer("002")], [
        # March: 100 and 50 issued on 3-05, due 3-20
        bill("b1", "001", "100.00", period="2021-03-01"),
        bill("b2", "002", "50.00", period="2021-03-01"),
        # December 2021, for the aging edges at D = 2022-01-31
        bill("c1", "001", "10.00", period="2021-12-01", issued_on="2021-12-01", due_on="2022-01-01"),  # 30 days
        bill("c2", "002", "20.00", period="2021-12-01", issued_on="2021-11-30", due_on="2021-12-31"),  # 31 days
    ], [
        payment("p1", "001", "b1", "60.00", "2021-03-10 09:00:00"),
        payment("p2", "002", "b2", "80.00", "2021-04-01 09:00:00"),   # overpays b2 by 30
        payment("p3", "002", None, "5.00", "2021-04-01 10:00:00"),    # prepayment: cash, not 实收
    ])
    return open_extract(root / "x")


def test_a_months_curve_runs_to_the_months_last_day(ex):
    curve = ex.query("recovery_curve_daily", Scope(), as_of=d("2021-04-15"),
                     period_from=d("2021-03-01"), period_to=d("2021-03-01"))
    by_day = {r["day"]: r for r in curve.to_dicts()}
    assert min(by_day) == d("2021-03-01") and max(by_day) == d("2021-03-31")
    assert by_day[d("2021-03-04")]["billed"] == 0
    assert (by_day[d("2021-03-05")]["billed"], by_day[d("2021-03-05")]["recovered"]) == (150, 0)
    assert by_day[d("2021-03-10")]["recovered"] == 60          # b1's 60
    assert by_day[d("2021-03-31")]["recovery_rate"] == pytest.approx(60 / 150)


def test_a_years_curve_runs_to_the_as_of_date(ex):
    curve = ex.query("recovery_curve_daily", Scope(), as_of=d("2021-04-15"),
                     period_from=d("2021-01-01"), period_to=d("2021-12-01"))
    by_day = {r["day"]: r for r in curve.to_dicts()}
    assert max(by_day) == d("2021-04-15")
    # 4-01: b2's 80 settles its 50 only; recovered 60 + 50 of 150 billed
    assert by_day[d("2021-04-01")]["recovered"] == 110
    assert by_day[d("2021-03-31")]["recovered"] == 60


def test_daily_collections_count_what_settles_bills_and_cash_apart(ex):
    days = {r["day"]: r for r in ex.query("collections_daily", Scope(), date_from=d("2021-03-05"),
                                          date_to=d("2021-04-01")).to_dicts()}
    assert days[d("2021-03-05")]["newly_billed"] == 150 and days[d("2021-03-05")]["new_bills"] == 2
    assert days[d("2021-03-10")]["collected"] == 60
    assert days[d("2021-04-01")]["collected"] == 50                    # overpayment stops at the bill
    assert days[d("2021-04-01")]["cash_posted"] == Decimal("85.00")   # 80 + the 5 prepaid
    assert days[d("2021-03-20")]["collected"] == 0


def test_aging_buckets_meet_at_30_and_31_days(ex):
    aging = {r["bucket"]: r for r in ex.query("arrears_aging", Scope(), as_of=d("2022-01-31")).to_dicts()}
    # c1 due 2022-01-01: 30 days → 1–30; c2 due 2021-12-31: 31 days → 31–90;
    # b1's 40 left, due 2021-03-20: 317 days → 181–365
    assert (aging["1-30"]["arrears"], aging["1-30"]["arrears_bills"]) == (10, 1)
    assert (aging["31-90"]["arrears"], aging["31-90"]["arrears_bills"]) == (20, 1)
    assert aging["181-365"]["arrears"] == 40
    assert aging["91-180"]["arrears"] == 0 and aging[">365"]["arrears"] == 0
    assert [r["bucket"] for r in ex.query("arrears_aging", Scope(), as_of=d("2022-01-31")).to_dicts()] == \
        ["1-30", "31-90", "91-180", "181-365", ">365"]
