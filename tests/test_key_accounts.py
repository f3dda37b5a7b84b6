"""Key and high-energy accounts (重点客户, docs/DATA.md §6) on the smallest extracts that show
each rule, with the answers worked out by hand: this month's bill, paid so far and outstanding
against its due date, the last payment, the next instalment part, the watch list of accounts
paying later month after month (both sides of its boundaries), and an account's months with
their price per kWh.

Unless a test says otherwise a bill of period 2021-03 is issued 2021-03-05 and due 2021-03-20
(tests/tiny.py defaults), and customers are in 千钢供电所.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from queries import Scope, open_extract
from queries.collections import SettingsError, load_settings
from tiny import bill, customer, d, part, payment, write_extract

KEY = dict(category="small_power", is_key_account=True, customer_name="王小明", phone="13912345678")
HIGH_ENERGY = dict(category="large_industry", is_high_energy=True, is_key_account=False,
                   customer_name="乌海市恒泰铁合金有限公司", phone="18812348912", industry="铁合金")


def open_tiny(root: Path, customers, bills, payments, **kwargs):
    return open_extract(write_extract(root, customers, bills, payments, **kwargs))


def accounts(ex, as_of: str, show_personal: bool = False, scope: Scope = Scope()) -> dict[str, dict]:
    rows = ex.query("key_accounts", scope, as_of=d(as_of), show_personal=show_personal).to_dicts()
    return {r["customer_id"]: r for r in rows}


def watch_list(ex, as_of: str, settings=None) -> dict[str, list[int]]:
    """{customer_id: days late of the months compared, oldest first} of the watch list."""
    settings = settings or load_settings()
    rows = ex.query("payment_slippage", Scope(), as_of=d(as_of), show_personal=False,
                    **settings.params()).to_dicts()
    return {r["customer_id"]: r["days_late_by_month"] for r in rows}


def write_settings(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- this month's bill ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def month_extract(tmp_path_factory):
    customers = [customer("K1", **KEY), customer("H1", **HIGH_ENERGY), customer("R1")]
    bills = [bill("B1", "K1", "100.00"),                                    # due 03-20
             bill("B2", "K1", "200.00", period="2021-04-01"),               # issued 04-05, due 04-20
             bill("H3", "H1", "1000.00"),
             bill("R3", "R1", "50.00")]
    payments = [payment("P1", "K1", "B1", "40.00", "2021-03-10 09:00:00", channel="wechat"),
                # paid late on the 19th, in transit until the 22nd
                payment("P2", "K1", "B1", "30.00", "2021-03-19 23:00:00", "2021-03-22 08:00:00", channel="bank"),
                payment("Q1", "H1", "H3", "600.00", "2021-03-10 10:00:00", channel="bank"),
                payment("Q2", "H1", "H3", "500.00", "2021-03-15 10:00:00", channel="counter"),  # 100 too much
                payment("Q3", "H1", "H3", "-100.00", "2021-03-16 10:00:00", channel="counter")]  # refunded
    return open_tiny(tmp_path_factory.mktemp("month"), customers, bills, payments)


def test_only_key_and_high_energy_accounts_are_listed(month_extract):
    assert set(accounts(month_extract, "2021-03-19")) == {"K1", "H1"}


def test_days_to_due_and_overdue_around_the_due_date(month_extract):
    def figures(as_of: str) -> tuple:
        r = accounts(month_extract, as_of)["K1"]
        return r["period"], r["due_on"], r["days_to_due"], r["days_overdue"], r["bill_status"]

    march = d("2021-03-01")
    assert figures("2021-03-19") == (march, d("2021-03-20"), 1, None, "due")
    assert figures("2021-03-20") == (march, d("2021-03-20"), 0, None, "due")      # due today: not overdue
    assert figures("2021-03-21") == (march, d("2021-03-20"), None, 1, "overdue")
    assert figures("2021-03-22") == (march, d("2021-03-20"), None, 2, "overdue")


def test_paid_so_far_and_outstanding(month_extract):
    def figures(as_of: str) -> tuple:
        r = accounts(month_extract, as_of)["K1"]
        return r["amount"], r["paid"], r["outstanding"], r["arrears"]

    # 40 posted on 03-10; the 30 paid on the 19th counts only once posted, on the 22nd
    assert figures("2021-03-19") == (Decimal("100.00"), Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert figures("2021-03-21") == (Decimal("100.00"), Decimal("40.00"), Decimal("60.00"), Decimal("60.00"))
    assert figures("2021-03-22") == (Decimal("100.00"), Decimal("70.00"), Decimal("30.00"), Decimal("30.00"))


def test_an_overpayment_counts_up_to_the_bill_and_a_paid_bill_is_not_overdue(month_extract):
    # H3: 600 + 500 = 1,100 paid by 03-15 (capped at the bill's 1,000), 100 refunded 03-16: 1,000
    for as_of in ("2021-03-15", "2021-03-25"):
        r = accounts(month_extract, as_of)["H1"]
        assert (r["paid"], r["outstanding"], r["bill_status"], r["days_overdue"]) == (
            Decimal("1000.00"), Decimal("0.00"), "paid", None)


def test_this_month_is_the_latest_bill_month_issued(month_extract):
    # B2 (April) is issued on 04-05: before it, March is still this month's bill
    before = accounts(month_extract, "2021-04-04")["K1"]
    assert (before["period"], before["outstanding"], before["days_overdue"]) == (d("2021-03-01"), Decimal("30.00"), 15)
    r = accounts(month_extract, "2021-04-05")["K1"]
    assert (r["period"], r["amount"], r["paid"], r["outstanding"], r["days_to_due"], r["arrears"]) == (
        d("2021-04-01"), Decimal("200.00"), Decimal("0.00"), Decimal("200.00"), 15, Decimal("30.00"))


def test_the_last_payment_is_the_latest_positive_one_paid_by_the_as_of_date(month_extract):
    k1 = accounts(month_extract, "2021-03-20")["K1"]
    # P2 was paid on the 19th: it is the last payment although not posted yet
    assert (str(k1["last_paid_at"]), k1["last_payment_amount"], k1["last_payment_channel"]) == (
        "2021-03-19 23:00:00", Decimal("30.00"), "bank")
    assert accounts(month_extract, "2021-03-18")["K1"]["last_payment_amount"] == Decimal("40.00")
    # H1's refund of 03-16 is not a payment: the last is the 500 of 03-15
    h1 = accounts(month_extract, "2021-03-20")["H1"]
    assert (h1["last_payment_amount"], h1["last_payment_channel"]) == (Decimal("500.00"), "counter")


def test_names_of_persons_and_phones_are_masked_unless_asked_for(month_extract):
    masked = accounts(month_extract, "2021-03-20")
    assert (masked["K1"]["customer_name"], masked["K1"]["phone"]) == ("王*明", "139****5678")
    # an enterprise's name is not personal data; its phone is masked like any
    assert (masked["H1"]["customer_name"], masked["H1"]["phone"]) == ("乌海市恒泰铁合金有限公司", "188****8912")
    shown = accounts(month_extract, "2021-03-20", show_personal=True)
    assert (shown["K1"]["customer_name"], shown["K1"]["phone"]) == ("王小明", "13912345678")


def test_the_scope_filters_the_accounts(month_extract):
    assert accounts(month_extract, "2021-03-20", scope=Scope(stations=("城郊供电所",))) == {}
    assert set(accounts(month_extract, "2021-03-20", scope=Scope(high_energy_only=True))) == {"H1"}


# --- the instalment plan -------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_extract(tmp_path_factory):
    customers = [customer("K1", **KEY), customer("K2", **KEY)]
    bills = [bill("B1", "K1", "100.00"),                                    # March, due 03-20
             bill("B2", "K1", "200.00", period="2021-04-01"),               # April, due 04-20
             bill("C1", "K2", "100.00")]
    plans = [part("B1", "2021-04-20", "100.00"),                           # March's bill, put off
             part("B2", "2021-04-10", "50.00"), part("B2", "2021-04-20", "50.00"),
             part("B2", "2021-05-10", "100.00")]
    payments = [payment("P1", "K1", "B1", "70.00", "2021-03-22 09:00:00"),
                payment("P2", "K1", "B2", "50.00", "2021-04-09 09:00:00")]
    return open_tiny(tmp_path_factory.mktemp("plan"), customers, bills, payments, instalment_plans=plans)


def test_the_next_part_and_parts_per_status(plan_extract):
    def plan(as_of: str, customer_id: str = "K1") -> tuple:
        r = accounts(plan_extract, as_of)[customer_id]
        return (r["plan_parts"], r["next_part_due_on"], r["next_part_amount"],
                r["parts_upcoming"], r["parts_on_time"], r["parts_late"], r["parts_missed"])

    # 04-15: B2's first part (50 due 04-10) was paid on 04-09: on time. Next, on 04-20, two
    # parts fall due: B1's 100 and B2's second 50, together 150.
    assert plan("2021-04-15") == (4, d("2021-04-20"), Decimal("150.00"), 3, 1, 0, 0)
    # 04-20 is the due day itself: nothing more was paid, so both are missed from then on
    # (B1: 70 < 100; B2: 50 < 100); the next is B2's last part, 100 on 05-10.
    assert plan("2021-04-19") == (4, d("2021-04-20"), Decimal("150.00"), 3, 1, 0, 0)
    assert plan("2021-04-20") == (4, d("2021-05-10"), Decimal("100.00"), 1, 1, 0, 2)
    # after the last part's day nothing is to come
    assert plan("2021-05-11") == (4, None, None, 0, 1, 0, 3)
    # an account without a plan
    assert plan("2021-04-15", "K2") == (0, None, None, 0, 0, 0, 0)


# --- the watch list: payments slipping ---------------------------------------------------------

def month_bill(customer_id: str, month: int, amount: str = "100.00") -> dict:
    """The customer's bill of 2021-0<month>: issued on the 5th, due on the 20th."""
    return bill(f"{customer_id}-{month}", customer_id, amount, period=f"2021-{month:02d}-01")


def paid_late(customer_id: str, month: int, days: int, amount: str = "100.00") -> dict:
    """Its payment in full `days` after the due date (the 20th); a negative number: before it."""
    day = d(f"2021-{month:02d}-20") + dt.timedelta(days=days)
    return payment(f"P-{customer_id}-{month}", customer_id, f"{customer_id}-{month}", amount, f"{day} 10:00:00")


# days late per bill month, January … May; None: not paid
LATENESS = {
    "S1": [30, -10, 1, 2, 3],     # a late January long ago; then 0 (paid early), 1, 2, 3: slipping
    "S2": [0, 0, 1, 2, 2],        # the latest month no later than the one before: not slipping
    "S3": [0, 0, 1, 2, None],     # May still owing: its lateness grows with the as-of date
    "S5": [0, 0, 1, 2, 3],        # as S1, but a plain residential account: never on the list
    "S6": [0, 0, 2, 4, 6],        # rises of two days
}


@pytest.fixture(scope="module")
def slipping_extract(tmp_path_factory):
    customers = [customer(c, **KEY) for c in ("S1", "S2", "S3", "S6")] + [customer("S5")]
    customers.append(customer("S4", **HIGH_ENERGY))
    bills = [month_bill(c, m) for c in LATENESS for m in range(1, 6)]
    payments = [paid_late(c, m, days) for c, lateness in LATENESS.items()
                for m, days in enumerate(lateness, start=1) if days is not None]
    # S4 has bills of March, April and May only, paid 1, 2 and 3 days late: one month too few
    bills += [month_bill("S4", m) for m in (3, 4, 5)]
    payments += [paid_late("S4", m, days) for m, days in ((3, 1), (4, 2), (5, 3))]
    return open_tiny(tmp_path_factory.mktemp("slipping"), customers, bills, payments)


def test_slipping_means_later_in_each_of_the_latest_three_months(slipping_extract):
    # As of 06-30, with the shipped settings (3 rises of at least a day, so 4 bill months):
    # S1 compares February … May: 0 (paid 10 days early), 1, 2, 3 — each a day later. S2: 0, 1,
    # 2, 2 — May no later. S3: May still owing, 41 days (05-20 → 06-30), after 0, 1, 2. S4 has
    # three months only. S6: 0, 2, 4, 6.
    assert watch_list(slipping_extract, "2021-06-30") == {
        "S3": [0, 1, 2, 41], "S6": [0, 2, 4, 6], "S1": [0, 1, 2, 3]}


def test_an_unpaid_month_slips_from_the_day_it_is_later_than_the_month_before(slipping_extract):
    # S3's April was paid 2 days late; its May bill (due 05-20) is still owing. On 05-22 it is
    # 2 days late: no later than April. On 05-23, 3 days: later, so S3 slips. (S1 pays May on
    # 05-23 too: 2 days owing on 05-22, then paid 3 days late.)
    assert "S3" not in watch_list(slipping_extract, "2021-05-22")
    assert watch_list(slipping_extract, "2021-05-23")["S3"] == [0, 1, 2, 3]


def test_a_month_not_yet_due_is_not_compared(slipping_extract):
    # On 05-19 May's bills are not due: January … April are compared. S1: 30, 0, 1, 2 — January
    # was later than February, so not slipping; S6: 0, 0, 2, 4 — February no later than January.
    assert watch_list(slipping_extract, "2021-05-19") == {}


def test_the_thresholds_are_settings(slipping_extract, tmp_path, monkeypatch):
    # rises of at least 2 days: S1 (1 a month) and S3 on 06-30 (1, 1, 39) drop out; S6 stays
    monkeypatch.setenv("FEE_SETTINGS", str(write_settings(tmp_path / "watch.toml", "[watch]\nmin_rise_days = 2\n")))
    assert watch_list(slipping_extract, "2021-06-30") == {"S6": [0, 2, 4, 6]}
    # two rises (so March, April, May compared): S2's 1, 2, 2 stays off; S4 now has months
    # enough: 1, 2, 3
    monkeypatch.setenv("FEE_SETTINGS", str(write_settings(tmp_path / "watch.toml", "[watch]\nrises = 2\n")))
    assert watch_list(slipping_extract, "2021-06-30") == {
        "S3": [1, 2, 41], "S6": [2, 4, 6], "S1": [1, 2, 3], "S4": [1, 2, 3]}


@pytest.mark.parametrize("text, key", [
    ("[watch]\nrises = 0\n", "watch.rises"),
    ("[watch]\nmin_rise_days = 0\n", "watch.min_rise_days"),
    ("[watch]\nmin_rise_days = 1.5\n", "watch.min_rise_days"),
    ("[watch]\nrise = 3\n", "watch.rise"),  # misspelt
])
def test_a_watch_setting_that_cannot_be_used_is_named(tmp_path, text, key):
    with pytest.raises(SettingsError) as error:
        load_settings(write_settings(tmp_path / "bad.toml", text))
    assert key in str(error.value) and "bad.toml" in str(error.value)


def test_the_shipped_watch_settings():
    watch = load_settings().watch
    assert (watch.rises, watch.min_rise_days) == (3, 1)


# --- one account's months --------------------------------------------------------------------

@pytest.fixture(scope="module")
def monthly_extract(tmp_path_factory):
    customers = [customer("H1", **HIGH_ENERGY)]
    bills = [bill("S9", "H1", "100.00", period="2021-09-01", kwh=200.0),
             bill("O10", "H1", "300.00", period="2021-10-01", kwh=500.0),
             # a credit adjustment (退补) in October: no energy
             bill("O10c", "H1", "-30.00", period="2021-10-01", issued_on="2021-10-25", due_on="2021-11-04", kwh=0.0),
             bill("N11", "H1", "50.00", period="2021-11-01", kwh=0.0),           # a capacity charge alone
             bill("D12", "H1", "80.00", period="2021-12-01", kwh=160.0)]        # issued 12-05
    payments = [payment("P1", "H1", "S9", "100.00", "2021-09-25 10:00:00"),
                payment("P2", "H1", "O10", "300.00", "2021-10-20 10:00:00"),
                payment("P3", "H1", "O10", "-300.00", "2021-10-22 10:00:00"),  # bounced
                payment("P4", "H1", "O10", "300.00", "2021-10-26 10:00:00")]
    return open_tiny(tmp_path_factory.mktemp("monthly"), customers, bills, payments)


def test_an_accounts_months_with_price_per_kwh(monthly_extract):
    rows = monthly_extract.query("account_monthly", Scope(), as_of=d("2021-11-30"), customer_id="H1").to_dicts()
    # price = amount ÷ kWh: 100 / 200 = 0.5; October (300 − 30) / 500 = 0.54; November has no
    # energy: no price. December is issued after 11-30.
    assert [(r["period"], r["amount"], r["kwh"], r["price_per_kwh"]) for r in rows] == [
        (d("2021-09-01"), Decimal("100.00"), 200.0, 0.5),
        (d("2021-10-01"), Decimal("270.00"), 500.0, 0.54),
        (d("2021-11-01"), Decimal("50.00"), 0.0, None)]
    # days late: September paid 5 days after its due date (09-20); October's 300 paid on the due
    # date, bounced on the 22nd, paid again on the 26th: 6 days (the credit bill has nothing to
    # pay); November owing, 10 days on 11-30
    assert [(r["days_late"], r["owing"]) for r in rows] == [(5, False), (6, False), (10, True)]


def test_an_account_out_of_scope_has_no_months(monthly_extract):
    assert monthly_extract.query("account_monthly", Scope(stations=("城郊供电所",)), as_of=d("2021-11-30"),
                                 customer_id="H1").is_empty()
    assert monthly_extract.query("account_monthly", Scope(), as_of=d("2021-11-30"), customer_id="X").is_empty()
