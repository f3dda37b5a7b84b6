"""欠费分析 page on the shipped sample: the tiles, charts and lists show exactly what the
query layer answers for the same filters, a bar click narrows the account list, and no
personal data shows unless the collector asks for it (never in presentation mode)."""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tiny import bill, customer, payment, write_extract

from queries import Scope, labels
from queries.collections import load_settings
from reports import format as fmt

from apptest import figure, open_page
from conftest import SAMPLE
PAGE = "pages/arrears.py"

pytestmark = pytest.mark.usefixtures("sample_env")


@pytest.fixture(scope="module")
def personal() -> tuple[set[str], set[str]]:
    """Names of people and every phone; organisations (大工业) keep their names by design."""
    raw = pl.read_parquet(SAMPLE / "customers.parquet")
    names = set(raw.filter(pl.col("category") != "large_industry")["customer_name"].drop_nulls())
    return names, set(raw["phone"].drop_nulls())


def bar_key(at: AppTest) -> str:
    return next(k for k in at.session_state._state._state.filtered_state if k.startswith("arrears_bars_"))


def frame(at: AppTest, column: str) -> pl.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def wan(values) -> list[float]:
    return [round(float(v) / 1e4, 6) for v in values]


def check_page_matches_queries(at: AppTest, sample, scope: Scope, dimension: str = "village") -> None:
    as_of = sample.default_as_of
    total = sample.query("arrears_by_group", scope, as_of=as_of, group_by="total").row(0, named=True)
    assert [m.value for m in at.metric][:5] == [
        fmt.wan(total["arrears"], unit=False), fmt.wan(total["arrears_current_year"], unit=False),
        fmt.wan(total["arrears_prior_years"], unit=False), fmt.count(total["arrears_customers"], unit=""),
        fmt.count(total["arrears_bills"], unit=""),
    ]

    groups = sample.query("arrears_by_group", scope, as_of=as_of, group_by=dimension).filter(pl.col("arrears") > 0)
    bars = figure(at, "各")
    current, prior = bars["data"]
    assert [t["name"] for t in bars["data"]] == ["当年欠费", "往年欠费"]
    shown = {(c[0], c[1]): (x, y) for c, x, y in zip(current["customdata"], current["x"], prior["x"])}
    expected = {(r["station"], r["member"] or ""): (round(float(r["arrears_current_year"]) / 1e4, 6),
                                                    round(float(r["arrears_prior_years"]) / 1e4, 6))
                for r in groups.iter_rows(named=True)}
    assert {k: (round(x, 6), round(y, 6)) for k, (x, y) in shown.items()} == expected
    totals = [x + y for x, y in zip(current["x"], prior["x"])]
    assert totals == sorted(totals, reverse=True)  # largest first

    tree = figure(at, "供电所 →")["data"][0]
    assert round(tree["values"][tree["ids"].index("__total__")], 6) == wan([total["arrears"]])[0]

    aging = sample.query("arrears_aging", scope, as_of=as_of)
    assert [round(y, 6) for y in figure(at, "欠费账龄")["data"][0]["y"]] == wan(aging["arrears"])
    assert [c[0] for c in figure(at, "欠费账龄")["data"][0]["customdata"]] == aging["arrears_customers"].to_list()

    accounts = sample.query("arrears_accounts", scope, as_of=as_of, show_personal=False, limit=0)
    listed = frame(at, "逾期天数")
    assert listed["户号"].to_list() == accounts["customer_id"].to_list()
    assert listed["欠费（元）"].to_list() == accounts["arrears"].cast(pl.Float64).to_list()
    assert listed.height == total["arrears_customers"]

    check_risk_section(at, sample, scope)

    transit = sample.query("payments_in_transit", scope, as_of=as_of, show_personal=False)
    shortfall = sample.query("bank_shortfall", scope, as_of=as_of, show_personal=False)
    assert [e.label for e in at.expander] == [f"在途付款（{transit.height:,} 笔）",
                                              f"银行代扣不足提醒（{shortfall.height:,} 笔）"]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def check_risk_section(at: AppTest, sample, scope: Scope, dimension: str = "station") -> None:
    """风险分级: customers per grade, the moves since last month's end, and per group the
    customers and arrears of each grade — what the three §6 questions answer."""
    as_of, params = sample.default_as_of, load_settings().params()
    total = sample.query("risk_grade_summary", scope, as_of=as_of, group_by="total", **params)
    for r in total.iter_rows(named=True):
        assert metric(at, f"{labels.RISK_GRADE_WORD[r['risk_grade']]}（户）") == fmt.count(r["customers"], unit=None)
    moves = sample.query("risk_grade_moves", scope, as_of=as_of, **params)
    for kind in ("up", "down", "new", "cleared"):
        expected = sum(r["customers"] for r in moves.iter_rows(named=True) if r["move"] == kind)
        assert metric(at, f"{labels.RISK_MOVE[kind]}（户）") == fmt.count(expected, unit=None)
    by_group = sample.query("risk_grade_summary", scope, as_of=as_of, group_by=dimension, **params)
    shown = frame(at, "高风险户数")
    for g in ("high", "medium", "low"):
        rows = by_group.filter(pl.col("risk_grade") == g, pl.col("customers") > 0)
        word = labels.RISK_GRADE_WORD[g]
        assert shown[f"{word}户数"].sum() == rows["customers"].sum()
        assert round(shown[f"{word}欠费（元）"].sum(), 2) == round(float(rows["arrears"].sum()), 2)
    assert shown["欠费户数"].sum() == total["customers"].sum()
    (heat,) = [c for c in at.get("plotly_chart") if json.loads(c.proto.spec)["data"][0]["type"] == "heatmap"]
    cells = json.loads(heat.proto.spec)["data"][0]
    counted = sum(v for row in cells["z"] for v in row if v is not None)
    assert counted == moves["customers"].sum()


def leaked(at: AppTest, personal: tuple[set[str], set[str]]) -> list[str]:
    """Personal data anywhere on the page: a table cell equal to a person's name or phone, or a
    phone inside any text. Collectors are staff and shown by name (one shares a customer's)."""
    names, phones = personal
    either = names | phones
    found = []
    for df in at.dataframe:
        for column in df.value.columns:
            if column != "抄表催费责任人":
                found += [str(v) for v in df.value[column].tolist() if str(v) in either]
    for element in [*at.markdown, *at.caption, *at.info, *at.success, *at.metric]:
        found += [p for p in phones if p in str(element.value)]
    return found


def test_page_without_filters_shows_the_query_figures_and_no_personal_data(sample, personal):
    at = open_page(PAGE)
    check_page_matches_queries(at, sample, Scope())
    assert "联系电话" not in frame(at, "逾期天数").columns
    assert not leaked(at, personal)


def test_page_with_station_village_and_category_filters(sample):
    options = sample.query("filter_options", stations=[])
    station = "城郊供电所" if "城郊供电所" in options["value"] else options.filter(pl.col("dimension") == "station")["value"][0]
    within = sample.query("filter_options", stations=[station])
    village = within.filter((pl.col("dimension") == "village") & (pl.col("value") != ""))["value"][0]
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value([station]).run()
    check_page_matches_queries(at, sample, Scope(stations=(station,)))
    at.sidebar.multiselect(key="village").set_value([village]).run()
    at.sidebar.multiselect(key="category").set_value(["residential", "small_power"]).run()
    assert not at.exception
    check_page_matches_queries(at, sample, Scope(stations=(station,), villages=(village,),
                                             categories=("residential", "small_power")))


def test_clicking_a_bar_narrows_the_account_list_until_cleared(sample):
    at = open_page(PAGE)
    at.segmented_control(key="arrears_dimension").set_value("line").run()
    check_page_matches_queries(at, sample, Scope(), dimension="line")
    bars = figure(at, "各10kV 线路")
    station, line = bars["data"][0]["customdata"][1][:2]
    at.session_state[bar_key(at)] = {"selection": {"points": [{"customdata": [station, line]}],
                                                   "point_indices": [1], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    narrowed = dataclasses.replace(Scope(), stations=(station,), lines=(line,))
    expected = sample.query("arrears_accounts", narrowed, as_of=sample.default_as_of, show_personal=False, limit=0)
    listed = frame(at, "逾期天数")
    assert listed["户号"].to_list() == expected["customer_id"].to_list()
    assert set(listed["10kV 线路"]) == {line or "未登记"}
    assert any(f"{line or '未登记'}（{station}）" in i.value for i in at.info)

    at.button(key="arrears_clear").click().run()
    assert not at.exception
    everything = sample.query("arrears_accounts", Scope(), as_of=sample.default_as_of, show_personal=False, limit=0)
    assert frame(at, "逾期天数").height == everything.height
    assert not any("已选" in i.value for i in at.info)


def test_contact_toggle_shows_phones_but_never_in_presentation_mode(sample, personal):
    at = open_page(PAGE)
    at.toggle(key="arrears_show_personal").set_value(True).run()
    listed = frame(at, "逾期天数")
    assert leaked(at, personal)  # the check above can see personal data when it is there
    unmasked = sample.query("arrears_accounts", Scope(), as_of=sample.default_as_of, show_personal=True, limit=0)
    assert listed["联系电话"].to_list() == unmasked["phone"].to_list()
    assert listed["户名"].to_list() == unmasked["customer_name"].to_list()

    at.sidebar.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "arrears_show_personal"]
    assert "联系电话" not in frame(at, "逾期天数").columns
    assert not leaked(at, personal)


def test_arrears_by_group_agrees_with_recovery_summary(sample):
    """The page's fast arrears question gives recovery_summary's arrears columns."""
    columns = ["station", "member", "arrears", "arrears_current_year", "arrears_prior_years",
               "arrears_customers", "arrears_bills"]
    as_of = sample.default_as_of
    summary = sample.query("recovery_summary", Scope(), as_of=as_of, year=as_of.year, group_by="line")
    fast = sample.query("arrears_by_group", Scope(), as_of=as_of, group_by="line")
    assert fast.select(columns).equals(summary.filter(pl.col("arrears") > 0).select(columns))


def test_page_with_nothing_owed_says_so(tmp_path, monkeypatch):
    # one bill of 100.00 due 2021-03-20, paid in full on 2021-03-10: no arrears on 2021-03-31
    extract = write_extract(
        tmp_path / "paid", [customer("0001")], [bill("b1", "0001", "100.00", due_on="2021-03-20")],
        [payment("p1", "0001", "b1", "100.00", "2021-03-10 09:00:00"),
         payment("p2", "0001", None, "5.00", "2021-03-31 09:00:00")])
    monkeypatch.setenv("FEE_DATA_DIR", str(extract))
    at = open_page(PAGE)
    assert [m.value for m in at.metric][:2] == ["0.00", "0.00"]
    assert any("没有欠费" in s.value for s in at.success)
    assert not at.get("plotly_chart")


def test_the_grade_filter_lists_only_the_chosen_grades(sample):
    """Every listed account carries its grade and reason; choosing 低 lists exactly the low ones
    (the query asked with $grades), and the caption counts them."""
    as_of, params = sample.default_as_of, load_settings().params()
    at = open_page(PAGE)
    listed = frame(at, "逾期天数")
    assert set(listed["风险等级"]) <= {"高", "中", "低"} and listed["定级原因"].str.len_chars().min() > 0
    for chosen, words in ((["low"], {"低"}), (["high", "medium"], {"高", "中"})):
        at.multiselect(key="arrears_grades").set_value(chosen).run()
        assert not at.exception
        expected = sample.query("arrears_accounts", Scope(), as_of=as_of, show_personal=False, limit=0,
                                grades=chosen, **params)
        listed = frame(at, "逾期天数")
        assert listed["户号"].to_list() == expected["customer_id"].to_list()
        assert set(listed["风险等级"]) == words
        summary = sample.query("risk_grade_summary", Scope(), as_of=as_of, group_by="total", **params)
        count = summary.filter(pl.col("risk_grade").is_in(chosen))["customers"].sum()
        assert listed.height == count
        assert any(f"{'、'.join(labels.RISK_GRADE_WORD[g] for g in chosen)}欠费户{count:,} 户" in c.value
                   for c in at.caption)


def test_the_risk_section_by_village_and_collector(sample):
    at = open_page(PAGE)
    for dimension in ("village", "collector"):
        at.segmented_control(key="risk_dimension").set_value(dimension).run()
        assert not at.exception
        check_risk_section(at, sample, Scope(), dimension)


def test_a_settings_file_that_cannot_be_used_is_named_on_the_page(tmp_path, monkeypatch):
    bad = tmp_path / "collections.toml"
    bad.write_text("[risk]\nhigh_days_overdue = -1\n", encoding="utf-8")
    monkeypatch.setenv("FEE_SETTINGS", str(bad))
    at = open_page(PAGE)  # no exception, even with FEE_STRICT
    assert any("risk.high_days_overdue" in m.value for m in at.markdown)
    assert any(labels.FRAME["settings_title"] in e.value for e in at.error)
    assert at.metric[0].value  # what needs no settings is still shown
