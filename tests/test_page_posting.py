"""入账与违约金 page: on a hand-made extract its tiles, charts and lists show the hand-worked
figures; names and phones show only when asked for and never in presentation mode; a scope
with nothing in it shows the empty state; every grouping renders on the shipped sample."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from apptest import figure, open_page, values
from conftest import SAMPLE
from tiny import bill, customer, payment, write_extract

PAGE = "pages/posting.py"
QIANGANG, CHENGJIAO, HAINAN = "千钢供电所", "城郊供电所", "海南路供电所"
NAMES, PHONES = {"张三明", "王小明"}, {"18812348912", "13912345678"}


def tiny_extract(root: Path) -> Path:
    """D = 2021-03-31 (Wednesday), the latest posting.
    C1 residential (张三明): B1 100,000.00 due Friday 03-19, paid and posted that Friday (P1).
    C2 small power (王小明, 城郊): B2 200,000.00 due Tuesday 03-16, never paid.
    C3 in 海南路 has nothing at all."""
    customers = [customer("C1"), customer("C2", station=CHENGJIAO, category="small_power", customer_name="王小明",
                                         phone="13912345678"),
                 customer("C3", station=HAINAN)]
    bills = [bill("B1", "C1", "100000.00", due_on="2021-03-19"), bill("B2", "C2", "200000.00", due_on="2021-03-16")]
    payments = [
        payment("P1", "C1", "B1", "100000.00", "2021-03-19 10:00:00", channel="wechat"),
        payment("P2", "C2", None, "300.00", "2021-03-24 10:00:00", "2021-03-26 09:00:00", channel="bank"),
        payment("P3", "C1", None, "5000.00", "2021-03-30 10:00:00", None, channel="counter"),  # in transit
        payment("P4", "C2", None, "100.00", "2021-03-31 08:00:00", "2021-03-31 09:00:00", channel="bank"),
    ]
    return write_extract(root, customers, bills, payments)


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("FEE_DATA_DIR", str(tiny_extract(tmp_path / "x")))
    return open_page(PAGE)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, column: str) -> pl.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def shown_text(at: AppTest) -> str:
    """Every table cell and every text on the page, one string."""
    cells = [str(v) for df in at.dataframe for c in df.value.columns for v in df.value[c].tolist()]
    texts = [str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.success, *at.metric]]
    return "\n".join(cells + texts)


def test_tiles_charts_and_lists_show_the_hand_worked_figures(tiny):
    at = tiny
    assert not at.exception
    # Posting as of 03-31: P1 … P4 paid in 2021; P1 and P4 posted the day paid: 2 of 4 = 50 %.
    # In transit: P3 (5,000.00 元 = 0.50 万元). The day before: P1 … P3, P1 alone the same day.
    # Penalty: B2, small power, 03-17 … 03-31 = 15 days × 0.002 × 200,000 = 6,000.00 = 0.60 万元.
    # Saved: P1, Friday on its due date, against Monday: 3 days × 0.001 × 100,000 = 300.00 元.
    assert metrics(at) == {
        "缴费笔数（笔）": "4", "当日入账笔数（笔）": "2", "当日入账率": "50.00 %", "在途笔数（笔）": "1",
        "在途金额（万元）": "0.50", "违约金敞口（万元）": "0.60", "计违约金笔数（笔）": "1", "欠费（万元）": "20.00",
        "当日入账避免的违约金（万元）": "0.03", "避免的计违约金天数（天）": "3", "涉及电费单（笔）": "1",
        "当日入账冲减电费（万元）": "10.00"}
    deltas = {m.label: m.delta for m in at.metric}
    # 03-30: 3 payments, 1 the same day; penalty 14 days × 0.002 × 200,000 = 5,600.00
    assert (deltas["缴费笔数（笔）"], deltas["违约金敞口（万元）"]) == ("+1 较昨日", "+0.04 万元 较昨日")

    rates = figure(at, "当日入账率（按缴费渠道）")["data"][0]
    # wechat P1 100 %; bank P2 late, P4 the same day: 50 %; counter P3 never posted: 0 %
    assert (list(rates["y"]), values(rates["x"])) == (["微信", "银行代收代扣", "营业厅"], [100.0, 50.0, 0.0])
    latency = figure(at, "入账时长分布")["data"][0]
    assert (values(latency["x"]), values(latency["y"])) == ([0, 2], [2, 1])  # P1, P4 the same day; P2 two days
    channels = {t["name"]: values(t["y"]) for t in figure(at, "各渠道缴费金额")["data"]}
    assert channels == {"营业厅": [0.5], "银行代收代扣": [0.04], "微信": [10.0]}  # 万元, March

    transit = table(at, "在途天数")
    assert (transit["付款流水号"].to_list(), transit["户名"].to_list(), transit["在途天数"].to_list()) == (
        ["P3"], ["张*明"], [1])
    stations = table(at, "违约金敞口（元）")
    assert stations.select("供电所", "违约金敞口（元）").rows() == [(CHENGJIAO, 6000.0)]
    saved = table(at, "当日入账避免的违约金（元）")
    assert saved.select("缴费渠道", "当日入账避免的违约金（元）", "避免的计违约金天数").rows() == [("微信", 300.0, 3)]
    rows = table(at, "生效日期")
    assert rows.rows() == [(dt.datetime(1996, 1, 1), "0.001", "0.002", "0.003", 1.0)]
    assert any("尚未录入" in i.value for i in at.info)


def test_customer_and_bill_lists_mask_names_unless_asked_and_never_when_presented(tiny):
    at = tiny
    at.segmented_control(key="posting_penalty_by").set_value("customer").run()
    listed = table(at, "计违约金笔数")
    assert listed.select("户号", "户名", "违约金敞口（元）").rows() == [("C2", "王*明", 6000.0)]
    assert "联系电话" not in listed.columns
    assert not any(n in shown_text(at) for n in NAMES | PHONES)

    at.toggle(key="posting_show_personal").set_value(True).run()
    listed = table(at, "计违约金笔数")
    assert listed.select("户名", "联系电话").rows() == [("王小明", "13912345678")]
    at.segmented_control(key="posting_penalty_by").set_value("bill").run()
    assert table(at, "缴费截止日").select("电费单号", "户名", "累计日费率").rows() == [("B2", "王小明", 3.0)]  # 15 × 0.2 %
    assert "张三明" in table(at, "在途天数")["户名"].to_list()

    at.sidebar.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "posting_show_personal"]
    assert table(at, "缴费截止日")["户名"].to_list() == ["王*明"]
    assert not any(n in shown_text(at) for n in NAMES | PHONES)


def test_a_scope_with_nothing_in_it_shows_the_empty_state(tiny):
    at = tiny
    at.sidebar.multiselect(key="station").set_value([HAINAN]).run()
    assert not at.exception
    assert not at.metric and not at.get("plotly_chart")
    assert any("当前筛选范围内没有数据" in i.value for i in at.info)


def test_a_settings_file_that_cannot_be_used_is_named_instead_of_penalties(tmp_path, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(tiny_extract(tmp_path / "x")))
    bad = tmp_path / "bad.toml"
    bad.write_text("[risk]\nmedium_late_bills = -3\n", encoding="utf-8")
    monkeypatch.setenv("FEE_SETTINGS", str(bad))
    at = open_page(PAGE)
    assert any("设置文件无法使用" in e.value for e in at.error)
    assert any("risk.medium_late_bills" in m.value for m in at.markdown)
    assert not at.metric


@pytest.mark.usefixtures("sample_env")
def test_every_grouping_renders_on_the_sample_without_personal_data_when_presented(sample):
    raw = pl.read_parquet(SAMPLE / "customers.parquet")
    names = set(raw.filter(pl.col("category") != "large_industry")["customer_name"].drop_nulls())
    phones = set(raw["phone"].drop_nulls())
    at = open_page(PAGE)
    at.sidebar.toggle(key="present").set_value(True).run()
    for key, options in (("posting_group", ["station", "month", "channel"]),
                         ("posting_penalty_by", ["village", "collector", "customer", "bill", "station"]),
                         ("posting_avoided_by", ["station", "timing", "channel"]),
                         ("posting_channel_measure", ["payments", "amount"])):
        for option in options:
            at.segmented_control(key=key).set_value(option).run()
            assert not at.exception, (key, option)
            cells = {str(v) for df in at.dataframe for c in df.value.columns if c != "抄表催费责任人"
                     for v in df.value[c].tolist()}
            assert not cells & (names | phones), (key, option)
    as_of = sample.default_as_of
    at.selectbox(key="posting_channel_span").set_value(as_of.replace(day=1)).run()
    assert not at.exception
    days = json.loads(next(c for c in at.get("plotly_chart")
                           if "各渠道缴费" in json.loads(c.proto.spec)["layout"]["title"]["text"]).proto.spec)
    assert "各日" in days["layout"]["title"]["text"]
