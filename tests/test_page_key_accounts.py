"""重点客户 page: on the shipped sample it shows what the query layer answers (tiles, the list,
the watch list, one account's months and plan, every instalment part); a person's name and
every phone stay masked unless asked for, and always in presentation mode; a scope without
key or high-energy accounts says so."""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from apptest import figure, open_page, values
from queries import Scope, labels
from queries.collections import load_settings
from reports import format as fmt
from tiny import bill, customer, payment, write_extract

PAGE = "pages/key_accounts.py"
PERSON, PHONE = "王小明", "13912345678"


def table(at: AppTest, column: str, last: bool = False) -> pl.DataFrame:
    """The first (or last) table on the page with this column header."""
    found = [pl.from_pandas(df.value) for df in at.dataframe if column in df.value.columns]
    assert found, f"no table with column {column}"
    return found[-1 if last else 0]


def texts(at: AppTest) -> list[str]:
    """Everything the page shows as text: tables, tiles, captions, options, charts."""
    out = [e.value for e in [*at.markdown, *at.caption, *at.title, *at.subheader, *at.info, *at.success]]
    out += [m.value for m in at.metric] + [m.label for m in at.metric]
    out += [str(v) for df in at.dataframe for c in df.value.columns for v in df.value[c].tolist()]
    out += [o for box in at.selectbox for o in box.options]
    out += [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    return out


@pytest.mark.usefixtures("sample_env")
def test_the_page_shows_what_the_queries_answer(sample):
    at = open_page(PAGE)
    as_of, scope = sample.default_as_of, Scope()
    accounts = sample.query("key_accounts", scope, as_of=as_of, show_personal=False)
    watch = sample.query("payment_slippage", scope, as_of=as_of, show_personal=False, **load_settings().params())
    parts = sample.query("instalment_parts", scope, as_of=as_of, show_personal=False)
    statuses = sample.query("instalment_status", scope, as_of=as_of)

    assert [m.value for m in at.metric][:5] == [
        fmt.count(accounts.height, unit=None), fmt.wan(accounts["amount"].sum(), unit=False),
        fmt.wan(accounts["outstanding"].sum(), unit=False),
        fmt.wan(accounts.filter(pl.col("arrears") > 0)["arrears"].sum(), unit=False), fmt.count(watch.height, unit=None)]
    listed = table(at, "缴费状态")
    assert listed["户号"].to_list() == accounts["customer_id"].to_list()
    assert listed["未缴（元）"].to_list() == accounts["outstanding"].cast(pl.Float64).to_list()
    assert set(listed["缴费状态"].drop_nulls()) <= set(labels.BILL_STATUS.values())
    assert not watch.is_empty()  # the sample's slipping accounts
    assert table(at, "各月逾期天数（由远及近）")["户号"].to_list() == watch["customer_id"].to_list()
    assert not parts.is_empty()  # the sample's instalment plans
    assert table(at, "截至当日累计已缴（元）", last=True)["电费单号"].to_list() == parts["bill_id"].to_list()
    assert [m.value for m in at.metric][-4:] == [fmt.count(n, unit=None) for n in statuses["parts"]]

    # one account: the first of the list, then the first of the watch list
    for customer_id in (accounts["customer_id"][0], watch["customer_id"][0]):
        at.selectbox(key="key_accounts_pick").set_value(customer_id).run()
        assert not at.exception
        months = sample.query("account_monthly", scope, as_of=as_of, customer_id=customer_id)
        name = accounts.filter(pl.col("customer_id") == customer_id)["customer_name"][0]
        trend = figure(at, f"{name} 月度电费与平均电价")
        bars, price = trend["data"]
        assert values(bars["y"]) == pytest.approx((months["amount"].cast(pl.Float64) / 1e4).to_list())
        assert values(price["y"]) == pytest.approx(months["price_per_kwh"].to_list())
        late = months.filter(pl.col("days_late").is_not_null()).tail(12)
        delays = figure(at, f"{name} 近 12 个电费月缴清时间")["data"][0]
        assert values(delays["y"]) == late["days_late"].to_list()
        own = parts.filter(pl.col("customer_id") == customer_id)
        if own.height:
            assert table(at, "本期到期日")["电费单号"].to_list() == own["bill_id"].to_list()
    assert any("2021-10-15" in str(a.get("text")) for a in trend["layout"]["annotations"])  # the reform


@pytest.fixture
def tiny_env(tmp_path, monkeypatch):
    """A key account that is a person (小动力, 王小明), a high-energy enterprise, and a station
    (城郊供电所) with a residential account only."""
    customers = [customer("K1", category="small_power", is_key_account=True, customer_name=PERSON, phone=PHONE),
                 customer("H1", category="large_industry", is_high_energy=True, is_key_account=False,
                          customer_name="乌海市恒泰铁合金有限公司", phone="18812348912"),
                 customer("R1", station="城郊供电所", customer_name="赵大海", phone="13800001111")]
    bills = [bill("B1", "K1", "100.00"), bill("H3", "H1", "1000.00"), bill("R3", "R1", "50.00")]
    payments = [payment("P1", "K1", "B1", "40.00", "2021-03-10 09:00:00"),
                payment("Q1", "H1", "H3", "1000.00", "2021-03-31 09:00:00")]
    monkeypatch.setenv("FEE_DATA_DIR", str(write_extract(tmp_path / "tiny", customers, bills, payments)))


@pytest.mark.usefixtures("tiny_env")
def test_a_persons_name_and_phones_show_only_when_asked_and_never_presented():
    at = open_page(PAGE)
    shown = texts(at)
    assert not [t for t in shown if PERSON in t or PHONE in t or "18812348912" in t]
    assert any("王*明" in t for t in shown) and any("乌海市恒泰铁合金有限公司" in t for t in shown)

    at.toggle(key="key_accounts_show_personal").set_value(True).run()
    assert not at.exception
    shown = texts(at)
    assert any(PERSON in t for t in shown) and any(PHONE in t for t in shown)  # the check can see them

    at.sidebar.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "key_accounts_show_personal"]
    assert not [t for t in texts(at) if PERSON in t or PHONE in t or "18812348912" in t]


@pytest.mark.usefixtures("tiny_env")
def test_a_scope_without_key_or_high_energy_accounts_says_so():
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value(["城郊供电所"]).run()
    assert not at.exception
    assert [i.value for i in at.info] == [labels.KEY_ACCOUNTS["empty"]]
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric


@pytest.mark.usefixtures("tiny_env")
def test_a_settings_file_that_cannot_be_used_is_named_and_the_rest_still_shows(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text("[watch]\nrises = 0\n", encoding="utf-8")
    monkeypatch.setenv("FEE_SETTINGS", str(bad))
    at = open_page(PAGE)
    assert [e.value for e in at.error] == [labels.KEY_ACCOUNTS["settings_broken"]]
    assert any("watch.rises" in m.value and "bad.toml" in m.value for m in at.markdown)  # which file and key
    assert table(at, "缴费状态")["户号"].to_list() == ["K1", "H1"]
