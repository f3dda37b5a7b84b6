"""The daily brief (reports/daily.py) and `python -m reports daily-report`.

The extract `town` is small enough to work every figure out by hand. As of D = 2022-03-10:
  甲所 (target 99 %): C1 张三明 B1 100 paid · B2 200, 50 paid 03-09 · B9 90 issued on D, 90 paid
          on D but still in transit; C2 王小红 B3 300 paid on D.
  乙所 (no target, so 100 %): C3 赵大海 B4 80 (2021-11) unpaid · B5 120, bank paid 100;
          C4 铁合金公司 (large industry, high energy) B6 10,000 paid · B7 12,000, 6,000 paid ·
          B8 9,000 (2021-12) paid 2022-01-10.
2022: billed 100+200+300+90+120+10,000+12,000 = 22,810; recovered 100+50+300+100+10,000+6,000
= 16,550. Earlier years: prior_opening 80 + 9,000 = 9,080, prior_recovered 9,000.
Arrears (overdue on D): B2 150 + B4 80 + B5 20 + B7 6,000 = 6,250 in 3 accounts; on D − 1 also
B3 300: 6,550 in 4 accounts. Collected on D: 300 (B3); newly billed on D: 90 (B9).
Bills are due on the 20th of their month, so B2, B5, B7 are 18 days overdue on D and B4
(due 2021-11-20) 10 + 31 + 31 + 28 + 10 = 110 days.

Risk grades on D (history: bill months 2021-03 … 2022-02): C3 高 (B4 110 days > 90). C1 低: 18
days; B1 100 + B2 200 over 2 months = 150 a month, and 150 < 300; only B2 owed on its due date.
C4 低: 31,000 over 3 months, 6,000 < 2 × 10,333.33; B8 and B7 owed on their due dates (2 < 3).
At the end of February (history 2021-02 … 2022-01): C1 owed B2 200 ≥ 2 × B1's 100: 中; C2 owed
B3 300 with no history: 低; C3 高 (B4 100 days); C4 owed B7 12,000 < 2 × 9,500: 低. So C1 went
down, C2 cleared (paid on D), C3 and C4 stayed: high 1 → 1, medium 1 → 0, low 2 → 2.
Penalty exposure on D (×0.001 a day residential, ×0.002 a day other in the bill's year):
B2 150 × 18 × 0.001 = 2.70; B4 80 × 110 × 0.001 = 8.80; B5 20 × 0.018 = 0.36 → the minimum
1.00; B7 6,000 × 18 × 0.002 = 216.00. Total 228.50 on 4 bills: 乙所 225.80 (3), 甲所 2.70 (1).
Collectors: 周收费 (乙所) 16,100 / 22,120 = 72.78 % ranks before 李催费 (甲所) 450 / 690 = 65.21 %.
Year-end projection: the town's only earlier year, 2021, starts with November's bill, so there
is none (too little history); the known curves of tests/curves.py give one, worked out there.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from queries import Scope, View, collections, open_extract
from queries.summary import default_view
from reports import daily
from reports.__main__ import main
from queries import labels
from reports import format as fmt
from curves import JUNE_30_TO_DEC_31, band_extract
from tiny import bill, customer, payment, write_extract

D = dt.date(2022, 3, 10)
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "extract"
SHEETS = ["汇总", "年底预测", "供电所", "线路", "催费责任人", "风险分级", "风险等级变化", "违约金敞口", "欠费前列", "银行代扣不足",
          "在途款项"]
# the personal data of the accounts with arrears (C4 is an organisation: its name is shown)
PERSONAL = ["张三明", "赵大海", "18812348912", "13700002222", "04731234567"]
COLLECTORS = ["李催费", "周收费"]  # staff, named on purpose


def write_town(root: Path) -> Path:
    customers = [
        customer("C1", "甲所", "一村", "L1", customer_name="张三明", phone="18812348912", meter_reader="李催费"),
        customer("C2", "甲所", "二村", "L2", "small_power", customer_name="王小红", phone="13900001111",
                 meter_reader="李催费"),
        customer("C3", "乙所", "三村", "L3", customer_name="赵大海", phone="13700002222", meter_reader="周收费"),
        customer("C4", "乙所", "三村", "L3", "large_industry", customer_name="乌海某铁合金有限公司",
                 phone="04731234567", meter_reader="周收费", is_high_energy=True, industry="铁合金",
                 is_key_account=True),
    ]
    bills = [
        bill("B1", "C1", "100.00", "2022-01-01"),
        bill("B2", "C1", "200.00", "2022-02-01"),
        bill("B3", "C2", "300.00", "2022-02-01"),
        bill("B4", "C3", "80.00", "2021-11-01"),
        bill("B5", "C3", "120.00", "2022-02-01"),
        bill("B6", "C4", "10000.00", "2022-01-01", kwh=20000.0),
        bill("B7", "C4", "12000.00", "2022-02-01", kwh=21000.0),
        bill("B8", "C4", "9000.00", "2021-12-01", kwh=19000.0),
        bill("B9", "C1", "90.00", "2022-03-01", issued_on="2022-03-10"),
    ]
    payments = [
        payment("P1", "C1", "B1", "100.00", "2022-01-10 09:00:00"),
        payment("P2", "C1", "B2", "50.00", "2022-03-09 10:00:00"),
        payment("P3", "C2", "B3", "300.00", "2022-03-10 11:00:00"),
        payment("P4", "C3", "B5", "100.00", "2022-02-18 08:00:00", channel="bank"),
        payment("P5", "C4", "B6", "10000.00", "2022-01-15 15:00:00", channel="bank"),
        payment("P6", "C4", "B7", "6000.00", "2022-03-01 15:00:00", channel="counter"),
        payment("P7", "C4", "B8", "9000.00", "2022-01-10 15:00:00", channel="counter"),
        payment("P8", "C1", "B9", "90.00", "2022-03-10 18:00:00", posted_at=None),
    ]
    targets = [{"station": "甲所", "year": 2022, "recovery_target": 0.99}]
    return write_extract(root, customers, bills, payments, targets)


@pytest.fixture(scope="module")
def town(tmp_path_factory, session_cache_dir):
    return open_extract(write_town(tmp_path_factory.mktemp("town") / "extract"), cache_dir=session_cache_dir)


def personal_data(ex) -> tuple[set[str], set[str]]:
    """The real names (of people: organisations' names are shown) and phones of every account
    with arrears, from the customers table itself. Names that are also a collector's are left
    out: collectors are named on purpose."""
    owing = ex.query("arrears_accounts", Scope(), as_of=ex.default_as_of, show_personal=False, limit=0)
    people = pl.read_parquet(ex.data_dir / "customers.parquet").filter(
        pl.col("customer_id").is_in(owing["customer_id"].to_list()))
    collectors = set(people["meter_reader"].drop_nulls())
    names = set(people.filter(pl.col("category") != "large_industry")["customer_name"]) - collectors
    return names, set(people["phone"].drop_nulls())


@pytest.fixture(scope="module")
def report(town):
    return daily.build(town, default_view(town))


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(io.BytesIO(daily.to_xlsx(report)))


def table(ws) -> tuple[list[str], list[list]]:
    """The header row (the one after the blank line under the header lines) and the rows."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if all(v is None for v in r)) + 1
    return list(rows[top]), [list(r) for r in rows[top + 1:]]


def column(ws, label: str) -> list:
    header, rows = table(ws)
    return [r[header.index(label)] for r in rows]


# --- the data object ---------------------------------------------------------------------------

def test_report_defaults_to_the_latest_posting_and_its_year(report):
    assert report.view.as_of == D and report.view.year == 2022 and report.view.yesterday == dt.date(2022, 3, 9)
    assert report.scope_text == "全部供电所"


def test_headline_figures_worked_out_by_hand(report):
    t, b = report.total, report.total_before
    assert t["billed"] == Decimal("22810.00") and t["recovered"] == Decimal("16550.00")
    assert t["prior_opening"] == Decimal("9080.00") and t["prior_recovered"] == Decimal("9000.00")
    assert t["arrears"] == Decimal("6250.00") and t["arrears_customers"] == 3
    assert t["arrears_current_year"] == Decimal("6170.00") and t["arrears_prior_years"] == Decimal("80.00")
    assert b["arrears"] == Decimal("6550.00") and b["arrears_customers"] == 4
    assert report.today["collected"] == Decimal("300.00") and report.today["newly_billed"] == Decimal("90.00")
    assert report.yesterday["collected"] == Decimal("50.00")


def test_report_equals_the_query_layer(town, report):
    for day, got in ((D, report.total), (D - dt.timedelta(days=1), report.total_before)):
        q = town.query("recovery_summary", Scope(), as_of=day, year=2022, group_by="total").row(0, named=True)
        for key in ("billed", "recovered", "recovery_rate", "prior_recovery_rate", "cumulative_rate",
                    "arrears", "arrears_customers"):
            assert got[key] == q[key], key
    q = town.query("recovery_summary", Scope(), as_of=D, year=2022, group_by="station")
    assert dict(zip(report.stations["station"], report.stations["recovery_rate"])) == \
        dict(zip(q["station"], q["recovery_rate"]))


def test_station_ranking_best_rate_first_with_gap_and_change(town, report):
    st = report.stations
    assert st["station"].to_list() == ["乙所", "甲所"] and st["rank"].to_list() == [1, 2]
    assert st.equals(town.query("ranking", Scope(), as_of=D, year=2022, group_by="station"))  # ranking.sql's rows
    jia = st.row(1, named=True)
    assert jia["target"] == pytest.approx(0.99)
    assert jia["gap_to_target"] == pytest.approx((450 / 690 - 0.99) * 100)
    # 甲所 on D − 1: billed 600 (B9 not issued), recovered 150; on D 690 and 450.
    assert jia["rate_change"] == pytest.approx((450 / 690 - 150 / 600) * 100)
    assert jia["arrears_change"] == Decimal("-300.00") and jia["arrears_customers_change"] == -1


def test_collector_ranking_groups_by_meter_reader(report):
    assert report.collectors.select("rank", "station", "collector").rows() == [(1, "乙所", "周收费"), (2, "甲所", "李催费")]
    assert [fmt.pct(r) for r in report.collectors["recovery_rate"]] == ["72.78 %", "65.21 %"]
    assert [fmt.points(g) for g in report.collectors["gap_to_target"]] == ["-27.21", "-33.78"]


def test_risk_grades_worked_out_by_hand(report):
    assert report.risk.select("risk_grade", "customers", "arrears", "penalty_exposure").rows() == [
        ("high", 1, Decimal("100.00"), Decimal("9.80")),      # C3: B4 8.80 + B5 1.00
        ("medium", 0, Decimal("0.00"), Decimal("0.00")),
        ("low", 2, Decimal("6150.00"), Decimal("218.70")),    # C1 2.70, C4 216.00
    ]
    assert collections.moves_by_kind(report.risk_moves) == {"up": 0, "down": 1, "new": 0, "cleared": 1, "same": 2}
    assert collections.grades_then_and_now(report.risk_moves) == {"high": (1, 1), "medium": (1, 0), "low": (2, 2)}
    top = report.top_arrears
    assert top.select("customer_id", "risk_grade_label", "risk_reason_text").rows() == [
        ("C4", "低", "欠费逾期 18 天，未达到中、高风险条件"),
        ("C1", "低", "欠费逾期 18 天，未达到中、高风险条件"),
        ("C3", "高", "有欠费逾期超过 90 天（最长 110 天）"),
    ]


def test_penalty_exposure_worked_out_by_hand(report):
    assert (report.penalty["penalty_exposure"], report.penalty["penalty_bills"]) == (Decimal("228.50"), 4)
    assert report.penalty_stations.select("station", "penalty_exposure", "penalty_bills").rows() == [
        ("乙所", Decimal("225.80"), 3), ("甲所", Decimal("2.70"), 1)]


def test_too_little_history_gives_no_projection_and_says_why(report, book):
    # 2021 is the town's only earlier year, and the extract holds it from November on
    why = "历史数据不足，无法预测：2021 年的数据不是从 1 月开始。"
    assert report.projection.projected_rate is None and report.projection.reason == why
    assert f"- 年底预测：{why}\n" in daily.to_markdown(report)
    header, rows = table(book["年底预测"])
    assert header == ["2022 年应收电费（元）", "2022 年实收电费（元）", "2022 年电费回收率", "回收目标", "说明"]
    # the target mixes 甲所's 99 % (690 billed) and 乙所's 100 % (22,120): 22,803.10 / 22,810 =
    # 99.9697 %, truncated 99.96 %
    assert rows == [[22810, 16550, pytest.approx(0.7255), pytest.approx(0.9996), why]]


@pytest.fixture(scope="module")
def known_curves(tmp_path_factory, session_cache_dir):
    """tests/curves.py's band extract in 万元: every amount × 10,000 (bills of 1,000,000.00)."""
    return band_extract(tmp_path_factory.mktemp("curves") / "extract", scale=10_000, cache_dir=session_cache_dir)


def test_projection_on_earlier_years_of_known_curves_worked_out_by_hand(known_curves):
    """As of 30 June 2022 (tests/curves.py): 2020 gives 87.5 %, 2021 100 %: the projection is their
    mean 93.75 %, the band 87.5 % – 100 %; projected billed 2,000,000 (1,000,000 × 200 ÷ 100);
    needed (95 % × 2,000,000 − 800,000) ÷ 184 days = 5,978.26 元 a day, 0.60 万元."""
    june_30 = dt.date(2022, 6, 30)
    r = daily.build(known_curves, View(as_of=june_30, year=2022))
    line = ("- 年底预测：按 2020、2021 年同期的回收走势推算，2022 年底回收率预计 93.75 %（区间 87.50 % – 100.00 %）；"
            "要达到目标 95.00 %，2022 年 7 月 1 日起至 12 月 31 日（共 184 个日历天）需日均回收 0.60 万元。")
    assert line + "\n" in daily.to_markdown(r)
    book = openpyxl.load_workbook(io.BytesIO(daily.to_xlsx(r)))
    assert book.sheetnames == SHEETS
    ws = book["年底预测"]
    assert ws.cell(row=1, column=1).value == "电费回收日报（2022-06-30） · 2022 年底回收率预测"
    header, rows = table(ws)
    assert header == ["2022 年应收电费（元）", "2022 年实收电费（元）", "2022 年电费回收率", "回收目标", "预测年底回收率",
                      "预测区间下限", "预测区间上限", "依据年份", "预测年底应收电费（元）", "剩余日历天数",
                      "需日均回收（元）", "说明"]
    assert rows == [[1_000_000, 800_000, pytest.approx(0.8), pytest.approx(0.95), pytest.approx(0.9375),
                     pytest.approx(0.875), pytest.approx(1.0), "2020、2021", pytest.approx(2_000_000),
                     JUNE_30_TO_DEC_31, pytest.approx((0.95 * 2_000_000 - 800_000) / 184), line[len("- 年底预测："):]]]
    top = int(ws.freeze_panes[1:])
    assert ws.cell(row=top, column=header.index("需日均回收（元）") + 1).number_format == "#,##0.00"

    # a report of 统计年度 2021 as of the same day still projects D's year, 2022
    r = daily.build(known_curves, View(as_of=june_30, year=2021))
    assert r.projection.year == 2022 and line + "\n" in daily.to_markdown(r)


def test_lists_are_masked_and_hold_the_expected_accounts(report):
    top = report.top_arrears
    assert top["customer_id"].to_list() == ["C4", "C1", "C3"]
    assert top["customer_name"].to_list() == ["乌海某铁合金有限公司", "张*明", "赵*海"]
    assert report.bank_shortfall["bill_id"].to_list() == ["B5"]
    assert report.bank_shortfall["shortfall"].to_list() == [Decimal("20.00")]
    assert report.in_transit["payment_id"].to_list() == ["P8"]


def test_a_station_scope_narrows_every_part(town):
    r = daily.build(town, View(as_of=D, year=2022, scope=Scope(stations=("甲所",))))
    assert r.scope_text == "甲所"
    assert r.total["billed"] == Decimal("690.00") and r.total["arrears"] == Decimal("150.00")
    assert r.stations["station"].to_list() == ["甲所"]
    assert r.top_arrears["customer_id"].to_list() == ["C1"]
    assert r.bank_shortfall.is_empty()


def test_the_views_year_is_the_reports_year(town):
    """统计年度 2021 as of D: 乙所's 2021 bills B4 80 (unpaid) and B8 9,000 (paid 2022-01-10):
    billed 9,080, recovered 9,000; 甲所 billed nothing in 2021 (its rate is undefined: last),
    but owes 150. No target is set for 2021: 100 %."""
    r = daily.build(town, View(as_of=D, year=2021))
    assert r.view.year == 2021
    assert r.total["billed"] == Decimal("9080.00") and r.total["recovered"] == Decimal("9000.00")
    assert r.total["target"] == 1.0
    assert r.stations.select("station", "billed", "recovery_rate").rows() == [
        ("乙所", Decimal("9080.00"), 9000 / 9080), ("甲所", Decimal("0.00"), None)]
    assert "统计年度 2021" in r.header_lines()[1]
    assert f"2021 年{labels.METRIC['billed']} {fmt.wan(Decimal('9080'))}" in daily.to_markdown(r)
    header, _ = table(openpyxl.load_workbook(io.BytesIO(daily.to_xlsx(r)))["汇总"])
    assert "2021 年应收电费（元）" in header


def test_gaps_and_changes_in_the_text_are_ranking_sqls(report):
    """乙所: 16,100 ÷ 22,120 = 72.7848… % against no target (100 %): 27.2151… points under,
    shown -27.21 (truncated like the rates); the number is ranking.sql's gap_to_target."""
    yi = report.stations.row(0, named=True)
    assert f"| 1 | 乙所 | 72.78 % | {fmt.points(yi['gap_to_target'])} |" in daily.to_markdown(report)
    assert fmt.points(yi["gap_to_target"]) == "-27.21"


def test_a_scope_without_accounts_gives_zeros_not_an_error(town):
    r = daily.build(town, View(as_of=D, year=2022, scope=Scope(stations=("没有这个所",))))
    assert r.total["billed"] == 0 and r.total["recovery_rate"] is None
    assert "—" in daily.to_markdown(r)
    assert daily.to_xlsx(r)[:2] == b"PK"


# --- the workbook ---------------------------------------------------------------------------------

def test_workbook_sheets_and_header_lines(book):
    assert book.sheetnames == SHEETS
    for ws in book:
        lines = [ws.cell(row=i, column=1).value for i in range(1, 5)]
        assert lines[1] == "范围：全部供电所"
        assert lines[2].startswith("数据截至 2022 年 3 月 10 日")
        assert ws.freeze_panes is not None
        header_row = int(ws.freeze_panes[1:]) - 1
        assert ws.cell(row=header_row, column=1).value == table(ws)[0][0]


def test_summary_sheet_rows_are_today_yesterday_and_change(book, report):
    ws = book["汇总"]
    header, rows = table(ws)
    assert [r[0] for r in rows] == ["截至 2022-03-10（当日）", "截至 2022-03-09（昨日）", "较昨日（比率为百分点）"]
    now, before, change = rows

    def cell(row, label):
        return row[header.index(label)]

    assert cell(now, "当日回收（元）") == 300 and cell(now, "当日新发行电费（元）") == 90
    assert cell(now, "2022 年应收电费（元）") == 22810 and cell(now, "2022 年实收电费（元）") == 16550
    assert cell(now, "欠费（元）") == 6250 and cell(before, "欠费（元）") == 6550
    assert cell(change, "欠费（元）") == -300 and cell(change, "欠费户数") == -1
    # rates are stored as the truncated percentage the dashboard shows (72.55 % → 0.7255)
    assert cell(now, "2022 年电费回收率") == pytest.approx(float(fmt.truncated_rate(report.total["recovery_rate"])) / 100)
    assert cell(now, "以前年度回收率") == pytest.approx(0.9911)
    assert cell(now, "累计回收率") == pytest.approx(0.8011)


def test_money_cells_have_two_decimals_and_rates_are_percent(book):
    for ws in book:
        header, rows = table(ws)
        top = int(ws.freeze_panes[1:])
        for j, label in enumerate(header):
            cells = [ws.cell(row=top + i, column=j + 1) for i in range(len(rows))]
            numbers = [c for c in cells if isinstance(c.value, (int, float))]
            if "（元）" in label:
                assert numbers and all(c.number_format == "#,##0.00" for c in numbers), (ws.title, label)
            if label.endswith("回收率") or label == "回收目标":
                assert all(c.number_format == "0.00%" for c in numbers), (ws.title, label)


def test_sheets_hold_the_query_layer_rows(book, town):
    assert column(book["供电所"], "供电所") == ["乙所", "甲所"]
    q = town.query("recovery_summary", Scope(), as_of=D, year=2022, group_by="station")
    arrears = dict(zip(q["station"], q["arrears"]))
    assert column(book["供电所"], "欠费（元）") == [float(arrears["乙所"]), float(arrears["甲所"])]
    assert column(book["欠费前列"], "户名") == ["乌海某铁合金有限公司", "张*明", "赵*海"]
    assert column(book["欠费前列"], "欠费（元）") == [6000, 150, 100]
    assert column(book["银行代扣不足"], "不足金额（元）") == [20]
    assert column(book["在途款项"], "付款金额（元）") == [90]


def test_sheets_of_grades_moves_and_penalties(book):
    assert column(book["风险分级"], "风险等级") == ["高", "中", "低"]
    assert column(book["风险分级"], "欠费户数") == [1, 0, 2]
    assert column(book["风险分级"], "欠费（元）") == [100, 0, 6150]
    moves = book["风险等级变化"]
    assert list(zip(column(moves, "上月末风险等级"), column(moves, "当前风险等级"), column(moves, "变化"),
                    column(moves, "户数"))) == [
        ("高", "高", "不变", 1), ("低", "低", "不变", 1), ("中", "低", "降级", 1), ("低", "无欠费", "结清", 1)]
    assert column(moves, "当前欠费（元）") == [100, 6000, 150, 0]
    assert column(book["违约金敞口"], "供电所") == ["合计", "乙所", "甲所"]
    assert column(book["违约金敞口"], "违约金敞口（元）") == [228.5, 225.8, 2.7]
    assert column(book["违约金敞口"], "计违约金笔数") == [4, 3, 1]
    assert column(book["欠费前列"], "风险等级") == ["低", "低", "高"]
    assert column(book["欠费前列"], "定级原因")[2] == "有欠费逾期超过 90 天（最长 110 天）"


def all_text(book) -> str:
    return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_no_personal_data_in_the_workbook_or_the_text(book, report):
    for text in (all_text(book), daily.to_markdown(report)):
        for secret in PERSONAL:
            assert secret not in text
        for name in COLLECTORS:  # the collector ranking names its staff: this check could see a name
            assert name in text


# --- the text for WeChat --------------------------------------------------------------------------

def test_markdown_carries_the_headline_figures_formatted(report):
    md = daily.to_markdown(report)
    t = report.total
    assert "数据截至 2022 年 3 月 10 日" in md
    for figure in (fmt.wan(Decimal("300")), fmt.wan(t["billed"]), fmt.wan(t["recovered"]),
                   fmt.pct(t["recovery_rate"]), fmt.pct(t["prior_recovery_rate"]), fmt.pct(t["cumulative_rate"]),
                   fmt.wan(t["arrears"]), fmt.count(3), fmt.wan_signed(Decimal("-300")), fmt.count_signed(-1)):
        assert figure in md, figure
    assert "| 1 | 乙所 | 72.78 % |" in md and "| 2 | 甲所 | 65.21 % |" in md
    assert "| C1 | 张*明 |" in md


def test_markdown_ranks_collectors_and_gives_grades_moves_and_penalties(report):
    md = daily.to_markdown(report)
    assert "| 1 | 乙所 | 周收费 | 72.78 % | -27.21 |" in md and "| 2 | 甲所 | 李催费 | 65.21 % | -33.78 |" in md
    assert "与上月末 2022-02-28 相比" in md
    assert f"- 高风险 1 户（与上月末持平），欠费 {fmt.wan(Decimal('100'))}" in md
    assert f"- 中风险 0 户（较上月末 -1 户），欠费 {fmt.wan(Decimal('0'))}" in md
    assert "- 升级 0 户，降级 1 户，新增 0 户，结清 1 户" in md
    assert f"**违约金敞口** {fmt.wan(Decimal('228.50'))}（4 笔" in md
    assert f"：乙所 {fmt.wan(Decimal('225.80'))}、甲所 {fmt.wan(Decimal('2.70'))}" in md
    assert "| C3 | 赵*海 | 高 | 乙所 |" in md


def test_markdown_lists_the_first_and_last_five_of_many_collectors(report):
    many = pl.concat([report.collectors] * 6).with_columns(pl.int_range(1, 13).alias("rank"))
    md = daily.to_markdown(daily.DailyReport(**{**report.__dict__, "collectors": many}))
    table = md[md.index("**抄表催费责任人排名**"):md.index("**风险分级**")]
    assert "列出前 5 名与后 5 名，共 12 人" in table
    assert [line.split(" | ")[0] for line in table.splitlines() if line.startswith("| ") and "名次" not in line] == \
        ["| 1", "| 2", "| 3", "| 4", "| 5", "| …", "| 8", "| 9", "| 10", "| 11", "| 12"]


def test_markdown_lists_at_most_ten_accounts(report):
    many = pl.concat([report.top_arrears] * 5)
    md = daily.to_markdown(daily.DailyReport(**{**report.__dict__, "top_arrears": many}))
    assert md.count("| C") == 10


# --- command line ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def town_dir(town):
    return town.data_dir


def test_cli_writes_xlsx(town_dir, tmp_path, capsys):
    out = tmp_path / "日报.xlsx"
    assert main(["daily-report", "--data", str(town_dir), "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == SHEETS
    assert "已写出" in capsys.readouterr().out


def test_cli_writes_markdown_for_one_station_and_date(town_dir, tmp_path):
    out = tmp_path / "sub" / "日报.md"
    assert main(["daily-report", "--data", str(town_dir), "--as-of", "2022-03-09", "--station", "甲所",
                 "--out", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert "范围：甲所｜数据截至 2022 年 3 月 9 日" in md and "乙所" not in md


@pytest.mark.parametrize("name", ["日报.txt", "日报"])
def test_cli_refuses_other_suffixes(town_dir, tmp_path, capsys, name):
    assert main(["daily-report", "--data", str(town_dir), "--out", str(tmp_path / name)]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


def test_cli_never_writes_into_the_data_directory(town_dir, capsys):
    before = sorted(p.name for p in town_dir.rglob("*"))
    assert main(["daily-report", "--data", str(town_dir), "--out", str(town_dir / "sub" / "日报.md")]) == 2
    assert "数据目录只读" in capsys.readouterr().err
    assert sorted(p.name for p in town_dir.rglob("*")) == before


def test_cli_refused_extract_and_unknown_station_exit_2(town_dir, tmp_path, capsys):
    broken = write_town(tmp_path / "broken")
    (broken / "customers.parquet").unlink()
    assert main(["daily-report", "--data", str(broken), "--out", str(tmp_path / "a.md")]) == 2
    assert "数据提取被拒绝" in capsys.readouterr().err
    assert main(["daily-report", "--data", str(town_dir), "--station", "丙所", "--out", str(tmp_path / "b.md")]) == 2
    assert "丙所" in capsys.readouterr().err
    assert not (tmp_path / "a.md").exists() and not (tmp_path / "b.md").exists()


def test_cli_a_settings_file_that_cannot_be_used_exits_2(town_dir, tmp_path, capsys, monkeypatch):
    bad = tmp_path / "collections.toml"
    bad.write_text("[risk]\nmedium_late_bills = 2.5\n", encoding="utf-8")
    monkeypatch.setenv("FEE_SETTINGS", str(bad))
    assert main(["daily-report", "--data", str(town_dir), "--out", str(tmp_path / "a.md")]) == 2
    assert "risk.medium_late_bills" in capsys.readouterr().err
    assert not (tmp_path / "a.md").exists()


def test_cli_help_and_the_query_layers_command_line_without_reports():
    done = subprocess.run([sys.executable, "-m", "reports", "daily-report", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--out" in done.stdout and "--as-of" in done.stdout
    done = subprocess.run([sys.executable, "-m", "queries", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert "summary" in done.stdout and "daily-report" not in done.stdout
    # queries/ imports nothing above it: its command line runs without reports/ loaded
    done = subprocess.run([sys.executable, "-c", "import sys, queries.__main__; print('reports' in sys.modules)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


# --- the shipped sample -----------------------------------------------------------------------------

def test_sample_brief_equals_the_query_layer_at_d_and_the_day_before(sample):
    r = daily.build(sample, default_view(sample))
    header, rows = table(openpyxl.load_workbook(io.BytesIO(daily.to_xlsx(r)))["汇总"])
    year = r.view.year
    for row, day in zip(rows, (r.view.as_of, r.view.yesterday)):
        q = sample.query("recovery_summary", Scope(), as_of=day, year=year, group_by="total").row(0, named=True)
        assert row[header.index(f"{year} 年应收电费（元）")] == float(q["billed"])
        assert row[header.index(f"{year} 年实收电费（元）")] == float(q["recovered"])
        assert row[header.index("欠费（元）")] == float(q["arrears"])
        assert row[header.index("欠费户数")] == q["arrears_customers"]
        assert row[header.index("累计回收率")] == pytest.approx(float(fmt.truncated_rate(q["cumulative_rate"])) / 100)
    station = r.stations["station"][0]
    one = daily.build(sample, default_view(sample, scope=Scope(stations=(station,))))
    q = sample.query("recovery_summary", Scope(stations=(station,)), as_of=r.view.as_of, year=year, group_by="total")
    assert one.total["arrears"] == q["arrears"][0] and one.stations["station"].to_list() == [station]


def test_sample_brief_shows_no_real_name_or_phone(sample):
    names, phones = personal_data(sample)
    assert len(names) > 100 and len(phones) > 100
    r = daily.build(sample, default_view(sample))
    book = openpyxl.load_workbook(io.BytesIO(daily.to_xlsx(r)))
    cells = {v for ws in book for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)}
    md = daily.to_markdown(r)
    md_cells = {c.strip() for line in md.splitlines() for c in line.split("|")}
    assert not cells & names and not md_cells & names
    text = all_text(book) + md
    assert not [p for p in phones if p in text]
