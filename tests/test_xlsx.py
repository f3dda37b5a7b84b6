"""Every table downloads as a real .xlsx: Chinese headers, money with two decimals, rates as
% (truncated like on screen), a frozen header row, scope and as-of date in the first rows."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import polars as pl

from reports.columns import col
from reports.xlsx import Sheet, write_csv, write_sheets

FRAME = pl.DataFrame({
    "station": ["千钢供电所", "城郊供电所"],
    "village": ["一村", None],
    "category": ["residential", "large_industry"],
    "billed": [Decimal("1234567.80"), Decimal("50.00")],
    "recovery_rate": [0.99996, 0.5],
    "arrears_customers": [3, 0],
    "oldest_period": [dt.date(2021, 3, 1), None],
}, schema_overrides={"billed": pl.Decimal(18, 2)})
COLS = [col("station"), col("village"), col("category"), col("billed"), col("recovery_rate"),
        col("arrears_customers"), col("oldest_period")]
HEADER = ["范围：千钢供电所", "数据截至 2022 年 6 月 30 日（统计年度 2022）"]


def _sheet():
    data = write_sheets([Sheet("供电所排名", FRAME, COLS, "供电所排名")], HEADER)
    return openpyxl.load_workbook(io.BytesIO(data))["供电所排名"]


def test_scope_and_as_of_come_first_then_a_frozen_chinese_header():
    ws = _sheet()
    assert [ws.cell(r, 1).value for r in (1, 2, 3)] == ["供电所排名", *HEADER]
    header_row = 5  # title + two header lines + a blank row
    assert [ws.cell(header_row, c).value for c in range(1, 8)] == [
        "供电所", "村/社区", "用电类别", "应收电费（元）", "电费回收率", "欠费户数", "最早欠费月份"]
    assert ws.freeze_panes == "A6"


def test_values_and_number_formats():
    ws = _sheet()
    billed, rate, month = ws.cell(6, 4), ws.cell(6, 5), ws.cell(6, 7)
    assert billed.value == 1234567.80 and billed.number_format == "#,##0.00"
    # 99.996 % is truncated to 99.99 %, kept as the fraction 0.9999 under a % format
    assert abs(rate.value - 0.9999) < 1e-12 and rate.number_format == "0.00%"
    assert month.value == dt.datetime(2021, 3, 1) and month.number_format == "yyyy-mm"
    # codes read as Chinese labels, a null village as 未登记
    assert ws.cell(6, 3).value == "居民生活" and ws.cell(7, 2).value == "未登记"
    assert ws.cell(7, 3).value == "大工业"


def test_csv_has_chinese_headers_and_a_bom_for_excel():
    text = write_csv(FRAME, COLS).decode("utf-8")
    assert text.startswith("\ufeff供电所,村/社区,用电类别,应收电费（元）,电费回收率")
    assert "99.99" in text.splitlines()[1]
