"""催费责任人 page on the hand-made extract of tests/test_chase_list.py (its docstring has the
table): tiles, the ranking with both ranks, the risk grades, a collector's chase list and its
reminder texts, the bank-shortfall list, the downloads, presentation mode and an empty scope.
Every expected value is worked out by hand from that table."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from apptest import figure, open_page, record_downloads
from test_chase_list import JIA, LI, WANG, YI, ZHANG, collectors_extract
from tiny import customer, payment, write_extract

PAGE = "pages/collectors.py"
RANKS = "分公司内名次"
# every customer's real name and phone (collectors are staff, shown by name)
NAMES = {"赵一民", "王小明", "钱多多", "李大力", "吴无电", "孙记面坊", "郑五五", "冯记小卖部", "周七七"}
PHONES = {"13900000001", "13912345678", "13900000009", "13900000003", "13900000008", "13900000004",
          "13900000005", "13900000006", "13900000007"}


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return collectors_extract(tmp_path_factory.mktemp("page") / "x")


@pytest.fixture
def at(extract, monkeypatch) -> AppTest:
    monkeypatch.setenv("FEE_DATA_DIR", str(extract))
    return open_page(PAGE)


def table(at: AppTest, column: str) -> pl.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def pick(at: AppTest, key: str, value: str) -> None:
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception


def texts(at: AppTest) -> list[str]:
    """Everything the page shows as text: tables, code blocks, messages, tiles, charts, options."""
    out = [str(v) for df in at.dataframe for c in df.value.columns for v in df.value[c].tolist()]
    out += [e.value for e in [*at.code, *at.markdown, *at.caption, *at.success, *at.info]]
    out += [f"{m.label} {m.value}" for m in at.metric]
    out += [o for s in at.selectbox for o in s.options]
    out += [c.proto.spec for c in at.get("plotly_chart")]
    return out


def test_tiles_ranking_and_grades_are_the_hand_worked_figures(at):
    # billed 300 + 100 + 200 (甲) + 400 + 100 (乙) = 1,100; recovered 100 + 100 + 150 + 380 + 60 = 790:
    # 71.818… %. Target: 0.9 × 600 + 0.98 × 400 + 1.0 × 100 over 1,100 = 0.938182; gap −22.00.
    # Arrears 200 + 50 + 20 + 90 = 360.00 (0.04 万元), the day before 420.00; 5 customers both days.
    # Penalties 4.90 + 2.10 + 2.10 + 1.00 + 4.50 + 1.00 = 15.60 on 6 bills. 王催 alone reaches target.
    assert [(m.label, m.value, m.delta) for m in at.metric] == [
        ("2021 年电费回收率", "71.81 %", "-22.00 个百分点 较目标"),
        ("欠费（万元）", "0.04", "-0.01 万元 较昨日"),
        ("欠费户数（户）", "5", "与昨日持平"),
        ("达到目标（人）", "1 / 5", ""),
        ("违约金敞口（万元）", "0.00", ""),
    ]
    assert "共 6 笔" in at.metric[4].help

    ranking = table(at, RANKS)
    assert ranking.select(RANKS, "供电所内名次", "抄表催费责任人", "供电所", "户数").rows() == [
        (1, 1, WANG, JIA, 2), (2, 1, LI, YI, 2), (3, 2, "未分配", JIA, 1), (4, 2, ZHANG, YI, 1), (5, 3, ZHANG, JIA, 3)]
    assert ranking["电费回收率"].to_list() == [100.0, 95.0, 75.0, 60.0, 33.33]
    assert ranking["回收目标"].to_list() == [90.0, 98.0, 90.0, 100.0, 90.0]
    assert ranking["与目标差（百分点）"].to_list() == [10.0, -3.0, -15.0, -40.0, -56.66]
    assert ranking["应收电费（元）"].to_list() == [100.0, 400.0, 200.0, 100.0, 300.0]
    assert ranking["欠费较昨日（元）"].to_list() == [0.0, 0.0, 0.0, -60.0, 0.0]
    assert ranking["电费回收率较昨日（百分点）"].to_list() == [0.0, 0.0, 0.0, 60.0, 0.0]

    bars = figure(at, "2021 年催费责任人回收率排名")
    names = [y for trace in bars["data"][:2] for y in trace["y"]]
    assert names == [WANG, LI, "未分配", f"{ZHANG}（{YI}）", f"{ZHANG}（{JIA}）"]  # 达到目标 first, then the rest

    grades = table(at, "高风险户数")
    # 王催 owes nothing; 0007 is 高 (a 2020 bill), 0009 中 (49 days), the others 低
    assert grades.select("抄表催费责任人", "供电所", "高风险户数", "中风险户数", "低风险户数", "违约金敞口（元）").rows() == [
        (LI, YI, 0, 0, 1, 1.0), ("未分配", JIA, 0, 0, 1, 2.1), (ZHANG, YI, 1, 0, 0, 5.5), (ZHANG, JIA, 0, 1, 1, 7.0)]
    assert grades["中风险欠费（元）"].to_list() == [0.0, 0.0, 0.0, 100.0]


def test_the_first_collector_with_arrears_is_chased_with_a_reminder_to_copy(at):
    # 王催 ranks first but owes nothing: 李催's list, 0005 owing 20.00 (21 days: 0.42 → 1.00 元)
    chase = table(at, "定级原因")
    assert chase["户号"].to_list() == ["0005"] and chase["户名"].to_list() == ["郑*五"]
    assert "联系电话" not in chase.columns
    reminder = at.code[0].value
    assert reminder.startswith("郑*五您好！截至2021年4月10日，您的户号 0005 尚欠电费 20.00 元（2021年3月 20.00 元）。")
    assert "违约金为 1.00 元" in reminder and reminder.endswith("【乙供电所 催费责任人 李催】")


def test_picking_a_collector_and_a_customer(at):
    pick(at, "collectors_pick", f"{JIA}\x1f{ZHANG}")
    assert not at.exception
    chase = table(at, "定级原因")
    assert chase["户号"].to_list() == ["0009", "0002"]
    assert chase["风险等级"].to_list() == ["中", "低"] and chase["欠费月份"].to_list() == ["2021-02", "2021-03"]
    assert chase["违约金敞口（元）"].to_list() == [4.9, 2.1]
    assert "违约金为 4.90 元" in at.code[0].value
    pick(at, "collectors_reminder_pick", "0002")
    assert at.code[0].value.startswith("王*明您好！") and "违约金为 2.10 元" in at.code[0].value


def test_bank_shortfall_list_with_its_reminder(at):
    shortfall = table(at, "不足金额（元）")
    assert shortfall.select("户号", "抄表催费责任人", "应缴金额（元）", "已付（元）", "不足金额（元）", "逾期天数").rows() == [
        ("0004", "未分配", 200.0, 150.0, 50.0, 21)]
    assert at.code[1].value.startswith("孙**坊您好！您的户号 0004 2021年3月电费应缴 200.00 元，银行代收代扣已入账 150.00 元，"
                                       "尚差 50.00 元，已逾期 21 天。")


def test_a_station_filter_keeps_the_branch_ranks(at):
    at.sidebar.multiselect(key="station").set_value([JIA]).run()
    assert not at.exception
    ranking = table(at, RANKS)
    assert ranking.select(RANKS, "供电所内名次", "抄表催费责任人").rows() == [
        (1, 1, WANG), (3, 2, "未分配"), (5, 3, ZHANG)]
    # 甲: billed 600, recovered 350 → 58.33 %; arrears 250 on 3 customers (0.025 万元: money rounds
    # halves away from zero, 0.03)
    assert [m.value for m in at.metric[:4]] == ["58.33 %", "0.03", "3", "1 / 3"]


def test_a_collector_filter_shows_that_collector_in_each_station(at):
    at.sidebar.multiselect(key="collector").set_value([ZHANG]).run()
    assert not at.exception
    assert table(at, RANKS).select(RANKS, "供电所").rows() == [(4, YI), (5, JIA)]
    assert table(at, "定级原因")["户号"].to_list() == ["0007"]  # 乙's 张催 comes first
    assert "（2020年12月 50.00 元、2021年3月 40.00 元）" in at.code[0].value


def test_downloads_of_one_collector_and_of_all(extract, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(extract))
    made = record_downloads(monkeypatch)
    at = open_page(PAGE)
    files = {b.proto.label: made[b.proto.deferred_file_id]() for b in at.get("download_button")
             if b.proto.deferred_file_id in made}
    assert files["下载清单 PDF（本人）"].startswith(b"%PDF") and files["下载清单 PDF（范围内全部责任人）"].startswith(b"%PDF")
    sheet = openpyxl.load_workbook(io.BytesIO(files["下载清单 Excel（范围内全部责任人）"])).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[5])
    # 高 first (0007), then 中 (0009), then 低 by arrears: 0002 100, 0004 50, 0005 20
    assert [r[header.index("户号")] for r in rows[6:]] == ["0007", "0009", "0002", "0004", "0005"]
    assert all(r[header.index("催费提醒短信")].endswith("】") for r in rows[6:])
    one = openpyxl.load_workbook(io.BytesIO(files["下载清单 Excel（本人）"])).worksheets[0]
    assert [r[2] for r in list(one.iter_rows(values_only=True))[6:]] == ["0005"]


def test_presentation_mode_shows_no_real_name_or_phone(at):
    at.toggle(key="collectors_show_personal").set_value(True).run()
    pick(at, "collectors_pick", f"{JIA}\x1f{ZHANG}")
    shown = texts(at)
    assert any("王小明" in t for t in shown) and any("13912345678" in t for t in shown)  # the check can see them

    at.sidebar.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "collectors_show_personal"]
    shown = texts(at)
    assert shown
    assert not [n for n in NAMES | PHONES if any(n in t for t in shown)]
    assert "联系电话" not in table(at, "定级原因").columns


def test_a_scope_with_nothing_billed_or_owed_says_so(tmp_path, monkeypatch):
    # one customer with a prepayment only: a date to show, nothing billed, nothing owed
    extract = write_extract(tmp_path / "empty", [customer("0001")], [],
                            [payment("p1", "0001", None, "5.00", "2021-03-31 09:00:00")])
    monkeypatch.setenv("FEE_DATA_DIR", str(extract))
    at = open_page(PAGE)
    assert any("没有催费责任人的电费或欠费" in i.value for i in at.info)
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe
