"""docs/DATA.md §7: python -m queries import, rule by rule, on tiny hand-made
exports. Expected values are written by hand from the contract's wording, never taken from
the importer's own tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from queries import open_extract
from queries.__main__ import main
from queries.summary import default_view, summary

D, T = dt.date, dt.datetime

# docs/DATA.md §7's header table, typed here from the contract (not imported from the code).
CONTRACT_HEADERS = {
    "customers": {
        "customer_id": ["户号", "用户编号", "CONS_NO"],
        "customer_name": ["户名", "用户名称", "CONS_NAME"],
        "phone": ["联系电话", "手机号码", "MOBILE"],
        "station": ["供电所", "供电单位", "ORG_NAME"],
        "village": ["村/社区", "所属村", "村社区"],
        "line": ["线路", "线路名称", "LINE_NAME"],
        "transformer": ["台区", "台区名称", "TG_NAME"],
        "category": ["用电类别", "ELEC_TYPE"],
        "is_high_energy": ["是否高耗能", "高耗能"],
        "industry": ["行业", "行业分类", "TRADE_NAME"],
        "meter_reader": ["抄表员", "催费责任人", "MR_EMP_NAME"],
        "is_key_account": ["是否重点客户", "重点客户"],
    },
    "bills": {
        "bill_id": ["应收标识", "应收流水号", "RCVBL_AMT_ID"],
        "customer_id": ["户号", "用户编号", "CONS_NO"],
        "period": ["电费年月", "应收年月", "RCVBL_YM"],
        "issued_on": ["发行日期", "RELEASE_DATE"],
        "due_on": ["缴费截止日期", "截止日期", "RCVBL_PENALTY_DATE"],
        "kwh": ["结算电量", "T_SETTLE_PQ"],
        "kwh_peak": ["峰电量"],
        "kwh_flat": ["平电量"],
        "kwh_valley": ["谷电量"],
        "amount": ["应收电费", "应收金额", "RCVBL_AMT"],
        "tariff": ["电价类型"],
    },
    "payments": {
        "payment_id": ["收费流水号", "实收标识", "CHARGE_ID"],
        "customer_id": ["户号", "用户编号", "CONS_NO"],
        "bill_id": ["应收标识", "应收流水号", "RCVBL_AMT_ID"],
        "paid_at": ["缴费时间", "收费时间", "CHARGE_DATE"],
        "posted_at": ["入账时间", "入账日期", "DISPOSE_DATE"],
        "amount": ["实收金额", "实收电费", "RCVED_AMT"],
        "channel": ["缴费方式", "收费方式", "PAY_MODE"],
    },
    "targets": {
        "station": ["供电所", "供电单位", "ORG_NAME"],
        "year": ["年度", "年份"],
        "recovery_target": ["回收目标", "电费回收率目标"],
        # docs/DATA.md §7 (this project's own, for per-collector targets)
        "collector": ["催费责任人", "抄表员", "MR_EMP_NAME"],
    },
    # docs/DATA.md §7 (this project's own)
    "instalment_plans": {
        "bill_id": ["应收标识", "应收流水号", "RCVBL_AMT_ID"],
        "due_on": ["分次截止日期", "计划缴费日期"],
        "amount": ["分次金额", "计划金额"],
    },
}

# One row per table: (the text in the export, the value it must become).
ONE_ROW = {
    "customers": {
        "customer_id": ("0001", "0001"), "customer_name": ("张三明", "张三明"),
        "phone": ("13800000000", "13800000000"), "station": ("一所", "一所"), "village": ("一村", "一村"),
        "line": ("10kV甲线", "10kV甲线"), "transformer": ("1#台区", "1#台区"),
        "category": ("大工业", "large_industry"), "is_high_energy": ("是", True), "industry": ("铁合金", "铁合金"),
        "meter_reader": ("李四", "李四"), "is_key_account": ("否", False),
    },
    "bills": {
        "bill_id": ("B01", "B01"), "customer_id": ("0001", "0001"), "period": ("202112", D(2021, 12, 1)),
        "issued_on": ("2021-12-05", D(2021, 12, 5)), "due_on": ("2021/12/25", D(2021, 12, 25)),
        "kwh": ("1,200", 1200.0), "kwh_peak": ("500", 500.0), "kwh_flat": ("400.5", 400.5),
        "kwh_valley": ("299.5", 299.5), "amount": ("1,234.56", Decimal("1234.56")),
        "tariff": ("市场化交易", "market"),
    },
    "payments": {
        "payment_id": ("P01", "P01"), "customer_id": ("0001", "0001"), "bill_id": ("B01", "B01"),
        "paid_at": ("2021-12-20 10:00:00", T(2021, 12, 20, 10)), "posted_at": ("20211221093000", T(2021, 12, 21, 9, 30)),
        "amount": ("1,234.56", Decimal("1234.56")), "channel": ("微信", "wechat"),
    },
    "targets": {
        "station": ("一所", "一所"), "year": ("2021", 2021), "recovery_target": ("99.5%", 0.995),
        "collector": ("李四", "李四"),
    },
    "instalment_plans": {
        "bill_id": ("B01", "B01"), "due_on": ("2021-12-25", D(2021, 12, 25)), "amount": ("600.00", Decimal("600.00")),
    },
}

CONTRACT_TYPES = {
    "customers": {"customer_id": "VARCHAR", "customer_name": "VARCHAR", "phone": "VARCHAR", "station": "VARCHAR",
                  "village": "VARCHAR", "line": "VARCHAR", "transformer": "VARCHAR", "category": "VARCHAR",
                  "is_high_energy": "BOOLEAN", "industry": "VARCHAR", "meter_reader": "VARCHAR",
                  "is_key_account": "BOOLEAN"},
    "bills": {"bill_id": "VARCHAR", "customer_id": "VARCHAR", "period": "DATE", "issued_on": "DATE",
              "due_on": "DATE", "kwh": "DOUBLE", "kwh_peak": "DOUBLE", "kwh_flat": "DOUBLE",
              "kwh_valley": "DOUBLE", "amount": "DECIMAL(18,2)", "tariff": "VARCHAR"},
    "payments": {"payment_id": "VARCHAR", "customer_id": "VARCHAR", "bill_id": "VARCHAR", "paid_at": "TIMESTAMP",
                 "posted_at": "TIMESTAMP", "amount": "DECIMAL(18,2)", "channel": "VARCHAR"},
    "targets": {"station": "VARCHAR", "year": "INTEGER", "recovery_target": "DOUBLE", "collector": "VARCHAR"},
    "instalment_plans": {"bill_id": "VARCHAR", "due_on": "DATE", "amount": "DECIMAL(18,2)"},
}


# --- making exports --------------------------------------------------------------------------

class Num:
    """A spreadsheet cell stored as a number, optionally with a number format ("0.00%")."""

    def __init__(self, value: float, fmt: str | None = None):
        self.value, self.fmt = value, fmt


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """Text is written as text cells, Num as number cells, dates as date cells, True/False as
    boolean cells, None as an empty cell."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("导出")
    formats = {}

    def fmt(spec):
        if spec not in formats:
            formats[spec] = book.add_format({"num_format": spec})
        return formats[spec]

    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, Num):
                sheet.write_number(r, c, value.value, fmt(value.fmt) if value.fmt else None)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, fmt("yyyy-mm-dd hh:mm:ss"))
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt("yyyy-mm-dd"))
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", bom: bool = False) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding))
    return path


def table_rows(table: str, alias: int = 0) -> list[list[str]]:
    """ONE_ROW of a table under the alias-th name of each header (the last where fewer)."""
    names = CONTRACT_HEADERS[table]
    columns = list(ONE_ROW[table])
    return [[names[c][min(alias, len(names[c]) - 1)] for c in columns], [ONE_ROW[table][c][0] for c in columns]]


def run_import(capsys, *args) -> tuple[int, str, str]:
    code = main(["import", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def read(out: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(out / table)


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


# --- headers and tables ----------------------------------------------------------------------

@pytest.mark.parametrize("alias", [0, 1, 2])
@pytest.mark.parametrize("table", list(ONE_ROW))
def test_every_header_name_of_the_contract_is_recognised(tmp_path, capsys, table, alias):
    export = write_csv(tmp_path / "export.csv", table_rows(table, alias))
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    rows = read(tmp_path / "out", table).to_dicts()
    assert rows == [{c: value for c, (_, value) in ONE_ROW[table].items()}]
    assert f"（{table}）" in out


def test_headers_match_without_spaces_units_or_ascii_case(tmp_path, capsys):
    rows = [["应收 标识", "cons_no", "电费年月", "发行日期", "缴费截止日期", "结算电量(kWh)", "应收金额（元）"],
            ["B01", "0001", "202112", "2021-12-05", "2021-12-25", "10", "5.00"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "b.csv", rows), "--out", tmp_path / "out")
    assert code == 0, err
    bill = read(tmp_path / "out", "bills").row(0, named=True)
    assert (bill["bill_id"], bill["customer_id"], bill["kwh"], bill["amount"]) == ("B01", "0001", 10.0, Decimal("5.00"))


def test_columns_not_listed_are_ignored_and_a_missing_optional_column_is_null(tmp_path, capsys):
    rows = [["序号", "户号", "户名", "用电地址", "供电所", "用电类别", "是否高耗能"],
            ["1", "0001", "张三明", "一村 8 号", "一所", "居民生活", "否"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "c.csv", rows), "--out", tmp_path / "out")
    assert code == 0, err
    frame = read(tmp_path / "out", "customers")
    assert frame.columns == list(CONTRACT_TYPES["customers"])  # every column of §2, no 序号 or 用电地址
    assert frame.row(0, named=True) == {
        "customer_id": "0001", "customer_name": "张三明", "phone": None, "station": "一所", "village": None,
        "line": None, "transformer": None, "category": "residential", "is_high_energy": False, "industry": None,
        "meter_reader": None, "is_key_account": None}


def test_a_payments_export_with_bill_columns_is_payments(tmp_path, capsys):
    # payments exports often repeat the bill's id, period and amount: the payment id decides
    rows = [["收费流水号", "应收标识", "户号", "电费年月", "应收金额", "缴费时间", "实收金额", "缴费方式"],
            ["P01", "B01", "0001", "202112", "100.00", "2021-12-20 10:00:00", "60.00", "支付宝"]]
    code, out, err = run_import(capsys, write_csv(tmp_path / "p.csv", rows), "--out", tmp_path / "out")
    assert code == 0, err
    assert "（payments）" in out
    assert read(tmp_path / "out", "payments")["amount"].to_list() == [Decimal("60.00")]


def test_output_types_are_the_contracts_and_the_extract_opens_with_hand_worked_figures(tmp_path, capsys):
    exports = tmp_path / "exports"
    exports.mkdir()
    for table in ONE_ROW:
        write_csv(exports / f"{table}.csv", table_rows(table))
    code, out, err = run_import(capsys, exports, "--out", tmp_path / "out")
    assert code == 0, err
    for table, types in CONTRACT_TYPES.items():
        described = duckdb.sql(f"describe select * from read_parquet('{tmp_path / 'out' / table}/*.parquet')").fetchall()
        assert {name: kind for name, kind, *_ in described} == types, table
    # One bill of 1,234.56 in 2021, paid in full on 2021-12-21: billed = recovered = 1,234.56.
    ex = open_extract(tmp_path / "out", cache_dir=tmp_path / "cache")
    total = summary(ex, default_view(ex, D(2021, 12, 31), None))["total"]
    assert (total["billed"], total["recovered"], total["arrears"]) == (1234.56, 1234.56, 0.0)
    assert "下一步：python -m queries build --data" in out


# --- encodings and title rows ----------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom, said", [
    ("utf-8", False, "UTF-8"), ("utf-8", True, "UTF-8（带 BOM）"),
    ("gbk", False, "GB18030（兼容 GBK）"), ("gb18030", False, "GB18030（兼容 GBK）")])
def test_csv_encodings_are_detected_and_said(tmp_path, capsys, encoding, bom, said):
    # 䶮 (U+4DAE) is in GB18030 but not in GBK: the GB18030 file must still read it
    name = "刘䶮" if encoding in ("gb18030", "utf-8") else "刘岩"
    rows = [["户号", "户名", "供电所", "用电类别", "是否高耗能"], ["0001", name, "城郊供电所", "乡村居民", "否"]]
    export = write_csv(tmp_path / "c.csv", rows, encoding, bom)
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    assert read(tmp_path / "out", "customers").select("customer_id", "customer_name", "station").row(0) == \
        ("0001", name, "城郊供电所")
    assert f"CSV，编码 {said}，" in out


def test_a_csv_that_is_neither_utf8_nor_gb18030_is_refused(tmp_path, capsys):
    export = tmp_path / "c.csv"
    export.write_bytes("户号,户名\n0001,".encode("utf-8") + b"\x80\xff\n")
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 2
    assert "无法按 UTF-8 或 GB18030（GBK）解码（第 2 行）" in err
    assert not (tmp_path / "out").exists()


def test_title_rows_above_the_header_and_row_numbers_as_in_the_spreadsheet(tmp_path, capsys):
    rows = [["某某供电公司 应收电费明细"], ["导出时间：2022-01-01"], [],
            ["应收标识", "户号", "电费年月", "发行日期", "缴费截止日期", "结算电量", "应收金额"],
            ["B01", "0001", "202112", "2021-12-05", "2021-12-25", "10", "5.00"],
            ["B02", "0001", "202112", "2021-13-05", "2021-12-25", "10", "5.00"]]
    for export in (write_xlsx(tmp_path / "b.xlsx", rows), write_csv(tmp_path / "b.csv", rows)):
        out_dir = tmp_path / f"out-{export.suffix[1:]}"
        code, out, err = run_import(capsys, export, "--out", out_dir)
        assert code == 0, err
        assert "表头在第 4 行" in out
        assert "发行日期：无法识别的日期" in out and "第 6 行（2021-13-05）" in out  # row 6 of the sheet
        assert read(out_dir, "bills")["bill_id"].to_list() == ["B01"]


def test_a_file_without_a_header_row_in_its_first_rows_is_refused(tmp_path, capsys):
    rows = [[f"说明 {i}"] for i in range(25)] + [["户号", "户名", "供电所", "用电类别", "是否高耗能"]]
    code, _, err = run_import(capsys, write_xlsx(tmp_path / "c.xlsx", rows), "--out", tmp_path / "out")
    assert code == 2
    assert "c.xlsx：未导入 —— 前 20 行中没有找到表头" in err


def test_an_unrecognised_table_is_refused(tmp_path, capsys):
    # known headers, but none of the columns that say which table it is (no 户号)
    rows = [["户名", "联系电话", "供电所"], ["张三明", "13800000000", "一所"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "x.csv", rows), "--out", tmp_path / "out")
    assert code == 2
    assert "x.csv：未导入 —— 无法识别是哪张表" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_required_column_refuses_the_file(tmp_path, capsys):
    rows = [["应收标识", "户号", "电费年月", "缴费截止日期", "结算电量", "应收金额"],
            ["B01", "0001", "202112", "2021-12-25", "10", "5.00"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "b.csv", rows), "--out", tmp_path / "out")
    assert code == 2
    assert "缺少必需的列 issued_on（发行日期、RELEASE_DATE）" in err
    assert not (tmp_path / "out").exists()


def test_two_headers_for_one_column_refuse_the_file(tmp_path, capsys):
    rows = [["户号", "用户编号", "户名", "供电所", "用电类别", "是否高耗能"], ["0001", "0002", "张", "一所", "其他", "否"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "c.csv", rows), "--out", tmp_path / "out")
    assert code == 2
    assert "表头“户号”和“用户编号”都对应列 customer_id" in err


# --- values ----------------------------------------------------------------------------------

def bills_with(column_header: str, values: list, xlsx: bool, tmp_path: Path) -> Path:
    """A bills export whose every row is the same but for one column."""
    base = {"应收标识": None, "户号": "0001", "电费年月": "202112", "发行日期": "2021-12-05",
            "缴费截止日期": "2021-12-25", "结算电量": "10", "应收金额": "5.00"}
    header = list(dict.fromkeys([*base, column_header]))
    rows = [header]
    for i, value in enumerate(values):
        row = {**base, "应收标识": f"B{i:02d}", column_header: value}
        rows.append([row[h] for h in header])
    return (write_xlsx if xlsx else write_csv)(tmp_path / ("b.xlsx" if xlsx else "b.csv"), rows)


def imported_bills(capsys, tmp_path: Path, export: Path) -> tuple[dict, str]:
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    frame = read(tmp_path / "out", "bills")
    return dict(zip(frame["bill_id"], frame.drop("bill_id").iter_rows(named=True))), out


MONEY = [("1,234.56", Decimal("1234.56")), ("1234.5", Decimal("1234.50")), ("-0.10", Decimal("-0.10")),
         ("¥12", Decimal("12.00")), ("12,345,678.9", Decimal("12345678.90")),
         # more than two decimals: half away from zero, as docs/DATA.md §2 reads a DOUBLE
         ("2.675", Decimal("2.68")), ("-2.675", Decimal("-2.68")), ("0.004", Decimal("0.00"))]
BAD_MONEY = ["1,23", "abc", "1e3", "1.2.3", "1,000,000,000,000"]


def test_money_forms_are_exact_decimals(tmp_path, capsys):
    values = [text for text, _ in MONEY] + BAD_MONEY
    bills, out = imported_bills(capsys, tmp_path, bills_with("应收金额", values, False, tmp_path))
    assert [bills[f"B{i:02d}"]["amount"] for i in range(len(MONEY))] == [v for _, v in MONEY]
    assert len(bills) == len(MONEY)
    assert "应收金额：无法识别的金额（可用 1234.56、1,234.56）：4 行" in out
    assert "应收金额：金额的绝对值不小于 10^12 元：1 行" in out


def test_money_as_spreadsheet_numbers(tmp_path, capsys):
    values = [Num(1234.56, "#,##0.00"), Num(0.1 + 0.2), Num(-260.22), "1,000.00"]
    bills, _ = imported_bills(capsys, tmp_path, bills_with("应收金额", values, True, tmp_path))
    assert [b["amount"] for b in bills.values()] == [Decimal("1234.56"), Decimal("0.30"), Decimal("-260.22"),
                                                     Decimal("1000.00")]


DATES = [("2021-12-31", D(2021, 12, 31)), ("2021/12/31", D(2021, 12, 31)), ("20211231", D(2021, 12, 31)),
         ("2021/1/5", D(2021, 1, 5)), ("2021年12月31日", D(2021, 12, 31)), ("2021-12-31 00:00:00", D(2021, 12, 31))]
BAD_DATES = ["2021-13-01", "2021-02-30", "31/12/2021", "44561"]  # a day number only counts in a spreadsheet


def test_date_forms(tmp_path, capsys):
    values = [text for text, _ in DATES] + BAD_DATES
    bills, out = imported_bills(capsys, tmp_path, bills_with("发行日期", values, False, tmp_path))
    assert [bills[f"B{i:02d}"]["issued_on"] for i in range(len(DATES))] == [d for _, d in DATES]
    assert len(bills) == len(DATES)
    assert "发行日期：无法识别的日期" in out and "：4 行" in out


def test_spreadsheet_dates_and_day_numbers(tmp_path, capsys):
    # Excel's day 44561 is 2021-12-31 (day 1 is 1900-01-01, counting the 1900-02-29 Excel has)
    values = [D(2021, 12, 31), Num(44561), Num(44561, "yyyy/m/d"), "2021/12/31"]
    bills, _ = imported_bills(capsys, tmp_path, bills_with("发行日期", values, True, tmp_path))
    assert [b["issued_on"] for b in bills.values()] == [D(2021, 12, 31)] * 4


PERIODS = [("202112", D(2021, 12, 1)), ("2021-12", D(2021, 12, 1)), ("2021/1", D(2021, 1, 1)),
           ("2021年12月", D(2021, 12, 1)), ("2021-12-15", D(2021, 12, 1)), ("20211201", D(2021, 12, 1))]


def test_period_forms_become_the_first_of_the_month(tmp_path, capsys):
    values = [text for text, _ in PERIODS] + ["202113", "12/2021"]
    bills, out = imported_bills(capsys, tmp_path, bills_with("电费年月", values, False, tmp_path))
    assert [bills[f"B{i:02d}"]["period"] for i in range(len(PERIODS))] == [d for _, d in PERIODS]
    assert "电费年月：无法识别的电费年月（可用 202112、2021-12 或日期）：2 行" in out


def test_period_as_a_spreadsheet_date_or_number(tmp_path, capsys):
    values = [D(2021, 12, 15), Num(202112)]
    bills, _ = imported_bills(capsys, tmp_path, bills_with("电费年月", values, True, tmp_path))
    assert [b["period"] for b in bills.values()] == [D(2021, 12, 1)] * 2


def payments_with(values: list, xlsx: bool, tmp_path: Path) -> Path:
    rows = [["收费流水号", "户号", "缴费时间", "实收金额", "缴费方式"]]
    rows += [[f"P{i:02d}", "0001", value, "1.00", "营业厅"] for i, value in enumerate(values)]
    return (write_xlsx if xlsx else write_csv)(tmp_path / ("p.xlsx" if xlsx else "p.csv"), rows)


def test_timestamp_forms(tmp_path, capsys):
    forms = [("2021-12-31 08:30:15", T(2021, 12, 31, 8, 30, 15)), ("2021/12/31 8:30", T(2021, 12, 31, 8, 30)),
             ("20211231083015", T(2021, 12, 31, 8, 30, 15)), ("2021-12-31T08:30:15.5", T(2021, 12, 31, 8, 30, 15, 500000)),
             ("2021-12-31", T(2021, 12, 31)), ("2021年12月31日", T(2021, 12, 31))]
    export = payments_with([t for t, _ in forms] + ["2021-12-31 25:00", "昨天"], False, tmp_path)
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    frame = read(tmp_path / "out", "payments").sort("payment_id")
    assert frame["paid_at"].to_list() == [t for _, t in forms]
    assert "缴费时间：无法识别的时间" in out and "第 8 行（2021-12-31 25:00）、第 9 行（昨天）" in out


def test_spreadsheet_timestamps(tmp_path, capsys):
    # day 44561.5 is noon on 2021-12-31
    export = payments_with([T(2021, 12, 31, 8, 1, 2), Num(44561.5), Num(44561.75, "yyyy-mm-dd hh:mm")], True, tmp_path)
    code, _, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    assert read(tmp_path / "out", "payments").sort("payment_id")["paid_at"].to_list() == \
        [T(2021, 12, 31, 8, 1, 2), T(2021, 12, 31, 12), T(2021, 12, 31, 18)]


def test_empty_posting_time_is_in_transit(tmp_path, capsys):
    rows = [["收费流水号", "户号", "缴费时间", "入账时间", "实收金额", "缴费方式"],
            ["P01", "0001", "2021-12-31 08:00:00", "", "1.00", "微信"]]
    code, _, err = run_import(capsys, write_csv(tmp_path / "p.csv", rows), "--out", tmp_path / "out")
    assert code == 0, err
    assert read(tmp_path / "out", "payments")["posted_at"].to_list() == [None]


def customers_with(column: str, values: list, xlsx: bool, tmp_path: Path) -> Path:
    base = {"户号": None, "户名": "张三明", "供电所": "一所", "用电类别": "居民生活", "是否高耗能": "否"}
    header = list(dict.fromkeys([*base, column]))
    rows = [header]
    for i, value in enumerate(values):
        row = {**base, "户号": f"C{i:02d}", column: value}
        rows.append([row[h] for h in header])
    return (write_xlsx if xlsx else write_csv)(tmp_path / ("c.xlsx" if xlsx else "c.csv"), rows)


def imported_customers(capsys, tmp_path: Path, export: Path, column: str) -> tuple[list, str]:
    code, out, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    return read(tmp_path / "out", "customers").sort("customer_id")[column].to_list(), out


def test_booleans(tmp_path, capsys):
    texts = ["是", "否", "Y", "N", "y", "n", "1", "0", "true", "FALSE", "", "也许"]
    values, out = imported_customers(capsys, tmp_path, customers_with("是否重点客户", texts, False, tmp_path),
                                     "is_key_account")
    assert values == [True, False, True, False, True, False, True, False, True, False, None]  # 也许 rejected
    assert "是否重点客户：无法识别的是/否（可用 是/否、Y/N、1/0、true/false）：1 行，例如 第 13 行（也许）" in out


def test_booleans_as_spreadsheet_cells(tmp_path, capsys):
    export = customers_with("是否高耗能", [True, False, Num(1), "是"], True, tmp_path)
    values, _ = imported_customers(capsys, tmp_path, export, "is_high_energy")
    assert values == [True, False, True, True]


def test_a_missing_required_value_rejects_the_row(tmp_path, capsys):
    values, out = imported_customers(capsys, tmp_path, customers_with("是否高耗能", ["是", "", "否"], False, tmp_path),
                                     "is_high_energy")
    assert values == [True, False]
    assert "是否高耗能：缺少必需的值：1 行，例如 第 3 行" in out


CATEGORIES = {"居民生活": "residential", "城镇居民": "residential", "乡村居民": "residential",
              "一般工商业": "small_power", "小动力": "small_power", "非居民照明": "small_power",
              "大工业": "large_industry", "农业生产": "agriculture", "农业排灌": "agriculture",
              "趸售": "other", "商业": "other", "residential": "residential"}


def test_category_names_map_to_codes(tmp_path, capsys):
    values, _ = imported_customers(capsys, tmp_path, customers_with("用电类别", list(CATEGORIES), False, tmp_path),
                                   "category")
    assert values == list(CATEGORIES.values())


TARIFFS = {"目录电价": "catalogue", "市场化交易": "market", "电网代理购电": "agency", "代理购电": "agency",
           "market": "market", "": None}


def test_tariff_names_map_to_codes_and_an_unknown_one_is_kept_without_a_tariff(tmp_path, capsys):
    values = [*TARIFFS, "居民合表电价"]
    bills, out = imported_bills(capsys, tmp_path, bills_with("电价类型", values, False, tmp_path))
    assert [bills[f"B{i:02d}"]["tariff"] for i in range(len(values))] == [*TARIFFS.values(), None]
    assert "已导入但有改动的行" in out and "电价类型：无法识别的电价类型，按空值（未登记）导入：1 行，例如 第 8 行（居民合表电价）" in out


CHANNELS = {"营业厅": "counter", "营业厅坐收": "counter", "坐收": "counter", "银行代扣": "bank",
            "农行代收": "bank", "代扣": "bank", "工商银行": "bank", "微信": "wechat", "微信代扣": "wechat",
            "支付宝": "alipay", "支付宝生活缴费": "alipay", "网上国网": "app", "掌上电力APP": "app",
            "走收": "door_to_door", "电e宝": "other", "其他": "other", "bank": "bank"}


def test_channels_map_by_the_words_they_contain(tmp_path, capsys):
    rows = [["收费流水号", "户号", "缴费时间", "实收金额", "缴费方式"]]
    rows += [[f"P{i:02d}", "0001", "2021-12-31 08:00:00", "1.00", name] for i, name in enumerate(CHANNELS)]
    code, _, err = run_import(capsys, write_csv(tmp_path / "p.csv", rows), "--out", tmp_path / "out")
    assert code == 0, err
    assert read(tmp_path / "out", "payments").sort("payment_id")["channel"].to_list() == list(CHANNELS.values())


def test_targets_as_fractions_or_percentages(tmp_path, capsys):
    rows = [["供电所", "年度", "回收目标", "催费责任人"],
            ["一所", "2021", "99.99%", None], ["二所", Num(2021), "0.995", None], ["三所", "2021年", Num(0.98, "0.00%"), None],
            ["一所", "2022", "100%", "李四"], ["二所", "2022", "101%", None], ["三所", "2022", "99.5", None],
            ["四所", "22", "99%", None]]
    code, out, err = run_import(capsys, write_xlsx(tmp_path / "t.xlsx", rows), "--out", tmp_path / "out")
    assert code == 0, err
    frame = read(tmp_path / "out", "targets").sort("station", "year")
    assert frame.rows() == [("一所", 2021, 0.9999, None), ("一所", 2022, 1.0, "李四"), ("三所", 2021, 0.98, None),
                            ("二所", 2021, 0.995, None)]
    assert "回收目标：无法识别的回收目标（应为 0 到 1 之间的小数，或百分数如 99.99%）：2 行，例如 第 6 行（101%）、第 7 行（99.5）" in out
    assert "年度：无法识别的年度（应为四位年份，如 2021）：1 行，例如 第 8 行（22）" in out


def test_instalment_plans(tmp_path, capsys):
    rows = [["分次结算计划"], ["应收标识", "计划缴费日期", "计划金额"],
            ["B01", D(2022, 3, 7), Num(460100, "#,##0.00")], ["B01", "2022/3/12", "394,523.52"]]
    code, out, err = run_import(capsys, write_xlsx(tmp_path / "i.xlsx", rows), "--out", tmp_path / "out")
    assert code == 0, err
    assert "（instalment_plans）" in out
    assert read(tmp_path / "out", "instalment_plans").sort("due_on").rows() == \
        [("B01", D(2022, 3, 7), Decimal("460100.00")), ("B01", D(2022, 3, 12), Decimal("394523.52"))]


# --- ids stored as numbers -------------------------------------------------------------------

def numeric_id_customers(tmp_path: Path) -> Path:
    rows = [["户号", "户名", "供电所", "用电类别", "是否高耗能"],
            [Num(51010000002), "甲", "一所", "居民生活", "否"],
            ["051010000003", "乙", "一所", "居民生活", "否"],
            [Num(51010000004), "丙", "一所", "居民生活", "否"],
            [Num(12345678901234), "丁", "一所", "居民生活", "否"]]
    return write_xlsx(tmp_path / "用户.xlsx", rows)


def test_ids_a_spreadsheet_stored_as_numbers_refuse_the_file(tmp_path, capsys):
    code, out, err = run_import(capsys, numeric_id_customers(tmp_path), "--out", tmp_path / "out")
    assert code == 2
    assert "用户.xlsx：未导入 —— 列“户号”（customer_id）—— 编号被电子表格存成了数字，前导零可能已经丢失。共 3 行，" \
           "例如 第 2 行（51010000002）、第 4 行（51010000004）、第 5 行（12345678901234）" in err
    assert "[restore]" in err
    assert not (tmp_path / "out").exists()


def test_restore_pads_numeric_ids_to_their_width(tmp_path, capsys):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[restore]\ncustomer_id = { width = 12 }\n", encoding="utf-8")
    code, out, err = run_import(capsys, numeric_id_customers(tmp_path), "--out", tmp_path / "out",
                                "--mapping", mapping)
    assert code == 0, err
    # the text cell is kept as it is; the 14-digit number cannot be a 12-digit id
    assert read(tmp_path / "out", "customers").sort("customer_id")["customer_id"].to_list() == \
        ["051010000002", "051010000003", "051010000004"]
    assert "户号：按数字存储的编号无法恢复为 12 位" in out and "第 5 行（12345678901234）" in out


def test_ids_as_text_cells_keep_their_zeros(tmp_path, capsys):
    export = write_xlsx(tmp_path / "c.xlsx", [["户号", "户名", "供电所", "用电类别", "是否高耗能"],
                                              ["000123", "甲", "一所", "居民生活", "否"]])
    code, _, err = run_import(capsys, export, "--out", tmp_path / "out")
    assert code == 0, err
    assert read(tmp_path / "out", "customers")["customer_id"].to_list() == ["000123"]


def test_mapping_adds_headers_for_any_table_or_one(tmp_path, capsys):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('"用户号" = "customer_id"\n"流水号" = "payments.payment_id"\n"交费金额" = "payments.amount"\n'
                       '"交费时间" = "paid_at"\n', encoding="utf-8")
    rows = [["说明：某系统导出"], ["流水号", "用户号", "交费时间", "交费金额", "缴费方式"],
            ["P01", "0001", "2021-12-31 08:00:00", "1.00", "微信"]]
    code, out, err = run_import(capsys, write_csv(tmp_path / "p.csv", rows), "--out", tmp_path / "out",
                                "--mapping", mapping)
    assert code == 0, err
    assert read(tmp_path / "out", "payments").select("payment_id", "customer_id", "amount").row(0) == \
        ("P01", "0001", Decimal("1.00"))


@pytest.mark.parametrize("text, said", [
    ('"户号" = "nonsense"', "表头“户号”对应的“nonsense”不是可导入的列"),
    ('"金额" = "customers.amount"', "不是可导入的列"),
    ("[restore]\nphone = { width = 11 }", "[restore] 中的 phone 不是编号列"),
    ("[restore]\ncustomer_id = { width = 0 }", "customer_id 的 width 应是 1 到 40 之间的整数"),
    ("户号 = ", "不是有效的 TOML")])
def test_a_mapping_that_cannot_be_used_is_refused(tmp_path, capsys, text, said):
    mapping = tmp_path / "m.toml"
    mapping.write_text(text, encoding="utf-8")
    code, _, err = run_import(capsys, write_csv(tmp_path / "c.csv", table_rows("customers")), "--out",
                              tmp_path / "out", "--mapping", mapping)
    assert code == 2
    assert f"映射文件 {mapping} 无法使用：" in err and said in err
    assert not (tmp_path / "out").exists()


# --- all or nothing --------------------------------------------------------------------------

def test_a_broken_file_writes_nothing_at_all(tmp_path, capsys):
    exports = tmp_path / "exports"
    exports.mkdir()
    write_csv(exports / "1-customers.csv", table_rows("customers"))
    (exports / "2-bills.xlsx").write_bytes(b"this is not a workbook")
    code, out, err = run_import(capsys, exports, "--out", tmp_path / "out")
    assert code == 2
    assert "2-bills.xlsx：未导入 —— 文件无法读取" in err
    assert "有 1 个文件无法导入（原因见上），本次没有写入任何文件。" in err
    assert "（customers）" in out  # the good file is still reported
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_no_partial_table(tmp_path, capsys, monkeypatch):
    exports = tmp_path / "exports"
    exports.mkdir()
    for table in ("customers", "bills", "payments"):
        write_csv(exports / f"{table}.csv", table_rows(table))
    real = pl.DataFrame.write_parquet
    calls = []

    def failing(self, file, *args, **kwargs):
        calls.append(file)
        if len(calls) == 2:  # the second table: half a file, then the disk is full
            Path(file).write_bytes(b"PAR1 half")
            raise OSError(28, "No space left on device")
        return real(self, file, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", failing)
    code, _, err = run_import(capsys, exports, "--out", tmp_path / "out")
    assert code == 1
    assert "无法写入输出目录" in err and "No space left on device" in err
    assert files_under(tmp_path / "out") == []


def test_an_out_directory_that_is_not_empty_needs_append(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("x")
    code, _, err = run_import(capsys, write_csv(tmp_path / "c.csv", table_rows("customers")), "--out", tmp_path / "out")
    assert code == 2
    assert "不是空的；要向已有数据追加，请加 --append" in err


def test_a_directory_argument_reads_only_its_export_files(tmp_path, capsys):
    exports = tmp_path / "exports"
    exports.mkdir()
    write_csv(exports / "c.csv", table_rows("customers"))
    (exports / "说明.txt").write_text("not an export")
    (exports / "~$c.xlsx").write_bytes(b"Excel's lock file")
    code, out, err = run_import(capsys, exports, "--out", tmp_path / "out")
    assert code == 0, err
    assert "说明.txt" not in out + err and "~$c.xlsx" not in out + err


def test_a_missing_input_is_refused(tmp_path, capsys):
    code, _, err = run_import(capsys, tmp_path / "nowhere.xlsx", "--out", tmp_path / "out")
    assert code == 2 and "找不到导出文件或文件夹" in err


# --- rows left out, and the report -----------------------------------------------------------

def test_rejected_rows_are_counted_by_reason_with_spreadsheet_row_numbers(tmp_path, capsys):
    rows = [["应收电费"],
            ["应收标识", "户号", "电费年月", "发行日期", "缴费截止日期", "结算电量", "应收金额"],
            ["B01", "0001", "202112", "2021-12-05", "2021-12-25", "10", "5.00"],   # row 3: good
            ["B02", "0001", "202112", "2021-12-05", "2021-12-25", "10", ""],       # row 4: no amount
            ["B03", "0001", "202112", "十二月五日", "2021-12-25", "10", "5.00"],   # row 5: bad date
            ["B01", "0001", "202112", "2021-12-05", "2021-12-25", "10", "6.00"],   # row 6: B01 again
            ["  "] + [None] * 6,                                                   # row 7: only spaces, not a row
            ["B04", "0001", "202112", "2021-12-05", "2021-12-25", "10", "abc"],    # row 8: bad amount
            ["B05", "0001", "202112", "2021-12-05", "2021-12-25", "10", ""]]       # row 9: no amount
    code, out, err = run_import(capsys, write_xlsx(tmp_path / "应收.xlsx", rows), "--out", tmp_path / "out")
    assert code == 0, err
    assert "应收.xlsx：应收电费（bills），Excel 工作表“导出”，表头在第 2 行" in out
    assert "读取 6 行：写入 1 行，拒绝 5 行，已存在跳过 0 行" in out
    assert "应收金额：缺少必需的值：2 行，例如 第 4 行、第 9 行" in out
    assert "发行日期：无法识别的日期（可用 2021-12-31、2021/12/31、20211231 或电子表格日期）：1 行，例如 第 5 行（十二月五日）" in out
    assert "应收标识：编号在本文件中重复（保留先出现的行）：1 行，例如 第 6 行（B01，与第 3 行相同）" in out
    assert "应收金额：无法识别的金额（可用 1234.56、1,234.56）：1 行，例如 第 8 行（abc）" in out
    assert read(tmp_path / "out", "bills")["amount"].to_list() == [Decimal("5.00")]  # the first B01


# --- --append --------------------------------------------------------------------------------

def payments_day(tmp_path: Path, name: str, ids: list[str]) -> Path:
    rows = [["收费流水号", "户号", "应收标识", "缴费时间", "入账时间", "实收金额", "缴费方式"]]
    rows += [[p, "0001", "B01", "2021-12-20 10:00:00", "2021-12-20 10:05:00", "10.00", "微信"] for p in ids]
    return write_csv(tmp_path / name, rows)


def test_append_adds_a_file_per_table_without_duplicating_ids(tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, _, err = run_import(capsys, payments_day(tmp_path, "day1.csv", ["P1", "P2"]), "--out", out_dir)
    assert code == 0, err
    day2 = payments_day(tmp_path, "day2.csv", ["P2", "P3", "P4"])  # P2 came yesterday too
    code, out, err = run_import(capsys, day2, "--out", out_dir, "--append")
    assert code == 0, err
    assert "读取 3 行：写入 2 行，拒绝 0 行，已存在跳过 1 行" in out
    assert len(list((out_dir / "payments").glob("*.parquet"))) == 2
    assert sorted(read(out_dir, "payments")["payment_id"]) == ["P1", "P2", "P3", "P4"]
    # the same day's export again: harmless, nothing new
    code, out, err = run_import(capsys, day2, "--out", out_dir, "--append")
    assert code == 0, err
    assert "已存在跳过 3 行" in out and "没有可写入的新行，未写入任何文件。" in out
    assert len(list((out_dir / "payments").glob("*.parquet"))) == 2


def test_append_into_a_new_directory_and_overlapping_files_of_one_run(tmp_path, capsys):
    out_dir = tmp_path / "out"
    day1, day12 = payments_day(tmp_path, "a.csv", ["P1"]), payments_day(tmp_path, "b.csv", ["P1", "P2"])
    code, out, err = run_import(capsys, day1, day12, "--out", out_dir, "--append")
    assert code == 0, err
    assert "读取 2 行：写入 1 行，拒绝 0 行，已存在跳过 1 行" in out
    assert sorted(read(out_dir, "payments")["payment_id"]) == ["P1", "P2"]
    assert len(list((out_dir / "payments").glob("*.parquet"))) == 1  # one file per table per run


def payments_posting(tmp_path: Path, name: str, rows: list[tuple[str, str | None]]) -> Path:
    """Payments (id, posting time or None: in transit), paid 2021-12-20 10:00."""
    header = [["收费流水号", "户号", "应收标识", "缴费时间", "入账时间", "实收金额", "缴费方式"]]
    return write_csv(tmp_path / name, header + [[p, "0001", "B01", "2021-12-20 10:00:00", posted, "10.00", "银行代收"]
                                                for p, posted in rows])


def posted(out_dir: Path) -> dict:
    return dict(read(out_dir, "payments").select("payment_id", "posted_at").rows())


# An in-transit payment (在途) is exported again the day it is posted, under the same id: --append
# does not add the id twice, but writes the posting time into the row already there.
def test_append_posts_a_payment_that_was_in_transit(tmp_path, capsys):
    out_dir = tmp_path / "out"
    day1 = payments_posting(tmp_path, "day1.csv", [("P1", "2021-12-20 10:05:00"), ("P2", None), ("P3", None)])
    assert run_import(capsys, day1, "--out", out_dir)[0] == 0
    first_file = next((out_dir / "payments").glob("*.parquet"))
    day2 = payments_posting(tmp_path, "day2.csv", [("P2", "2021-12-21 09:00:00"), ("P4", "2021-12-21 09:30:00"),
                                                   ("P3", None), ("P1", "2021-12-22 08:00:00")])
    code, out, err = run_import(capsys, day2, "--out", out_dir, "--append")
    assert code == 0, err
    assert "读取 4 行：写入 1 行，拒绝 0 行，已存在跳过 3 行" in out
    assert "其中 1 行是此前导入时尚在途（入账时间为空）、现已入账的缴费" in out
    assert f"已为此前在途、现已入账的 1 笔缴费补上入账时间（改写了 payments/{first_file.name}）" in out
    assert posted(out_dir) == {
        "P1": dt.datetime(2021, 12, 20, 10, 5),  # posted already: a later time is not taken
        "P2": dt.datetime(2021, 12, 21, 9, 0),  # posted since
        "P3": None,  # still in transit
        "P4": dt.datetime(2021, 12, 21, 9, 30)}
    assert len(list((out_dir / "payments").glob("*.parquet"))) == 2
    assert not list((out_dir / "payments").glob(".*"))  # no temporary file left
    # the same export again: nothing new, nothing to post
    code, out, err = run_import(capsys, day2, "--out", out_dir, "--append")
    assert code == 0, err
    assert "没有可写入的新行，未写入任何文件。" in out and "补上入账时间" not in out


def test_append_of_one_run_posts_a_payment_in_transit_in_an_earlier_file(tmp_path, capsys):
    out_dir = tmp_path / "out"
    day1 = payments_posting(tmp_path, "a.csv", [("P1", None), ("P2", None)])
    day2 = payments_posting(tmp_path, "b.csv", [("P1", "2021-12-21 09:00:00")])
    code, out, err = run_import(capsys, day1, day2, "--out", out_dir, "--append")
    assert code == 0, err
    assert posted(out_dir) == {"P1": dt.datetime(2021, 12, 21, 9, 0), "P2": None}
    assert len(list((out_dir / "payments").glob("*.parquet"))) == 1
    assert "改写了" not in out  # posted in this run's own rows


def test_a_posting_written_into_an_earlier_file_reaches_the_figures(tmp_path, capsys):
    """In transit at first, so not yet recovered; once the posting arrives by --append, the
    extract (built again in full: a file changed) counts the payment on its posting day."""
    customers = [["户号", "户名", "供电所", "用电类别", "是否高耗能"], ["0001", "张三", "一所", "居民生活", "否"]]
    bills = [["应收标识", "户号", "电费年月", "发行日期", "缴费截止日期", "结算电量", "应收电费"],
             ["B01", "0001", "202112", "2021-12-05", "2021-12-25", "100", "10.00"]]
    out_dir = tmp_path / "out"
    code, _, err = run_import(capsys, write_csv(tmp_path / "c.csv", customers), write_csv(tmp_path / "b.csv", bills),
                              payments_posting(tmp_path, "p1.csv", [("P1", None)]), "--out", out_dir)
    assert code == 0, err
    cache = tmp_path / "cache"
    before = summary(open_extract(out_dir, cache), as_of=dt.date(2021, 12, 31), year=2021)["total"]
    assert run_import(capsys, payments_posting(tmp_path, "p2.csv", [("P1", "2021-12-21 09:00:00")]),
                      "--out", out_dir, "--append")[0] == 0
    after = summary(open_extract(out_dir, cache), as_of=dt.date(2021, 12, 31), year=2021)["total"]
    assert (before["recovered"], before["arrears"]) == (0.0, 10.0)
    assert (after["recovered"], after["arrears"]) == (10.0, 0.0)


def test_append_of_a_table_without_ids_skips_rows_already_there(tmp_path, capsys):
    rows = [["供电所", "年度", "回收目标"], ["一所", "2021", "99.99%"]]
    out_dir = tmp_path / "out"
    assert run_import(capsys, write_csv(tmp_path / "t1.csv", rows), "--out", out_dir)[0] == 0
    rows.append(["一所", "2022", "99.5%"])
    code, out, err = run_import(capsys, write_csv(tmp_path / "t2.csv", rows), "--out", out_dir, "--append")
    assert code == 0, err
    assert "写入 1 行，拒绝 0 行，已存在跳过 1 行" in out
    assert read(out_dir, "targets").sort("year").select("year", "recovery_target").rows() == [(2021, 0.9999), (2022, 0.995)]


def test_append_refuses_a_table_kept_as_one_file(tmp_path, capsys):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    pl.DataFrame({"payment_id": ["P1"]}).write_parquet(out_dir / "payments.parquet")
    code, _, err = run_import(capsys, payments_day(tmp_path, "d.csv", ["P2"]), "--out", out_dir, "--append")
    assert code == 2
    assert "是单个文件 payments.parquet" in err
    assert files_under(out_dir) == [out_dir / "payments.parquet"]


# --- .xls ------------------------------------------------------------------------------------

def to_xls(tmp_path: Path, *sources: Path) -> list[Path]:
    """The workbooks converted to Excel 97 (.xls) by LibreOffice Calc; skips without it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH: no writer of .xls files here")
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls",
                           "--outdir", str(tmp_path / "xls"), *map(str, sources)],
                          capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    converted = [tmp_path / "xls" / f"{s.stem}.xls" for s in sources]
    if not all(p.exists() for p in converted):
        pytest.skip(f"LibreOffice could not write .xls (libreoffice-calc missing?): {done.stderr.strip()[:200]}")
    return converted


def test_xls_workbooks(tmp_path, capsys):
    customers = write_xlsx(tmp_path / "用户档案.xlsx", [
        ["用户档案"], ["户号", "户名", "供电所", "用电类别", "是否高耗能", "是否重点客户"],
        ["0001", "张三明", "一所", "农业排灌", "是", True], ["0002", "李四", "一所", "商业", "否", None]])
    bills = write_xlsx(tmp_path / "应收.xlsx", [
        ["应收标识", "户号", "电费年月", "发行日期", "缴费截止日期", "结算电量", "应收金额"],
        [Num(20211200001), "0001", Num(202112), D(2021, 12, 5), Num(44555), Num(1200), Num(1234.56, "#,##0.00")]])
    xls_customers, xls_bills = to_xls(tmp_path, customers, bills)
    code, out, err = run_import(capsys, xls_customers, "--out", tmp_path / "out")
    assert code == 0, err
    assert "表头在第 2 行" in out
    assert read(tmp_path / "out", "customers").sort("customer_id").select(
        "customer_id", "category", "is_high_energy", "is_key_account").rows() == \
        [("0001", "agriculture", True, True), ("0002", "other", False, None)]
    code, _, err = run_import(capsys, xls_bills, "--out", tmp_path / "out2")
    assert code == 2 and "列“应收标识”（bill_id）—— 编号被电子表格存成了数字" in err
    mapping = tmp_path / "m.toml"
    mapping.write_text("[restore]\nbill_id = { width = 14 }\n", encoding="utf-8")
    code, _, err = run_import(capsys, xls_bills, "--out", tmp_path / "out2", "--mapping", mapping)
    assert code == 0, err
    # 44555 is 2021-12-25 (44561 is 2021-12-31)
    assert read(tmp_path / "out2", "bills").select("bill_id", "period", "issued_on", "due_on", "kwh", "amount").rows() == \
        [("00020211200001", D(2021, 12, 1), D(2021, 12, 5), D(2021, 12, 25), 1200.0, Decimal("1234.56"))]
