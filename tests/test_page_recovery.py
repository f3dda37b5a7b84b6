"""电费回收率 page on the shipped sample: the tiles and charts show what the query layer
answers for the same filters, and a click on a station, then on a line, drills down to the
line's transformers until the breadcrumb resets it."""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from queries import Scope, labels
from reports import format as fmt

from apptest import figure, open_page
PAGE = "pages/recovery.py"

pytestmark = pytest.mark.usefixtures("sample_env")


def has_figure(at: AppTest, title: str) -> bool:
    return any(json.loads(c.proto.spec)["layout"]["title"]["text"].startswith(title) for c in at.get("plotly_chart"))


def shown_rate(rate) -> float:
    return float(fmt.truncated_rate(rate))


def bar_rates(fig: dict) -> dict[str, float]:
    """Bar label → plotted rate, over the 达到目标 and 未达目标 traces."""
    return {y: x for t in fig["data"] if t["type"] == "bar" for y, x in zip(t["y"], t["x"])}


def expected_rates(df: pl.DataFrame, column: str, label=lambda v: v) -> dict[str, float]:
    return {label(r[column]): shown_rate(r["recovery_rate"])
            for r in df.iter_rows(named=True) if r["recovery_rate"] is not None}


def summary(sample, scope: Scope, group_by: str) -> pl.DataFrame:
    as_of = sample.default_as_of
    return sample.query("recovery_summary", scope, as_of=as_of, year=as_of.year, group_by=group_by)


def check_page_matches_queries(at: AppTest, sample, scope: Scope) -> None:
    as_of, year = sample.default_as_of, sample.default_as_of.year
    total = summary(sample, scope, "total").row(0, named=True)
    target = round(total["target"], 6)  # the page rounds the billed-weighted double
    assert [m.value for m in at.metric] == [
        fmt.pct(total["recovery_rate"]), fmt.pct(total["prior_recovery_rate"]),
        fmt.pct(total["cumulative_rate"]), fmt.pct(target),
    ]
    assert at.metric[0].delta == f"{fmt.points((total['recovery_rate'] - target) * 100, unit=True)} 较目标"
    assert fmt.wan(total["billed"]) in at.metric[0].help and fmt.wan(total["prior_opening"]) in at.metric[1].help

    assert bar_rates(figure(at, f"{year} 年各供电所回收率")) == expected_rates(summary(sample, scope, "station"), "station")
    assert bar_rates(figure(at, f"{year} 年各用电类别回收率")) == expected_rates(
        summary(sample, scope, "category"), "member", lambda c: labels.CATEGORY[c])

    months = {t["name"]: t for t in figure(at, f"{year} 年各月电费回收率")["data"]}
    this_year = sample.query("recovery_by_month", scope, as_of=as_of, year=year)
    last_year = sample.query("recovery_by_month", scope, as_of=as_of.replace(year=year - 1), year=year - 1)
    for df, trace in ((this_year, months[f"{year} 年"]),
                      (last_year, next(t for n, t in months.items() if n.startswith("去年同期")))):
        df = df.filter(pl.col("recovery_rate").is_not_null())
        assert trace["x"] == [p.month for p in df["period"]]
        assert trace["y"] == [shown_rate(r) for r in df["recovery_rate"]]


def test_page_without_filters_shows_the_query_figures(sample):
    at = open_page(PAGE)
    check_page_matches_queries(at, sample, Scope())
    stations = summary(sample, Scope(), "station")
    table = next(df.value for df in at.dataframe if "供电所" in df.value.columns)
    assert sorted(table["供电所"]) == sorted(stations["station"])
    assert not has_figure(at, "千钢供电所 各线路")


def test_page_with_station_village_and_category_filters(sample):
    options = sample.query("filter_options", stations=[])
    station = options.filter(pl.col("dimension") == "station")["value"][0]
    within = sample.query("filter_options", stations=[station])
    village = within.filter((pl.col("dimension") == "village") & (pl.col("value") != ""))["value"][0]
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value([station]).run()
    assert not at.exception
    at.sidebar.multiselect(key="village").set_value([village]).run()
    at.sidebar.multiselect(key="category").set_value(["residential", "small_power"]).run()
    assert not at.exception
    check_page_matches_queries(at, sample, Scope(stations=(station,), villages=(village,),
                                             categories=("residential", "small_power")))


def click(at: AppTest, prefix: str, key: str) -> None:
    """What a click on a bar sends: the chart's selection, customdata[0] carrying the key."""
    chart = next(k for k in at.session_state._state._state.filtered_state
                 if k.startswith(prefix) and not k.endswith("_seen"))
    at.session_state[chart] = {"selection": {"points": [{"customdata": [key]}], "point_indices": [0],
                                             "box": [], "lasso": []}}
    at.run()
    assert not at.exception


def test_clicks_drill_from_station_to_line_to_transformer_and_the_breadcrumb_resets(sample):
    station = "千钢供电所"
    at = open_page(PAGE)
    click(at, "recovery_stations_", station)
    lines = summary(sample, Scope(stations=(station,)), "line")
    fig = figure(at, f"{station} 各线路回收率")
    assert bar_rates(fig) == expected_rates(lines, "member", lambda v: v or "未登记")
    assert station in fig["layout"]["title"]["text"].split("<br>")[1]  # the narrowed scope in the subtitle
    table = next(df.value for df in at.dataframe if "10kV 线路" in df.value.columns)
    assert len(table) == lines.height

    line = lines.filter(pl.col("member").is_not_null()).sort("recovery_rate")["member"][0]
    click(at, "recovery_lines_", line)
    transformers = summary(sample, dataclasses.replace(Scope(), stations=(station,), lines=(line,)), "transformer")
    assert bar_rates(figure(at, f"{line} 各台区回收率")) == expected_rates(transformers, "member")
    assert set(transformers["line_of_member"]) == {line}
    assert any(line in m.value for m in at.markdown)  # the breadcrumb's last step

    at.button(key="recovery_crumb_station").click().run()
    assert not at.exception
    assert has_figure(at, f"{station} 各线路回收率") and not has_figure(at, f"{line} 各台区回收率")

    at.button(key="recovery_crumb_all").click().run()
    assert not at.exception
    assert not has_figure(at, f"{station} 各线路回收率")
    check_page_matches_queries(at, sample, Scope())


def test_a_drilled_station_outside_a_new_station_filter_is_dropped(sample):
    stations = sample.query("filter_options", stations=[]).filter(pl.col("dimension") == "station")["value"]
    at = open_page(PAGE)
    click(at, "recovery_stations_", stations[0])
    assert has_figure(at, f"{stations[0]} 各线路回收率")
    at.sidebar.multiselect(key="station").set_value([stations[1]]).run()
    assert not at.exception
    assert not has_figure(at, f"{stations[0]} 各线路回收率")
    assert stations[0] not in [b.label for b in at.button]


def test_collectors_are_ranked_by_their_recovery_rate(sample):
    at = open_page(PAGE)
    d = sample.default_as_of
    want = sample.query("recovery_summary", Scope(), as_of=d, year=d.year, group_by="collector")
    table = next(df.value for df in at.dataframe if "抄表催费责任人" in df.value.columns)
    assert len(table) == want.height
    rates = table["电费回收率"].tolist()
    assert rates == sorted(rates, reverse=True)
    assert sorted(zip(table["抄表催费责任人"], table["供电所"])) == sorted(zip(want["member"], want["station"]))
    assert table["欠费（元）"].sum() == pytest.approx(float(want["arrears"].sum()))
