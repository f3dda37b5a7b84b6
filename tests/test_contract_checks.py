"""docs/DATA.md §4: which extracts are refused (and what the message says), which breaks are
findings that still let the numbers through, and that a data directory is never written."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from queries import ExtractRefused, Scope, open_extract
from queries.labels import RULE
from queries.summary import summary
from tiny import bill, customer, d, payment, table, write_extract

CUSTOMERS = [customer("C1"), customer("C2")]
BILLS = [bill("B1", "C1", "100.00"), bill("B2", "C2", "50.00")]
PAYMENTS = [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00")]


def refusal(root: Path) -> str:
    with pytest.raises(ExtractRefused) as caught:
        open_extract(root)
    return str(caught.value)


def write_part(path: Path, name: str, rows: list[dict], types: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table(name, rows, types), path)


def without(rows: list[dict], column: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k != column} for r in rows]


# --- refusals --------------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["customers", "bills", "payments"])
def test_missing_required_table_is_refused(tmp_path, missing):
    root = write_extract(tmp_path, CUSTOMERS, BILLS, PAYMENTS)
    (root / f"{missing}.parquet").unlink()
    message = refusal(root)
    assert f"{missing}.parquet" in message
    assert RULE["missing_table"] in message


def test_folder_without_parquet_files_is_a_missing_table(tmp_path):
    root = write_extract(tmp_path, CUSTOMERS, BILLS, PAYMENTS)
    (root / "bills.parquet").unlink()
    (root / "bills" / "2021").mkdir(parents=True)
    (root / "bills" / "2021" / "readme.txt").write_text("no data here")
    message = refusal(root)
    assert "bills" in message
    assert RULE["missing_table"] in message


@pytest.mark.parametrize("name, column", [("customers", "station"), ("bills", "due_on"),
                                          ("payments", "paid_at")])
def test_missing_required_column_is_refused_naming_file_and_column(tmp_path, name, column):
    tables = {"customers": CUSTOMERS, "bills": BILLS, "payments": PAYMENTS}
    tables[name] = without(tables[name], column)
    message = refusal(write_extract(tmp_path, tables["customers"], tables["bills"], tables["payments"]))
    assert f"{name}.parquet" in message
    assert column in message
    assert RULE["missing_column"] in message


def test_missing_optional_column_is_not_refused(tmp_path):
    ex = open_extract(write_extract(tmp_path, without(CUSTOMERS, "phone"), without(BILLS, "tariff"), PAYMENTS))
    # billed 100 + 50, B1 paid in full.
    t = summary(ex, as_of=d("2021-04-01"))["total"]
    assert (t["billed"], t["recovered"]) == (150.0, 100.0)


def customer_id_as_int64(root: Path) -> tuple[str, str, str, list[str]]:
    # a numeric 户号 has already lost its leading zeros: 0007 → 7
    write_extract(root, [customer(7), customer(12)], [bill("B1", "0007", "100.00")], [],
                  types={"customers": {"customer_id": pa.int64()}})
    return "customers.parquet", "customer_id", "BIGINT", ["7", "12"]


def amount_as_string(root: Path) -> tuple[str, str, str, list[str]]:
    bills = [{**bill("B1", "C1", "100.00"), "amount": "100.00"},
             {**bill("B2", "C1", "50.00"), "amount": "五十"}]
    write_extract(root, [customer("C1")], bills, [], types={"bills": {"amount": pa.string()}})
    return "bills.parquet", "amount", "VARCHAR", ["100.00", "五十"]


def period_as_string(root: Path) -> tuple[str, str, str, list[str]]:
    bills = [{**bill("B1", "C1", "100.00"), "period": "2021-03-01"},
             {**bill("B2", "C1", "50.00"), "period": "202104"}]
    write_extract(root, [customer("C1")], bills, [], types={"bills": {"period": pa.string()}})
    return "bills.parquet", "period", "VARCHAR", ["2021-03-01", "202104"]


UNREADABLE = [customer_id_as_int64, amount_as_string, period_as_string]


@pytest.mark.parametrize("write", UNREADABLE, ids=lambda f: f.__name__)
def test_column_of_unreadable_type_is_refused_naming_file_column_and_rule(tmp_path, write):
    file, column, stored, _ = write(tmp_path)
    message = refusal(tmp_path)
    assert file in message
    assert column in message
    assert RULE["type"].split("（")[0] in message  # 列类型无法按约定读取
    assert stored in message


@pytest.mark.parametrize("write", UNREADABLE, ids=lambda f: f.__name__)
def test_column_of_unreadable_type_refusal_counts_rows_and_shows_examples(tmp_path, write):
    _, _, _, examples = write(tmp_path)
    message = refusal(tmp_path)
    # both rows hold a value that cannot be read as the declared type
    assert "共 2 行不符合" in message
    assert all(e in message for e in examples)


def test_unreadable_type_in_one_file_of_a_folder_names_that_file(tmp_path):
    root = write_extract(tmp_path, CUSTOMERS, [], PAYMENTS)
    (root / "bills.parquet").unlink()
    write_part(root / "bills" / "2021-03.parquet", "bills", BILLS)
    write_part(root / "bills" / "2021-04.parquet", "bills",
               [{**bill("B3", "C1", "1.00", period="2021-04-01"), "amount": "1.00"}],
               {"amount": pa.string()})
    message = refusal(root)
    assert "bills/2021-04.parquet" in message
    assert "bills/2021-03.parquet" not in message
    assert "amount" in message


def duplicates(name: str) -> tuple[list, list, list]:
    ids = ("K1", "K1", "K1", "K2", "K2", "K3")  # K1 three times, K2 twice, K3 once
    if name == "customers":
        return [customer(k) for k in ids], [], []
    if name == "bills":
        return [customer("C1")], [bill(k, "C1", "10.00") for k in ids], []
    return ([customer("C1")], [bill("B1", "C1", "10.00")],
            [payment(k, "C1", "B1", "1.00", "2021-03-10 09:00:00") for k in ids])


@pytest.mark.parametrize("name, key", [("customers", "customer_id"), ("bills", "bill_id"),
                                       ("payments", "payment_id")])
def test_duplicate_key_is_refused_with_count_and_examples(tmp_path, name, key):
    message = refusal(write_extract(tmp_path, *duplicates(name)))
    assert f"{name}.parquet" in message
    assert key in message
    assert RULE["duplicate"] in message
    # 3 rows share K1 and 2 share K2: 5 rows break uniqueness; K3 is no example.
    assert "共 5 行不符合" in message
    assert "K1" in message and "K2" in message
    assert "K3" not in message


def test_duplicate_across_two_files_of_a_folder_names_both_files(tmp_path):
    root = write_extract(tmp_path, CUSTOMERS, [], [])
    (root / "bills.parquet").unlink()
    write_part(root / "bills" / "2021-03.parquet", "bills", [bill("B1", "C1", "100.00")])
    write_part(root / "bills" / "2021-04.parquet", "bills",
               [bill("B1", "C1", "100.00", period="2021-04-01"), bill("B2", "C2", "5.00", period="2021-04-01")])
    message = refusal(root)
    assert "bill_id" in message
    assert RULE["duplicate"] in message
    assert "共 2 行不符合" in message
    assert "B1" in message
    assert "bills/2021-03.parquet" in message
    assert "bills/2021-04.parquet" in message


def test_period_not_on_the_first_is_refused_with_count_and_five_examples(tmp_path):
    bills = [bill(f"B{i}", "C1", "10.00", period=f"2021-03-{10 + i}") for i in range(1, 8)]
    bills.append(bill("B8", "C1", "10.00", period="2021-03-01"))
    message = refusal(write_extract(tmp_path, [customer("C1")], bills, []))
    assert "bills.parquet" in message
    assert "period" in message
    assert RULE["period_first"] in message
    # B1..B7 are on the 11th..17th: 7 rows; only five are shown; B8 is fine.
    assert "共 7 行不符合" in message
    assert sum(f"B{i}" in message for i in range(1, 8)) == 5
    assert "B8" not in message


def test_period_not_on_the_first_in_a_folder_names_the_file(tmp_path):
    root = write_extract(tmp_path, [customer("C1")], [], [])
    (root / "bills.parquet").unlink()
    write_part(root / "bills" / "2021" / "03.parquet", "bills", [bill("B1", "C1", "1.00")])
    write_part(root / "bills" / "2021" / "04.parquet", "bills", [bill("B2", "C1", "1.00", period="2021-04-02")])
    message = refusal(root)
    assert "bills/2021/04.parquet" in message
    assert "bills/2021/03.parquet" not in message
    assert "共 1 行不符合" in message
    assert "B2" in message


# --- findings: listed, not refused --------------------------------------------------

def findings_extract(root: Path):
    return open_extract(write_extract(
        root,
        [customer("C1"), customer("C2", category="commercial")],
        [bill("B1", "C1", "100.00", kwh=100.0, kwh_peak=30.0, kwh_flat=40.0, kwh_valley=30.5),  # off by 0.5
         bill("B2", "C1", "200.00", kwh=100.0, kwh_peak=30.0, kwh_flat=40.0, kwh_valley=31.5),  # off by 1.5
         bill("B3", "C1", "50.00", due_on="2021-03-01"),  # issued 03-05
         bill("B4", "C1", "10.00", kwh=-5.0, tariff="flat_rate"),
         bill("B5", "C2", "70.00"),
         bill("B9", "C9", "1000.00")],  # C9 is not a customer
        [payment("P1", "C1", "B1", "100.00", "2021-03-10 09:00:00"),
         payment("P2", "C9", "B9", "1000.00", "2021-03-10 09:00:00"),
         payment("P3", "C1", "B404", "20.00", "2021-03-10 09:00:00"),  # no such bill
         payment("P4", "C1", "B2", "50.00", "2021-03-10 09:00:00", channel="bitcoin")]))


def findings(ex) -> dict[tuple[str, str], tuple[int, list[str]]]:
    rows = ex.query_rows("select table_name, column_name, rule, rows, examples from findings where rows > 0")
    return {(table, rule): (count, list(examples)) for table, _, rule, count, examples in rows}


def finding(found: dict, table: str, rule: str) -> tuple[int, str]:
    matches = [(count, " ".join(ex)) for (t, r), (count, ex) in found.items()
               if t == table and r.startswith(rule.split("（")[0])]
    assert len(matches) == 1, (table, rule, found)
    return matches[0]


@pytest.mark.parametrize("table_name, rule, example", [
    ("bills", RULE["orphan_customer"], "B9"),
    ("payments", RULE["orphan_customer"], "P2"),
    ("payments", RULE["orphan_bill"], "B404"),
    ("bills", RULE["due_before_issue"], "B3"),
    ("bills", RULE["negative_kwh"], "B4"),
    ("bills", RULE["tou_mismatch"], "B2"),
    ("customers", RULE["unknown_code"], "commercial"),
    ("bills", RULE["unknown_code"], "flat_rate"),
    ("payments", RULE["unknown_code"], "bitcoin"),
])
def test_rule_break_is_a_finding_with_count_and_example(tmp_path, table_name, rule, example):
    count, examples = finding(findings(findings_extract(tmp_path)), table_name, rule)
    assert count == 1
    assert example in examples


def test_tou_parts_within_one_kwh_are_not_a_finding(tmp_path):
    count, examples = finding(findings(findings_extract(tmp_path)), "bills", RULE["tou_mismatch"])
    # B1: 30 + 40 + 30.5 = 100.5 vs 100 → within 1 kWh; only B2 (101.5) is listed.
    assert count == 1
    assert "B1" not in examples


def test_findings_do_not_stop_the_numbers(tmp_path):
    t = summary(findings_extract(tmp_path), as_of=d("2021-04-30"))["total"]
    # known customers' bills B1..B5: 100 + 200 + 50 + 10 + 70 = 430 (B9 is C9's: nowhere).
    # recovered: B1 100, B2 50 (paid through an unknown channel still counts) = 150;
    # P3 settles no bill.  overdue at 04-30: B2 150, B3 50 (due 03-01), B4 10, B5 70 = 280,
    # owed by C1 and C2.
    assert t["billed"] == 430.0
    assert t["recovered"] == 150.0
    assert t["arrears"] == 280.0
    assert t["arrears_customers"] == 2


# --- the data directory is read-only ---------------------------------------------------

def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (st.st_size if p.is_file() else 0, st.st_mtime_ns)
    st = root.stat()
    out["."] = (0, st.st_mtime_ns)
    return out


@pytest.mark.parametrize("layout", ["single", "folder"])
def test_data_directory_is_never_written(tmp_path, fee_cache_dir, layout):
    root = write_extract(tmp_path / "extract", CUSTOMERS, BILLS, PAYMENTS)
    if layout == "folder":
        (root / "bills.parquet").unlink()
        write_part(root / "bills" / "2021" / "03.parquet", "bills", BILLS)
    before = snapshot(root)

    ex = open_extract(root)
    summary(ex, as_of=d("2021-04-01"), scope=Scope(stations=("千钢供电所",)))
    ex.query_rows("select * from findings")
    del ex
    summary(open_extract(root), as_of=d("2021-04-01"))  # opened again from the cache

    assert snapshot(root) == before
    assert any(fee_cache_dir.iterdir())  # the rollups went to the cache dir instead


def test_an_open_extract_can_be_opened_again(tmp_path):
    root = write_extract(tmp_path, CUSTOMERS, BILLS, PAYMENTS)
    first = open_extract(root)
    second = open_extract(root)
    # both answer: billed 100 + 50 by 2021-04-01
    for ex in (first, second):
        assert summary(ex, as_of=d("2021-04-01"))["total"]["billed"] == 150.0
