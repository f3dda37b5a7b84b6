"""docs/DATA.md §3, one definition at a time, on the smallest extract that shows it.

Every expected number is worked out by hand in the test. Unless a test says otherwise a
bill of period 2021-03 is issued 2021-03-05 and due 2021-03-20 (tests/tiny.py defaults).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from queries import Scope, open_extract
from queries.summary import summary
from tiny import bill, customer, d, payment, table, write_extract

MONEY_KEYS = ("billed", "recovered", "prior_opening", "prior_recovered", "arrears",
              "arrears_current_year", "arrears_prior_years")


def open_tiny(root: Path, customers, bills, payments, **kwargs):
    return open_extract(write_extract(root, customers, bills, payments, **kwargs))


def run(ex, as_of: str, year: int | None = None, stations: tuple[str, ...] = ()) -> dict:
    return summary(ex, as_of=d(as_of), year=year, scope=Scope(stations=stations))


def total(ex, as_of: str, year: int | None = None, stations: tuple[str, ...] = ()) -> dict:
    return run(ex, as_of, year, stations)["total"]


# --- paid(b, D), outstanding, recovered ------------------------------------------------

def test_partial_payment_recovers_what_was_paid(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "40.00", "2021-03-10 09:00:00")])
    t = total(ex, "2021-04-01")
    # paid 40 of 100: recovered 40, outstanding 60, overdue since 03-20 < 04-01.
    assert t["billed"] == 100.0
    assert t["recovered"] == 40.0
    assert t["recovery_rate"] == pytest.approx(0.4)
    assert t["arrears"] == 60.0
    assert t["arrears_current_year"] == 60.0
    assert t["arrears_prior_years"] == 0.0
    assert t["arrears_customers"] == 1
    # no bill before 2021: the prior-year rate is undefined, cumulative = 40 / 100.
    assert t["prior_opening"] == 0.0
    assert t["prior_recovery_rate"] is None
    assert t["cumulative_rate"] == pytest.approx(0.4)


def test_overpayment_never_counts_past_the_bill(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "100.00"), bill("B2", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "130.00", "2021-03-10 09:00:00")])
    t = total(ex, "2021-04-01")
    # B1: max(0, 100 − 130) = 0 outstanding, recovered 100 (not 130); the extra 30 does
    # not spill onto B2, which stays 100 outstanding.
    assert t["billed"] == 200.0
    assert t["recovered"] == 100.0
    assert t["recovery_rate"] == pytest.approx(0.5)
    assert t["arrears"] == 100.0


def test_reversal_cancels_a_payment(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],  # due 03-20
                   [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
                    payment("P2", "C1", "B1", "-100.00", "2021-03-25 09:00:00")])
    # 03-24: paid 100 → recovered 100, nothing owed.
    t = total(ex, "2021-03-24")
    assert (t["recovered"], t["arrears"], t["arrears_customers"]) == (100.0, 0.0, 0)
    # 03-25: paid 100 − 100 = 0 → recovered 0; the bill is overdue again.
    t = total(ex, "2021-03-25")
    assert (t["recovered"], t["arrears"], t["arrears_customers"]) == (0.0, 100.0, 1)


def test_reversal_after_year_end_gives_negative_prior_recovered(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B0", "C1", "100.00", period="2020-06-01")],
                   [payment("P1", "C1", "B0", "100.00", "2020-06-10 09:00:00"),
                    payment("P2", "C1", "B0", "-100.00", "2021-02-01 09:00:00")])
    t = total(ex, "2021-03-01", year=2021)
    # outstanding(B0, 2020-12-31) = 0, outstanding(B0, D) = 100:
    # prior_opening 0, prior_recovered 0 − 100 = −100 (docs/DATA.md §3 taken literally);
    # prior rate undefined, nothing billed in 2021 → cumulative undefined too.
    assert (t["prior_opening"], t["prior_recovered"]) == (0.0, -100.0)
    assert (t["prior_recovery_rate"], t["cumulative_rate"]) == (None, None)
    assert (t["arrears"], t["arrears_prior_years"]) == (100.0, 100.0)


def test_reversal_making_cumulative_paid_negative_counts_as_nothing_paid(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "30.00", "2021-03-10 09:00:00"),
                    payment("P2", "C1", "B1", "-50.00", "2021-03-12 09:00:00"),
                    payment("P3", "C1", "B1", "50.00", "2021-03-15 09:00:00")])
    # 03-11: paid 30 → outstanding 70, recovered 30.
    assert total(ex, "2021-03-11")["recovered"] == 30.0
    # 03-12: paid 30 − 50 = −20 → max(0, −20) = 0 → outstanding max(0, 100 − 0) = 100
    # (not 120), recovered 0 (not −20).
    t = total(ex, "2021-03-12")
    assert t["recovered"] == 0.0
    assert t["recovery_rate"] == 0.0
    # 03-15: paid −20 + 50 = 30 → recovered 30 again; at 04-01 the 70 left is overdue.
    assert total(ex, "2021-03-15")["recovered"] == 30.0
    t = total(ex, "2021-04-01")
    assert t["recovered"] == 30.0
    assert t["arrears"] == 70.0


def test_payment_in_transit_does_not_count(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00", posted_at=None)])
    t = total(ex, "2021-04-01")
    # posted_at null: paid 0, so 100 outstanding and overdue.
    assert t["recovered"] == 0.0
    assert t["arrears"] == 100.0


def test_payment_posted_after_as_of_does_not_count(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00",
                            posted_at="2021-03-16 00:00:00")])
    # paid on 03-10 but posted on 03-16: on 03-15 nothing is paid yet, on 03-16 all of it.
    assert total(ex, "2021-03-15")["recovered"] == 0.0
    assert total(ex, "2021-03-16")["recovered"] == 100.0


def test_payment_posted_at_last_second_of_as_of_counts(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", "B1", "60.00", "2021-03-15 23:59:59")])
    # posted_at::DATE = 2021-03-15 ≤ D = 2021-03-15: counts.
    assert total(ex, "2021-03-15")["recovered"] == 60.0
    assert total(ex, "2021-03-14")["recovered"] == 0.0


def test_payment_posted_before_the_bill_is_issued_counts_once_it_is_issued(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],  # issued 03-05
                   [payment("P1", "C1", "B1", "100.00", "2021-03-01 09:00:00")])
    # 03-04: B1 not issued, nothing billed.  03-05: billed 100, paid(B1) = 100 (posted 03-01 ≤ D).
    assert total(ex, "2021-03-04")["billed"] == 0.0
    t = total(ex, "2021-03-05")
    assert (t["billed"], t["recovered"]) == (100.0, 100.0)
    assert t["recovery_rate"] == pytest.approx(1.0)


def test_credit_bill_is_fully_recovered_and_billed_includes_it(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "100.00"), bill("B2", "C1", "-30.00"), bill("B3", "C1", "-20.00")],
                   [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
                    payment("P3", "C1", "B3", "-20.00", "2021-03-11 09:00:00")])  # refund of B3
    t = total(ex, "2021-04-01")
    # billed = 100 − 30 − 20 = 50.  outstanding: B1 0; B2 max(0, −30 − 0) = 0;
    # B3 max(0, −20 − max(0, −20)) = 0.  recovered = 100 + (−30) + (−20) = 50 → rate 1.
    assert t["billed"] == 50.0
    assert t["recovered"] == 50.0
    assert t["recovery_rate"] == pytest.approx(1.0)
    assert t["arrears"] == 0.0
    assert t["arrears_customers"] == 0


def test_bill_issued_after_as_of_is_not_billed(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "100.00"),
                    bill("B2", "C1", "200.00", period="2021-03-01", issued_on="2021-04-02",
                         due_on="2021-04-17")],
                   [])
    # 04-01: only B1 is issued (billed 100, overdue 100); B2 is issued 04-02.
    t = total(ex, "2021-04-01")
    assert t["billed"] == 100.0
    assert t["arrears"] == 100.0
    # 04-02: issued_on ≤ D, so B2 is billed (300) but not overdue until after 04-17.
    t = total(ex, "2021-04-02")
    assert t["billed"] == 300.0
    assert t["arrears"] == 100.0


def test_bill_not_yet_due_is_not_arrears_but_still_outstanding(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")], [])
    # due 03-20: overdue only when due_on < D, i.e. from 03-21.
    t = total(ex, "2021-03-20")
    assert t["billed"] == 100.0
    assert t["recovered"] == 0.0
    assert t["recovery_rate"] == 0.0  # outstanding for the rate
    assert t["arrears"] == 0.0
    assert t["arrears_customers"] == 0
    t = total(ex, "2021-03-21")
    assert t["arrears"] == 100.0
    assert t["arrears_customers"] == 1


def test_prepayment_without_bill_is_not_recovered(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")],
                   [payment("P1", "C1", None, "500.00", "2021-03-10 09:00:00")])
    t = total(ex, "2021-04-01")
    # bill_id null: 预收, settles nothing.
    assert t["recovered"] == 0.0
    assert t["arrears"] == 100.0


def test_orphan_bill_and_orphan_payment_count_nowhere(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "100.00"), bill("B9", "C9", "1000.00")],
                   [payment("P9", "C9", "B9", "1000.00", "2021-03-10 09:00:00"),
                    # C9 is not in customers, so this payment does not settle B1 either
                    payment("P8", "C9", "B1", "100.00", "2021-03-10 09:00:00")])
    r = run(ex, "2021-04-01")
    # only B1 (C1) counts: billed 100, nothing paid by a known customer, 100 overdue.
    assert r["total"]["billed"] == 100.0
    assert r["total"]["recovered"] == 0.0
    assert r["total"]["arrears"] == 100.0
    assert r["total"]["arrears_customers"] == 1
    assert [row["station"] for row in r["by_station"]] == ["千钢供电所"]
    assert r["by_station"][0]["billed"] == 100.0


# --- table layouts and money types ---------------------------------------------------

LAYOUT_CUSTOMERS = [customer("C1"), customer("C2", station="万家供电所", village="二村")]
LAYOUT_BILLS = [bill("B1", "C1", "100.00"),
                bill("B2", "C2", "50.00"),
                bill("B3", "C1", "80.00", period="2021-04-01")]
LAYOUT_PAYMENTS = [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
                   payment("P2", "C2", "B2", "20.00", "2021-04-02 09:00:00"),
                   payment("P3", "C1", "B3", "30.00", "2021-04-10 09:00:00")]


def write_part(path: Path, name: str, rows: list[dict], reverse: bool = False,
               types: dict[str, pa.DataType] | None = None) -> None:
    t = table(name, rows, types)
    if reverse:
        t = t.select(list(reversed(t.column_names)))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(t, path)


def check_layout_numbers(result: dict) -> None:
    # by hand at 05-01: billed 100 + 50 + 80 = 230; recovered 100 + 20 + 30 = 150;
    # overdue: B2 30 (due 03-20), B3 50 (due 04-20) → arrears 80, two customers.
    assert result["total"]["billed"] == 230.0
    assert result["total"]["recovered"] == 150.0
    assert result["total"]["arrears"] == 80.0
    assert result["total"]["arrears_customers"] == 2


def test_single_file_and_folder_layouts_give_identical_results(tmp_path):
    single = open_tiny(tmp_path / "single", LAYOUT_CUSTOMERS, LAYOUT_BILLS, LAYOUT_PAYMENTS)

    root = tmp_path / "folder"
    write_part(root / "customers" / "all.parquet", "customers", LAYOUT_CUSTOMERS)
    # nested monthly files, the second with its columns in reverse order
    write_part(root / "bills" / "2021" / "03" / "part-0.parquet", "bills", LAYOUT_BILLS[:2])
    write_part(root / "bills" / "2021" / "04" / "part-0.parquet", "bills", LAYOUT_BILLS[2:], reverse=True)
    write_part(root / "payments" / "2021-03.parquet", "payments", LAYOUT_PAYMENTS[:1], reverse=True)
    write_part(root / "payments" / "2021-04.parquet", "payments", LAYOUT_PAYMENTS[1:])
    folder = open_extract(root)

    a, b = run(single, "2021-05-01"), run(folder, "2021-05-01")
    assert a == b
    check_layout_numbers(a)
    assert single.default_as_of == folder.default_as_of == d("2021-04-10")


def test_folder_names_like_hive_partitions_carry_no_data(tmp_path):
    root = tmp_path / "folder"
    write_part(root / "customers.parquet", "customers", LAYOUT_CUSTOMERS)
    # docs/DATA.md §1's own example: bills/period=2021-11/part-0.parquet
    write_part(root / "bills" / "period=2021-03" / "part-0.parquet", "bills", LAYOUT_BILLS[:2])
    write_part(root / "bills" / "period=2021-04" / "part-0.parquet", "bills", LAYOUT_BILLS[2:], reverse=True)
    write_part(root / "payments.parquet", "payments", LAYOUT_PAYMENTS)
    check_layout_numbers(run(open_extract(root), "2021-05-01"))


def test_files_of_one_table_may_mix_decimal_and_double_money(tmp_path):
    root = tmp_path / "mixed"
    write_part(root / "customers.parquet", "customers", LAYOUT_CUSTOMERS)
    write_part(root / "bills" / "2021-03.parquet", "bills", LAYOUT_BILLS[:2])  # DECIMAL(18,2)
    write_part(root / "bills" / "2021-04.parquet", "bills",  # DOUBLE 80.004 → 80.00
               [bill("B3", "C1", 80.004, period="2021-04-01")], types={"amount": pa.float64()})
    write_part(root / "payments.parquet", "payments", LAYOUT_PAYMENTS)
    check_layout_numbers(run(open_extract(root), "2021-05-01"))


def test_a_double_amount_reads_the_same_whatever_the_other_files_hold(tmp_path):
    totals = []
    for name, with_decimal_file in (("double_only", False), ("after_decimal", True)):
        root = tmp_path / name
        write_part(root / "customers.parquet", "customers", [customer("C1")])
        if with_decimal_file:
            write_part(root / "bills" / "2021-03.parquet", "bills", [bill("B1", "C1", "100.00")])
        write_part(root / "bills" / "2021-04.parquet", "bills",
                   [bill("B3", "C1", 2.675, period="2021-04-01")], types={"amount": pa.float64()})
        write_part(root / "payments.parquet", "payments", [])
        totals.append(total(open_extract(root), "2021-05-01")["billed"])
    # the same stored double must read as the same fen in both: B1 adds exactly 100.00
    assert totals[1] == pytest.approx(totals[0] + 100.0, abs=0.001)


def test_decimal_and_double_money_give_the_same_numbers(tmp_path):
    bills = [bill("B1", "C1", "100.10"), bill("B2", "C1", "0.20")]
    payments = [payment("P1", "C1", "B1", "0.30", "2021-03-10 09:00:00")]
    as_decimal = open_tiny(tmp_path / "decimal", [customer("C1")], bills, payments)
    as_decimal38 = open_tiny(tmp_path / "decimal38", [customer("C1")], bills, payments,
                             types={"bills": {"amount": pa.decimal128(38, 2)},
                                    "payments": {"amount": pa.decimal128(38, 2)}})
    as_double = open_tiny(tmp_path / "double", [customer("C1")], bills, payments,
                          types={"bills": {"amount": pa.float64()}, "payments": {"amount": pa.float64()}})
    results = [run(ex, "2021-04-01") for ex in (as_decimal, as_decimal38, as_double)]
    assert results[0] == results[1] == results[2]
    # billed 100.10 + 0.20 = 100.30; recovered 0.30; arrears 99.80 + 0.20 = 100.00.
    assert results[0]["total"]["billed"] == 100.30
    assert results[0]["total"]["recovered"] == 0.30
    assert results[0]["total"]["arrears"] == 100.0


def test_double_money_is_rounded_to_the_fen_on_reading(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2")],
                   [bill("B1", "C1", 33.333), bill("B2", "C2", 33.333), bill("B3", "C2", 33.334)],
                   [payment("P1", "C1", "B1", 33.33, "2021-03-10 09:00:00")],
                   types={"bills": {"amount": pa.float64()}, "payments": {"amount": pa.float64()}})
    t = total(ex, "2021-04-01")
    # Each amount reads as 33.33.  billed 3 × 33.33 = 99.99 (unrounded it would sum to 100.00).
    # B1 is fully paid (unrounded 0.003 would stay outstanding and make C1 a debtor);
    # arrears B2 + B3 = 66.66 (unrounded 66.667 → 66.67), one customer in arrears (C2).
    assert t["billed"] == 99.99
    assert t["recovered"] == 33.33
    assert t["arrears"] == 66.66
    assert t["arrears_customers"] == 1


# --- the three recovery scopes ------------------------------------------------------

def test_worked_example_of_the_three_rates(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2")],
                   [bill("B0", "C1", "500000.00", period="2020-12-01"),  # issued 2020-12-05
                    bill("B1", "C2", "750500.00", period="2021-03-01")],
                   [payment("P0", "C1", "B0", "340000.00", "2021-06-10 09:00:00"),
                    payment("P1", "C2", "B1", "640000.00", "2021-04-10 09:00:00")])
    t = total(ex, "2021-12-31", year=2021)
    # docs/DATA.md §3's example: billed 750,500, recovered 640,000; B0 was 500,000 outstanding
    # on E = 2020-12-31 and 160,000 at D, so prior_recovered = 340,000.
    assert t["billed"] == 750500.0
    assert t["recovered"] == 640000.0
    assert t["prior_opening"] == 500000.0
    assert t["prior_recovered"] == 340000.0
    assert t["recovery_rate"] == pytest.approx(640000 / 750500)
    assert t["prior_recovery_rate"] == pytest.approx(0.68)
    assert t["cumulative_rate"] == pytest.approx(980000 / 1250500)
    # 85.3 %, 68.0 %, 78.4 % as the contract shows them.
    assert round(t["recovery_rate"] * 100, 1) == 85.3
    assert round(t["prior_recovery_rate"] * 100, 1) == 68.0
    assert round(t["cumulative_rate"] * 100, 1) == 78.4
    # arrears: B1 110,500 this year, B0 160,000 from 2020, two customers.
    assert t["arrears_current_year"] == 110500.0
    assert t["arrears_prior_years"] == 160000.0
    assert t["arrears"] == 270500.0
    assert t["arrears_customers"] == 2


def test_year_scope_excludes_bills_of_other_years_from_billed(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B20", "C1", "100.00", period="2020-06-01"),
                    bill("B21", "C1", "200.00", period="2021-03-01"),
                    bill("B22", "C1", "400.00", period="2022-01-01")],  # issued 2022-01-05
                   [payment("P1", "C1", "B21", "50.00", "2022-01-10 09:00:00")])
    t = total(ex, "2022-02-15", year=2021)
    # Y = 2021: S = {B21}: billed 200, recovered 50 (posted in 2022, still ≤ D).
    # P = {B20}: outstanding 100 on 2020-12-31 and still 100 at D.
    assert t["billed"] == 200.0
    assert t["recovered"] == 50.0
    assert t["recovery_rate"] == pytest.approx(0.25)
    assert t["prior_opening"] == 100.0
    assert t["prior_recovered"] == 0.0
    assert t["cumulative_rate"] == pytest.approx(50 / 300)
    # arrears look at every year, split by D's year (2022), not by Y:
    # B22 400 this year; B20 100 + B21 150 from earlier years.
    assert t["arrears"] == 650.0
    assert t["arrears_current_year"] == 400.0
    assert t["arrears_prior_years"] == 250.0

    t = total(ex, "2022-02-15", year=2022)
    # Y = 2022: S = {B22}: billed 400, nothing paid.  P = {B20, B21}: on 2021-12-31
    # outstanding 100 + 200 = 300; at D 100 + 150 = 250 → prior_recovered 50.
    assert t["billed"] == 400.0
    assert t["recovered"] == 0.0
    assert t["prior_opening"] == 300.0
    assert t["prior_recovered"] == 50.0
    assert t["prior_recovery_rate"] == pytest.approx(50 / 300)
    assert t["cumulative_rate"] == pytest.approx(50 / 700)


def test_arrears_split_by_the_year_of_as_of(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "80.00", period="2020-11-01"),
                    bill("B2", "C1", "120.00", period="2021-02-01")],
                   [])
    t = total(ex, "2021-03-01")
    # both overdue on 2021-03-01: period 2020-11 is before D's year, 2021-02 in it.
    assert t["arrears"] == 200.0
    assert t["arrears_prior_years"] == 80.0
    assert t["arrears_current_year"] == 120.0
    assert t["arrears_customers"] == 1


def test_arrears_customers_counts_distinct_customers(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1"), customer("C2"), customer("C3"), customer("C4")],
                   [bill("B1", "C1", "10.00", period="2021-01-01"),
                    bill("B2", "C1", "10.00", period="2021-02-01"),
                    bill("B3", "C1", "10.00", period="2021-03-01"),
                    bill("B4", "C2", "10.00", period="2021-03-01"),
                    bill("B5", "C3", "10.00", period="2021-03-01"),
                    bill("B6", "C4", "10.00", period="2021-04-01")],  # due 04-20
                   [payment("P5", "C3", "B5", "10.00", "2021-03-10 09:00:00")])
    t = total(ex, "2021-04-10")
    # C1 owes three overdue bills (30), C2 one (10), C3 paid, C4's bill is not due yet.
    assert t["arrears"] == 40.0
    assert t["arrears_customers"] == 2


def test_group_with_nothing_to_show_is_left_out(tmp_path):
    ex = open_tiny(tmp_path,
                   [customer("C1", station="站1"), customer("C2", station="站2"),
                    customer("C3", station="站3"), customer("C4", station="站4"),
                    customer("C5", station="站5")],
                   [bill("B1", "C1", "100.00", period="2021-03-01"),
                    bill("B2", "C2", "100.00", period="2020-03-01"),
                    bill("B3", "C3", "100.00", period="2020-03-01"),
                    bill("B4", "C4", "100.00", period="2021-12-01"),  # issued 2021-12-05 > D
                    bill("B5", "C5", "100.00", period="2020-12-01", issued_on="2021-01-05",
                         due_on="2021-01-20")],
                   [payment("P2", "C2", "B2", "100.00", "2020-03-10 09:00:00"),
                    payment("P3", "C3", "B3", "100.00", "2021-02-10 09:00:00")])
    r = run(ex, "2021-06-30", year=2021)
    # 站1: an issued bill in 2021 → shown.
    # 站2: its only bill was paid in 2020: nothing in Y, no arrears, prior_opening 0 → left out.
    # 站3: 100 outstanding on 2020-12-31 (paid 2021-02-10): prior_opening 100 → shown.
    # 站4: its 2021 bill is not issued by D and nothing is owed → left out.
    # 站5: period 2020-12 but issued 2021-01-05 > E, so in neither S nor P; overdue at D
    #      (arrears 100) → shown, with billed 0 and prior_opening 0 (rates undefined).
    assert [row["station"] for row in r["by_station"]] == ["站1", "站3", "站5"]
    assert [row["station"] for row in r["by_village"]] == ["站1", "站3", "站5"]
    assert [row["station"] for row in r["by_line"]] == ["站1", "站3", "站5"]
    s3, s5 = r["by_station"][1], r["by_station"][2]
    assert (s3["billed"], s3["prior_opening"], s3["prior_recovered"]) == (0.0, 100.0, 100.0)
    assert s3["recovery_rate"] is None
    assert s3["prior_recovery_rate"] == pytest.approx(1.0)
    assert s3["cumulative_rate"] == pytest.approx(1.0)
    assert (s5["billed"], s5["prior_opening"], s5["arrears"], s5["arrears_prior_years"]) == (0.0, 0.0, 100.0, 100.0)
    assert (s5["recovery_rate"], s5["prior_recovery_rate"], s5["cumulative_rate"]) == (None, None, None)
    # the total still adds every station: billed 100 (B1), prior 100 (B3), arrears B1 + B5.
    assert r["total"]["billed"] == 100.0
    assert r["total"]["prior_opening"] == 100.0
    assert r["total"]["arrears"] == 200.0


def test_rows_sorted_by_key_in_code_point_order_nulls_last(tmp_path):
    # Code-point order: "Z" (5A) < "a" (61) < 一 (4E00) < 二 (4E8C); 万 (4E07) < 千 (5343);
    # 乙 (4E59) < 甲 (7532).  Pinyin or case-insensitive order would differ in each pair.
    wan, qian = "万家供电所", "千钢供电所"
    yi_line, jia_line = "10kV乙线", "10kV甲线"
    customers = [customer("A", station=qian, village="二村", line=None),
                 customer("B", station=qian, village="一村", line=yi_line),
                 customer("C", station=qian, village=None, line=jia_line),
                 customer("D", station=wan, village="一村", line=jia_line),
                 customer("E", station=qian, village="a村", line=jia_line),
                 customer("F", station=qian, village="Z村", line=yi_line)]
    ex = open_tiny(tmp_path, customers, [bill(f"B{c['customer_id']}", c["customer_id"], "100.00")
                                         for c in customers], [])
    r = run(ex, "2021-04-01")
    assert [row["station"] for row in r["by_station"]] == [wan, qian]
    assert [row["billed"] for row in r["by_station"]] == [100.0, 500.0]
    assert [(row["station"], row["village"]) for row in r["by_village"]] == [
        (wan, "一村"), (qian, "Z村"), (qian, "a村"), (qian, "一村"), (qian, "二村"), (qian, None)]
    assert [(row["station"], row["line"]) for row in r["by_line"]] == [
        (wan, jia_line), (qian, yi_line), (qian, jia_line), (qian, None)]
    # 千钢 乙线: B, F; 甲线: C, E; no line: A.
    assert [row["billed"] for row in r["by_line"]] == [100.0, 200.0, 200.0, 100.0]


def test_station_scope_counts_only_that_stations_customers(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1", station="千钢供电所"), customer("C2", station="万家供电所")],
                   [bill("B1", "C1", "100.00"), bill("B2", "C2", "300.00")],
                   [payment("P2", "C2", "B2", "300.00", "2021-03-10 09:00:00")])
    r = run(ex, "2021-04-01", stations=("千钢供电所",))
    # only C1: billed 100, nothing paid, 100 overdue.
    assert r["station"] == "千钢供电所"
    assert (r["total"]["billed"], r["total"]["recovered"], r["total"]["arrears"]) == (100.0, 0.0, 100.0)
    assert [row["station"] for row in r["by_station"]] == ["千钢供电所"]
    assert {row["station"] for row in r["by_village"] + r["by_line"]} == {"千钢供电所"}
    # all stations: 400 billed, 300 recovered.
    t = total(ex, "2021-04-01")
    assert (t["billed"], t["recovered"]) == (400.0, 300.0)


def test_extract_without_targets_is_fine(tmp_path):
    root = write_extract(tmp_path, [customer("C1")], [bill("B1", "C1", "100.00")], [], targets=None)
    assert not (root / "targets.parquet").exists()
    t = total(open_extract(root), "2021-04-01")
    assert (t["billed"], t["arrears"]) == (100.0, 100.0)


def test_every_money_figure_is_rounded_to_the_fen(tmp_path):
    ex = open_tiny(tmp_path, [customer("C1")],
                   [bill("B1", "C1", "0.10"), bill("B2", "C1", "0.20")], [])
    t = total(ex, "2021-04-01")
    # 0.10 + 0.20 = 0.30 exactly (never 0.30000000000000004).
    assert t["billed"] == 0.3
    assert t["arrears"] == 0.3
    assert all(round(t[k], 2) == t[k] for k in MONEY_KEYS)


def test_the_total_of_a_scope_with_nothing_in_it_is_one_row_of_zeros(tmp_path):
    # a station with no account: billed and arrears 0, every rate undefined (docs/DATA.md §3)
    ex = open_extract(write_extract(tmp_path, [customer("C1")], [bill("B1", "C1", "10.00")], []))
    rows = ex.query("recovery_summary", Scope(stations=("没有这个供电所",)), as_of=d("2021-12-31"),
                    year=2021, group_by="total").to_dicts()
    assert len(rows) == 1
    row = rows[0]
    assert (row["bills"], row["billed"], row["arrears"], row["arrears_customers"]) == (0, 0, 0, 0)
    assert (row["recovery_rate"], row["prior_recovery_rate"], row["cumulative_rate"]) == (None, None, None)
    by_station = ex.query("recovery_summary", Scope(stations=("没有这个供电所",)), as_of=d("2021-12-31"),
                          year=2021, group_by="station")
    assert by_station.is_empty()  # groups are left out; only the total always answers
