"""高耗能客户 page on the shipped sample: tiles, monthly charts, the customer list and the
industry split show what the query layer answers for the same filters; the October 2021
reform is marked; phone numbers never appear; a scope without high-energy customers says so."""

from __future__ import annotations


import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from queries import Scope, labels
from reports import format as fmt

from apptest import figure, open_page
from conftest import SAMPLE
PAGE = "pages/high_energy.py"

pytestmark = pytest.mark.usefixtures("sample_env")


def traces(fig: dict) -> dict[str, dict]:
    return {t["name"]: t for t in fig["data"]}


def close(values: list, expected: list) -> bool:
    return len(values) == len(expected) and all(
        (a is None and b is None) or abs(a - b) < 1e-9 for a, b in zip(values, expected))


def wan(series: pl.Series) -> list[float]:
    return (series.cast(pl.Float64) / 1e4).to_list()


def months(df: pl.DataFrame) -> list[str]:
    return [p.isoformat() for p in df["period"]]


def check_page_matches_queries(at: AppTest, sample, scope: Scope) -> None:
    as_of = sample.default_as_of
    monthly = sample.query("high_energy_monthly", scope, as_of=as_of)
    customers = sample.query("high_energy_customers", scope, as_of=as_of)
    high = monthly.filter(pl.col("customer_group") == "high_energy").sort("period")
    others = monthly.filter(pl.col("customer_group") == "other_large_industry").sort("period")
    latest = high.row(-1, named=True)

    assert [m.value for m in at.metric] == [
        fmt.count(customers.height, unit=""), fmt.wan(latest["amount"], unit=False),
        f"{latest['price_per_kwh']:.4f}", fmt.wan(customers["arrears"].sum(), unit=False),
    ]
    assert at.metric[1].label == f"{latest['period']:%Y-%m} 电费（万元）"

    trend = traces(figure(at, "高耗能客户月度电量、电费与平均电价"))
    assert trend["电量"]["x"] == months(high)
    assert close(trend["电量"]["y"], (high["kwh"] / 1e4).to_list())
    assert close(trend["电费"]["y"], wan(high["amount"]))
    assert close(trend["平均电价"]["y"], high["price_per_kwh"].to_list())

    price = traces(figure(at, "平均电价："))
    assert close(price["高耗能客户"]["y"], high["price_per_kwh"].to_list())
    if others.height:
        assert price["其他大工业客户"]["x"] == months(others)
        assert close(price["其他大工业客户"]["y"], others["price_per_kwh"].to_list())

    tou = traces(figure(at, "高耗能客户峰平谷电量占比"))
    shares = high.filter(pl.col("peak_share").is_not_null())
    assert close(tou["峰段"]["y"], (shares["peak_share"] * 100).to_list())
    assert close(tou["谷段"]["y"], (shares["valley_share"] * 100).to_list())

    tariffs = traces(figure(at, "高耗能客户电费按电价类型"))
    assert close(tariffs[labels.TARIFF["market"]]["y"], wan(high["amount_market"]))

    listed = next(df.value for df in at.dataframe if "户号" in df.value.columns)
    assert listed["户号"].tolist() == customers["customer_id"].to_list()
    assert listed["户名"].tolist() == customers["customer_name"].to_list()
    assert close(listed["欠费（元）"].tolist(), customers["arrears"].cast(pl.Float64).to_list())
    assert [list(v) for v in listed["近 12 个月电费走势"]] == customers["amounts_12m"].to_list()

    industries = sample.query("high_energy_by_industry", scope, as_of=as_of, year=as_of.year)
    bars = figure(at, f"{as_of.year} 年高耗能客户电费按行业")["data"][0]
    assert bars["y"] == industries["industry"].fill_null("未登记").to_list()
    assert close(bars["x"], wan(industries["amount"]))


def no_phone_anywhere(at: AppTest, sample) -> None:
    phones = set(pl.read_parquet(SAMPLE / "customers.parquet")["phone"].drop_nulls().to_list())
    for df in at.dataframe:
        assert "联系电话" not in df.value.columns
        assert not {str(v) for column in df.value.columns for v in df.value[column].tolist()} & phones


def test_page_without_filters_shows_the_query_figures_and_no_phone(sample):
    at = open_page(PAGE)
    check_page_matches_queries(at, sample, Scope())
    no_phone_anywhere(at, sample)


def test_the_reform_day_is_marked_on_every_monthly_chart():
    at = open_page(PAGE)
    for title in ("高耗能客户月度电量", "平均电价：", "高耗能客户峰平谷", "高耗能客户电费按电价类型"):
        layout = figure(at, title)["layout"]
        assert [s["x0"] for s in layout["shapes"]] == ["2021-10-15"]
        assert "发改价格〔2021〕1439号" in layout["annotations"][0]["text"]


def test_page_with_station_village_and_category_filters(sample):
    high_energy = pl.read_parquet(SAMPLE / "customers.parquet").filter(pl.col("is_high_energy"))
    station, village = high_energy.group_by("station", "village").len().sort("len", descending=True).row(0)[:2]
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value([station]).run()
    at.sidebar.multiselect(key="village").set_value([village]).run()
    at.sidebar.multiselect(key="category").set_value(["large_industry"]).run()
    assert not at.exception
    scope = Scope(stations=(station,), villages=(village,), categories=("large_industry",))
    check_page_matches_queries(at, sample, scope)
    listed = next(df.value for df in at.dataframe if "户号" in df.value.columns)
    assert set(listed["供电所"]) == {station}


def test_a_scope_without_high_energy_customers_says_so():
    at = open_page(PAGE)
    at.sidebar.multiselect(key="category").set_value(["residential"]).run()
    assert not at.exception
    assert not at.metric and not at.get("plotly_chart")
    assert any("没有高耗能客户" in i.value for i in at.info)
