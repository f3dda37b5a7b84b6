"""The collectors' figures and the chase list as it leaves the screen, on hand-made extracts with
answers worked out by hand: ranks in station and in branch, accounts, the bank-shortfall list,
the reminder texts (amount, months, ways to pay, the penalty rule in force, masking), the
printable PDF (pages per collector, header on every page) and the Excel file.

The extract `collectors_extract` (also the page test's): as of D = 2021-04-10, year 2021. Bills
of 2021-03 are issued 03-05 and due 03-20 (21 days overdue at D); customers are residential
unless said. Targets: 甲供电所 0.9 for the station, 李催 0.98 in 乙供电所; 乙 has no station
target (1.0).

| station | collector | customer | bills (元) | posted | owes at D |
|---|---|---|---|---|---|
| 甲 | 张催 | 0001 赵一民 | 2021-03 100 | 100 on 03-10 | — |
| 甲 | 张催 | 0002 王小明 | 2021-03 100 | — | 100 |
| 甲 | 张催 | 0009 钱多多 | 2021-02 100 (due 02-20) | — | 100 |
| 甲 | 王催 | 0003 | 2021-03 100 | 100 on 03-10 | — |
| 甲 | 王催 | 0008 (村 二村) | none | — | — |
| 甲 | (none) | 0004 孙记面坊, 小动力 | 2021-03 200 | 150 by bank on 03-10 | 50 |
| 乙 | 李催 | 0005 | 2021-03 100 | 80 on 03-10 | 20 |
| 乙 | 李催 | 0006, 小动力 | 2021-03 300 | 300 on 03-10 | — |
| 乙 | 张催 | 0007 周七七 | 2020-12 50 (due 2021-01-10), 2021-03 100 | 60 on D | 50 + 40 |
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from queries import Scope, View, open_extract
from queries.collections import load_settings, risk_customers
from reports.chase_list import chase_pdf, chase_xlsx
from reports.reminders import bills_text, penalty_rule, with_reminders, with_shortfall_reminders
from tiny import bill, customer, d, payment, write_extract

JIA, YI = "甲供电所", "乙供电所"
ZHANG, WANG, LI = "张催", "王催", "李催"
D = d("2021-04-10")
CHANNELS = "网上国网/掌上电力、微信、支付宝、银行代收代扣或营业厅"


def collectors_extract(root: Path) -> Path:
    people = [
        customer("0001", station=JIA, meter_reader=ZHANG, customer_name="赵一民", phone="13900000001"),
        customer("0002", station=JIA, meter_reader=ZHANG, customer_name="王小明", phone="13912345678"),
        customer("0009", station=JIA, meter_reader=ZHANG, customer_name="钱多多", phone="13900000009"),
        customer("0003", station=JIA, meter_reader=WANG, customer_name="李大力", phone="13900000003"),
        customer("0008", station=JIA, village="二村", meter_reader=WANG, customer_name="吴无电", phone="13900000008"),
        customer("0004", station=JIA, meter_reader=None, category="small_power", customer_name="孙记面坊",
                 phone="13900000004"),
        customer("0005", station=YI, meter_reader=LI, customer_name="郑五五", phone="13900000005"),
        customer("0006", station=YI, meter_reader=LI, category="small_power", customer_name="冯记小卖部",
                 phone="13900000006"),
        customer("0007", station=YI, meter_reader=ZHANG, customer_name="周七七", phone="13900000007"),
    ]
    bills = [
        bill("b1", "0001", "100.00"), bill("b2", "0002", "100.00"), bill("b9", "0009", "100.00", period="2021-02-01"),
        bill("b3", "0003", "100.00"), bill("b4", "0004", "200.00"), bill("b5", "0005", "100.00"),
        bill("b6", "0006", "300.00"),
        bill("b7old", "0007", "50.00", period="2020-12-01", issued_on="2020-12-28", due_on="2021-01-10"),
        bill("b7", "0007", "100.00"),
    ]
    payments = [
        payment("p1", "0001", "b1", "100.00", "2021-03-10 09:00:00"),
        payment("p3", "0003", "b3", "100.00", "2021-03-10 09:00:00"),
        payment("p4", "0004", "b4", "150.00", "2021-03-10 09:00:00", channel="bank"),
        payment("p5", "0005", "b5", "80.00", "2021-03-10 09:00:00"),
        payment("p6", "0006", "b6", "300.00", "2021-03-10 09:00:00"),
        payment("p7", "0007", "b7", "60.00", "2021-04-10 09:00:00"),
    ]
    targets = [{"station": JIA, "year": 2021, "recovery_target": 0.9, "collector": None},
               {"station": YI, "year": 2021, "recovery_target": 0.98, "collector": LI}]
    return write_extract(root, people, bills, payments, targets=targets)


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return open_extract(collectors_extract(tmp_path_factory.mktemp("collectors") / "x"),
                        cache_dir=tmp_path_factory.mktemp("cache"))


def ranked(ex, scope: Scope = Scope()) -> list[dict]:
    return ex.query("ranking", scope, as_of=D, year=2021, group_by="collector").to_dicts()


def chase(ex, scope: Scope, show_personal: bool = False, presentation: bool = False):
    settings = load_settings()
    view = View(D, 2021, scope, presentation=presentation)
    rows = risk_customers(ex, view, show_personal, settings)
    bills = ex.query("penalty_exposure", scope, as_of=D, group_by="bill", **settings.params())
    return with_reminders(rows, bills, settings, D)


# --- ranks, accounts, shortfall -------------------------------------------------------------

def test_collectors_rank_in_branch_and_in_station(ex):
    # rates: 王催 100/100; 李催 380/400 = 95 %; 甲's unassigned 150/200 = 75 %; 乙's 张催 60/100
    # (paid on D); 甲's 张催 100/300 = 33.3 %. In 甲: 王催, unassigned, 张催; in 乙: 李催, 张催.
    rows = ranked(ex)
    assert [(r["station"], r["member"], r["rank"], r["rank_in_station"]) for r in rows] == [
        (JIA, WANG, 1, 1), (YI, LI, 2, 1), (JIA, None, 3, 2), (YI, ZHANG, 4, 2), (JIA, ZHANG, 5, 3)]
    assert [r["gap_to_target"] for r in rows] == pytest.approx([10.0, -3.0, -15.0, -40.0, -56.6666667])


def test_a_station_scope_ranks_within_it(ex):
    rows = ranked(ex, Scope(stations=(JIA,)))
    assert [(r["member"], r["rank"], r["rank_in_station"]) for r in rows] == [(WANG, 1, 1), (None, 2, 2), (ZHANG, 3, 3)]


def test_rank_in_station_is_only_for_groups_within_a_station(ex):
    for group_by in ("total", "station", "category"):
        rows = ex.query("ranking", Scope(), as_of=D, year=2021, group_by=group_by)
        assert rows["rank_in_station"].is_null().all()


def test_accounts_count_every_customer_of_the_group(ex):
    # 王催: 0003 and 0008, who has no bill at all (a segment of its own: village 二村)
    accounts = {(r["station"], r["member"]): r["accounts"] for r in ranked(ex)}
    assert accounts == {(JIA, WANG): 2, (YI, LI): 2, (JIA, None): 1, (YI, ZHANG): 1, (JIA, ZHANG): 3}
    total = ex.query("ranking", Scope(), as_of=D, year=2021, group_by="total").row(0, named=True)
    assert total["accounts"] == 9
    nobody = ex.query("ranking", Scope(stations=("无此供电所",)), as_of=D, year=2021, group_by="total")
    assert nobody.row(0, named=True)["accounts"] == 0 and nobody["billed"][0] == 0


def test_changes_since_the_day_before(ex):
    # 0007 paid 60 on D: the day before, 乙's 张催 had 0 % and owed 50 + 100
    row = next(r for r in ranked(ex) if r["station"] == YI and r["member"] == ZHANG)
    assert row["rate_change"] == pytest.approx(60.0)
    assert row["arrears_change"] == Decimal("-60.00") and row["arrears_customers_change"] == 0


def test_bank_shortfall_lists_owed_posted_and_shortfall(ex):
    rows = ex.query("bank_shortfall", Scope(), as_of=D, show_personal=False).to_dicts()
    assert [(r["customer_id"], r["customer_name"], r["collector"], r["owed"], r["paid"], r["shortfall"],
             r["days_overdue"]) for r in rows] == [
        ("0004", "孙**坊", None, Decimal("200.00"), Decimal("150.00"), Decimal("50.00"), 21)]


# --- reminder texts --------------------------------------------------------------------------

def test_reminder_names_the_amount_the_months_the_ways_to_pay_and_the_penalty_rule(ex):
    rows = {r["customer_id"]: r for r in chase(ex, Scope(stations=(JIA,), collectors=(ZHANG,))).to_dicts()}
    # 0009 owes its February bill, 49 days overdue (02-21 … 04-10): 49 × 1‰ × 100 = 4.90 元
    text = rows["0009"]["reminder"]
    assert text.startswith("钱*多您好！截至2021年4月10日，您的户号 0009 尚欠电费 100.00 元（2021年2月 100.00 元）。")
    assert f"请尽快通过{CHANNELS}缴纳。" in text
    assert "自缴费截止日次日起每日按欠费的 1‰ 加收违约金，不足 1.00 元按 1.00 元收取。" in text
    assert "违约金为 4.90 元" in text and text.endswith("【甲供电所 催费责任人 张催】")
    assert "钱多多" not in text and "1390000" not in text
    assert rows["0009"]["owed_months"] == "2021-02"
    # 0002: 21 days × 1‰ × 100 = 2.10 元
    assert "尚欠电费 100.00 元（2021年3月 100.00 元）" in rows["0002"]["reminder"]
    assert "违约金为 2.10 元" in rows["0002"]["reminder"]


def test_reminder_of_two_bills_across_a_year_end(ex):
    (row,) = chase(ex, Scope(stations=(YI,), collectors=(ZHANG,))).to_dicts()
    # 50 × 90 × 1‰ = 4.50 and 40 × 21 × 1‰ = 0.84 → the 1.00 minimum: 5.50 元
    assert "尚欠电费 90.00 元（2020年12月 50.00 元、2021年3月 40.00 元）" in row["reminder"]
    assert "违约金为 5.50 元" in row["reminder"] and row["owed_months"] == "2020-12、2021-03"


def test_reminder_of_a_customer_without_a_collector_and_of_another_category(ex):
    (row,) = chase(ex, Scope(stations=(JIA,), collectors=("",))).to_dicts()
    # 小动力: 21 days of 2021 at 2‰ on 50 元 = 2.10 元
    assert "当年电费按欠费的 2‰，跨年电费按 3‰，不足 1.00 元按 1.00 元收取。" in row["reminder"]
    assert "违约金为 2.10 元" in row["reminder"] and row["reminder"].endswith("【甲供电所】")


def test_reminder_shows_the_name_only_when_asked_and_never_in_presentation(ex):
    scope = Scope(stations=(JIA,), collectors=(ZHANG,))
    shown = {r["customer_id"]: r["reminder"] for r in chase(ex, scope, show_personal=True).to_dicts()}
    assert shown["0002"].startswith("王小明您好！")
    presented = {r["customer_id"]: r["reminder"] for r in chase(ex, scope, True, presentation=True).to_dicts()}
    assert presented["0002"].startswith("王*明您好！")


def test_shortfall_reminder_says_owed_posted_and_what_is_left(ex):
    settings = load_settings()
    rows = with_shortfall_reminders(ex.query("bank_shortfall", Scope(), as_of=D, show_personal=False), settings, D)
    assert rows["reminder"].to_list() == [
        "孙**坊您好！您的户号 0004 2021年3月电费应缴 200.00 元，银行代收代扣已入账 150.00 元，尚差 50.00 元，"
        f"已逾期 21 天。请尽快通过{CHANNELS}补缴。逾期未缴的电费，自缴费截止日次日起每日加收违约金：当年电费按欠费的 "
        "2‰，跨年电费按 3‰，不足 1.00 元按 1.00 元收取。如已补缴，请忽略本提醒。【甲供电所】"]


def test_many_months_read_as_a_range():
    months = [(dt.date(2020, m, 1), Decimal("10.00")) for m in (6, 1, 2, 3, 4)]
    assert bills_text(months) == "2020年1月至2020年6月共 5 个月"
    # two bills of one month are one month of 20.00
    assert bills_text([(dt.date(2021, 3, 1), Decimal("10.00")), (dt.date(2021, 3, 1), Decimal("10.00"))]) \
        == "2021年3月 20.00 元"


def test_the_penalty_rule_is_the_settings_row_in_force(tmp_path):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        "[[penalty.rates]]\neffective_from = 1996-01-01\nresidential = 0.001\ncurrent_year = 0.002\n"
        "cross_year = 0.003\nminimum = 1.00\n\n[[penalty.rates]]\neffective_from = 2021-04-01\n"
        "residential = 0.0005\ncurrent_year = 0.0015\ncross_year = 0.0025\nminimum = 2.00\n", encoding="utf-8")
    settings = load_settings(settings_file)
    assert penalty_rule(settings, d("2021-03-31"), "residential") == \
        "逾期未缴的电费，自缴费截止日次日起每日按欠费的 1‰ 加收违约金，不足 1.00 元按 1.00 元收取。"
    assert penalty_rule(settings, d("2021-04-01"), "residential") == \
        "逾期未缴的电费，自缴费截止日次日起每日按欠费的 0.5‰ 加收违约金，不足 2.00 元按 2.00 元收取。"
    assert "当年电费按欠费的 1.5‰，跨年电费按 2.5‰" in penalty_rule(settings, d("2021-04-01"), "small_power")
    assert penalty_rule(settings, d("1995-12-31"), "residential") == ""  # no row in force yet


# --- the printable PDF -----------------------------------------------------------------------

ZHAO, QIAN, BING = "赵催", "钱催", "丙供电所"


@pytest.fixture(scope="module")
def long_list(tmp_path_factory):
    """丙供电所: 赵催 collects Z01 … Z17, owing 10 × k 元 each (2021-03 bills, never paid);
    钱催 collects Q1 and Q2, owing 5 元 each. As of D, all are 21 days overdue and low risk."""
    people = [customer(f"Z{k:02d}", station=BING, meter_reader=ZHAO, customer_name=f"赵客户{k:02d}",
                       phone=f"139{k:08d}") for k in range(1, 18)]
    people += [customer(f"Q{k}", station=BING, meter_reader=QIAN, customer_name=f"钱客户{k}", phone=f"138{k:08d}")
               for k in (1, 2)]
    bills = [bill(f"bz{k}", f"Z{k:02d}", f"{10 * k}.00") for k in range(1, 18)]
    bills += [bill(f"bq{k}", f"Q{k}", "5.00") for k in (1, 2)]
    root = write_extract(tmp_path_factory.mktemp("long") / "x", people, bills, [])
    ex = open_extract(root, cache_dir=tmp_path_factory.mktemp("cache"))
    return chase(ex, Scope(stations=(BING,)), show_personal=False)


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page (pdftotext -layout); skipped, with the reason, without poppler."""
    if not shutil.which("pdftotext"):
        pytest.skip("未找到 pdftotext（poppler-utils）：PDF 文字检查已跳过。安装：apt-get install poppler-utils poppler-data")
    path = tmp_path / "chase.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    if "Missing language pack" in done.stderr:
        pytest.skip("poppler 缺少 Adobe-GB1 字符映射（poppler-data），无法读出中文：安装 apt-get install poppler-data")
    return done.stdout.split("\f")[:-1]


def test_pdf_gives_each_collector_its_own_pages_with_the_header_repeated(long_list, tmp_path):
    view = View(D, 2021, Scope(stations=(BING,)))
    pdf = chase_pdf(long_list, [(BING, ZHAO), (BING, QIAN)], view, masked=True)
    pages = pdf_pages(pdf, tmp_path)
    # 赵催: 17 customers at 15 a page → 2 pages; 钱催: 1 page
    assert len(pages) == 3
    # Σ 10k for k = 1 … 17 = 1,530.00; penalties 21 × 1‰ × 10k = 0.21k, at least 1.00:
    # k = 1 … 4 → 4 × 1.00, k = 5 … 17 → 0.21 × 143 = 30.03; 34.03 in all
    for page, (k, n) in zip(pages[:2], ((1, 2), (2, 2))):
        assert "催费清单" in page and "催费责任人：赵催" in page and "供电所：丙供电所" in page
        assert "数据截至 2021 年 4 月 10 日" in page and f"第 {k}/{n} 页" in page
        assert "欠费 17 户，合计 1,530.00 元；违约金 34.03 元；高风险 0 户、中风险 0 户、低风险 17 户" in page
        assert "户号" in page and "催收记录" in page  # the column header on every page
    largest_first = [f"Z{k:02d}" for k in range(17, 0, -1)]
    assert [c for c in largest_first if c in pages[0]] == largest_first[:15]
    assert [c for c in largest_first if c in pages[1]] == ["Z02", "Z01"]
    assert "170.00" in pages[0] and "赵***7" in pages[0] and "赵客户17" not in pages[0]
    assert "个人户名、电话已脱敏" in pages[0] and "13900000017" not in pages[0]
    assert "催费责任人：钱催" in pages[2] and "第 1/1 页" in pages[2] and "欠费 2 户，合计 10.00 元" in pages[2]
    assert "Q1" in pages[2] and "Z01" not in pages[2]


def test_pdf_of_a_collector_with_nothing_to_chase_says_so(long_list, tmp_path):
    view = View(D, 2021, Scope(stations=(BING,)))
    pages = pdf_pages(chase_pdf(long_list, [(BING, "孙催")], view, masked=True), tmp_path)
    assert len(pages) == 1 and "没有欠费户" in pages[0] and "欠费 0 户" in pages[0]


def test_pdf_with_phones_when_they_are_shown(tmp_path, ex):
    rows = chase(ex, Scope(stations=(JIA,), collectors=(ZHANG,)), show_personal=True)
    view = View(D, 2021, Scope(stations=(JIA,), collectors=(ZHANG,)))
    (page,) = pdf_pages(chase_pdf(rows, [(JIA, ZHANG)], view, masked=False, with_phone=True), tmp_path)
    assert "联系电话" in page and "13912345678" in page and "王小明" in page and "已脱敏" not in page
    # 0009 (中: 49 days overdue) before 0002 (低)
    assert page.index("0009") < page.index("0002") and "有欠费逾期超过 30 天（最长 49" in page


# --- Excel -----------------------------------------------------------------------------------

def sheet_rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_excel_holds_the_chase_list_with_its_reminders(ex):
    scope = Scope(stations=(JIA,))
    rows = sheet_rows(chase_xlsx(chase(ex, scope), View(D, 2021, scope), show_personal=False))
    assert rows[0][0] == "催费清单" and rows[1][0] == "范围：甲供电所"
    assert rows[2][0].startswith("数据截至 2021 年 4 月 10 日")
    header = list(rows[5])
    assert "联系电话" not in header
    assert header[:5] == ["供电所", "抄表催费责任人", "户号", "户名", "村/社区"]
    body = [dict(zip(header, r)) for r in rows[6:]]
    # 中 before 低, then the larger arrears: 0009 (100, 中), 0002 (100, 低), 0004 (50, 低)
    assert [r["户号"] for r in body] == ["0009", "0002", "0004"]
    assert [r["抄表催费责任人"] for r in body] == [ZHANG, ZHANG, "未分配"]
    assert [r["风险等级"] for r in body] == ["中", "低", "低"]
    assert [r["欠费（元）"] for r in body] == [100.0, 100.0, 50.0]
    assert [r["违约金敞口（元）"] for r in body] == [4.9, 2.1, 2.1]
    assert [r["欠费月份"] for r in body] == ["2021-02", "2021-03", "2021-03"]
    assert body[0]["催费提醒短信"].startswith("钱*多您好！") and body[0]["催费提醒短信"].endswith("张催】")
    assert body[2]["户名"] == "孙**坊" and body[2]["用电类别"] == "小动力"


def test_excel_has_the_phone_only_when_shown(ex):
    scope = Scope(stations=(YI,), collectors=(ZHANG,))
    rows = sheet_rows(chase_xlsx(chase(ex, scope, show_personal=True), View(D, 2021, scope), show_personal=True))
    header = list(rows[5])
    (body,) = [dict(zip(header, r)) for r in rows[6:]]
    assert body["联系电话"] == "13900000007" and body["户名"] == "周七七"
    assert body["风险等级"] == "高" and body["定级原因"] == "有往年欠费（陈欠）50.00 元"
