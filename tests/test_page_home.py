"""每日进度 on the shipped sample: the tiles and charts show the query layer's figures for
the same filters — with no filter, and with a station, a village and a category chosen; and on
test_reports_daily's hand-worked town, the risk grades of the ten largest arrears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from apptest import figure, open_page, values
from queries import Scope
from reports import format as fmt
from test_reports_daily import write_town

pytestmark = pytest.mark.usefixtures("sample_env")
PAGE = "pages/home.py"


def expected_tiles(sample, scope: Scope) -> list[str]:
    d = sample.default_as_of
    now = sample.query("recovery_summary", scope, as_of=d, year=d.year, group_by="total").row(0, named=True)
    today = sample.query("collections_daily", scope, date_from=d, date_to=d).row(0, named=True)
    return [fmt.wan(now["billed"], unit=False), fmt.wan(now["recovered"], unit=False),
            fmt.pct(now["recovery_rate"]), fmt.wan(now["arrears"], unit=False),
            fmt.count(now["arrears_customers"], unit=""), fmt.wan(today["collected"], unit=False)]


def check(at, sample, scope: Scope) -> None:
    assert [m.value for m in at.metric] == expected_tiles(sample, scope)
    d = sample.default_as_of
    month = sample.query("collections_daily", scope, date_from=d.replace(day=1), date_to=d)
    bars = figure(at, f"{d.month} 月每日回收")["data"][0]
    assert values(bars["y"]) == pytest.approx([float(v) / 1e4 for v in month["collected"]])
    top = sample.query("arrears_accounts", scope, as_of=d, show_personal=False, limit=10)
    shown = pl.from_pandas(at.dataframe[1].value)
    assert shown["户号"].to_list() == top["customer_id"].to_list()


def test_home_without_filters(sample):
    at = open_page(PAGE)
    check(at, sample, Scope())
    # the tiles carry the change since yesterday
    assert all(m.delta for m in at.metric)


def test_home_with_a_station_a_village_and_a_category(sample):
    options = sample.query("filter_options", stations=["千钢供电所"])
    village = options.filter(pl.col("dimension") == "village")["value"].to_list()[0]
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value(["千钢供电所"]).run()
    at.sidebar.multiselect(key="village").set_value([village]).run()
    at.sidebar.multiselect(key="category").set_value(["residential"]).run()
    assert not at.exception
    check(at, sample, Scope(stations=("千钢供电所",), villages=(village,), categories=("residential",)))


def test_the_year_curve_is_the_years_rate_day_by_day(sample):
    at = open_page(PAGE)
    d = sample.default_as_of
    curve = sample.query("recovery_curve_daily", Scope(), as_of=d, period_from=dt.date(d.year, 1, 1),
                     period_to=dt.date(d.year, 12, 1)).filter(pl.col("billed") > 0)
    line = figure(at, f"{d.year} 年电费回收率（逐日）")["data"][0]
    assert values(line["y"]) == [float(fmt.truncated_rate(r)) for r in curve["recovery_rate"]]
    assert values(line["y"])[-1] == float(Decimal(fmt.pct(sample.query(
        "recovery_summary", Scope(), as_of=d, year=d.year, group_by="total")["recovery_rate"][0])[:-2]))


def test_the_ten_largest_arrears_carry_their_risk_grade_and_reason(tmp_path, monkeypatch):
    """The town as of 2022-03-10 (worked out in test_reports_daily): C3's B4 (due 2021-11-20) is
    110 days overdue, over 90: 高. C4 (6,000) and C1 (150) are 18 days overdue and meet no 中 or
    高 clause (below twice their monthly average, fewer than 3 bills owed on their due dates): 低."""
    monkeypatch.setenv("FEE_DATA_DIR", str(write_town(tmp_path / "town")))
    at = open_page(PAGE)
    shown = pl.from_pandas(at.dataframe[1].value)
    assert shown.select("户号", "户名", "风险等级", "欠费（元）", "定级原因").rows() == [
        ("C4", "乌海某铁合金有限公司", "低", 6000.0, "欠费逾期 18 天，未达到中、高风险条件"),
        ("C1", "张*明", "低", 150.0, "欠费逾期 18 天，未达到中、高风险条件"),
        ("C3", "赵*海", "高", 100.0, "有欠费逾期超过 90 天（最长 110 天）"),
    ]
