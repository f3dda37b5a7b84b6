"""每日进度 — the manager's daily check: tiles, the year's recovery curve with its year-end
projection, this month's daily collections, the station ranking and the ten largest arrears
with each one's risk grade and the reason for it."""

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import collections, labels, projection
from queries.projection import Projection
from reports.columns import col
from reports.format import percent, wan_numbers
from reports.projection import sentence
from ui import app, charts, data, downloads, frame, tables, tiles

ex, view = app.page_view()
yesterday = view.yesterday
frame.header(view, "每日进度")


def summary(as_of: dt.date, group_by: str) -> pl.DataFrame:
    return data.query("recovery_summary", view.scope, as_of=as_of, year=view.year, group_by=group_by)


def add_projection(fig: go.Figure, outlook: Projection) -> None:
    """The projected path (dashed) from D to 31 December and, from two earlier years on, its band."""
    words = labels.PROJECTION
    days = outlook.path["day"].to_list()
    rate, low, high = ([percent(r) for r in outlook.path[c]] for c in ("rate", "low", "high"))
    if outlook.has_band:
        fig.add_scatter(x=days, y=high, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False)
        fig.add_scatter(x=days, y=low, mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=charts.faint(charts.GOOD), name=words["band"], hoverinfo="skip")
    band = words["hover_band"] if outlook.has_band else ""
    fig.add_scatter(x=days, y=rate, mode="lines+markers", name=words["path"],
                    line={"color": charts.GOOD, "width": 2, "dash": "dash"}, marker={"size": 5},
                    customdata=list(zip(low, high)), hovertemplate=words["hover"] + band + "<extra></extra>")


total, total_before = summary(view.as_of, "total"), summary(yesterday, "total")
if total["bills"][0] == 0 and total["arrears"][0] == 0:
    frame.empty()
    st.stop()
now, before = total.row(0, named=True), total_before.row(0, named=True)
month_start = view.as_of.replace(day=1)
days = data.query("collections_daily", view.scope, date_from=min(month_start, yesterday), date_to=view.as_of)
today = days.filter(pl.col("day") == view.as_of).row(0, named=True)
prior_day = days.filter(pl.col("day") == yesterday).row(0, named=True)

# --- tiles -------------------------------------------------------------------------------
m = labels.METRIC
c = st.columns(3) + st.columns(3)
tiles.money(c[0], m["billed"], now["billed"], before["billed"], year=view.year, help="本年度电费年月、已发行电费之和。")
tiles.money(c[1], m["recovered"], now["recovered"], before["recovered"], year=view.year)
tiles.rate(c[2], m["recovery_rate"], now["recovery_rate"], before["recovery_rate"], now["target"], year=view.year,
           help=f"{m['recovered']} ÷ {m['billed']}，截断（不四舍五入）到两位小数。")
tiles.money(c[3], m["arrears"], now["arrears"], before["arrears"], warn=True,
            help="所有年份已发行、已过缴费截止日且未结清的电费。")
tiles.customers(c[4], m["arrears_customers"], now["arrears_customers"], before["arrears_customers"])
tiles.money(c[5], m["collected"], today["collected"], prior_day["collected"],
            help="当日入账并冲减电费的金额（各年度电费）。")

if not view.presentation:
    downloads.daily_report(st.columns([3, 2])[1], ex, view)

# --- the year's curve and this month's days ----------------------------------------------
left, right = st.columns([3, 2])
with left:
    curve = data.query("recovery_curve_daily", view.scope, as_of=view.as_of,
                       period_from=dt.date(view.year, 1, 1), period_to=dt.date(view.year, 12, 1))
    curve = curve.filter(pl.col("billed") > 0)
    # the year-end projection, for D's own year only (a past year needs none)
    outlook = projection.from_frame(data.query("recovery_projection", view.scope, as_of=view.as_of)) \
        if view.year == view.as_of.year else None
    fig = go.Figure()
    fig.add_scatter(
        x=curve["day"], y=[percent(r) for r in curve["recovery_rate"]],
        mode="lines", name=m["recovery_rate"], line={"color": charts.GOOD, "width": 2.5},
        customdata=list(zip(wan_numbers(curve["billed"]), wan_numbers(curve["recovered"]))),
        hovertemplate="%{x|%Y-%m-%d}<br>回收率 %{y:.2f} %<br>应收 %{customdata[0]:,.2f} 万元"
                      "<br>实收 %{customdata[1]:,.2f} 万元<extra></extra>")
    projected = outlook is not None and outlook.projected_rate is not None
    if projected:
        add_projection(fig, outlook)
        # open on the last month and the outlook (a January ramp from 0 % would flatten them);
        # the chart's autoscale button shows the whole year
        recent = curve.filter(pl.col("day") > view.as_of - dt.timedelta(days=31))["recovery_rate"].to_list()
        lowest = min(r for r in [*recent, outlook.low_rate, outlook.projected_rate, now["target"]] if r is not None)
        fig.update_yaxes(range=[max(0, int(percent(lowest)) - 2), 100.5])
    target = percent(now["target"])
    fig.add_hline(y=target, line={"color": charts.TARGET, "dash": "dash"},
                  annotation_text=f"目标 {target:.2f} %", annotation_position="bottom left")
    charts.layout(fig, view, f"{view.year} 年电费回收率（逐日）", legend=projected)
    fig.update_yaxes(title="回收率（%）", ticksuffix=" %")
    fig.update_xaxes(title="日期", tickformat="%m-%d")
    charts.show(fig, "home_curve", f"回收率曲线_{view.as_of:%Y%m%d}")
    if outlook is not None:
        frame.text(sentence(outlook), "fee-caption")
        if projected:
            frame.text(labels.PROJECTION["method"], "fee-caption")
with right:
    month = days.filter(pl.col("day") >= month_start)
    fig = go.Figure()
    fig.add_bar(x=month["day"], y=wan_numbers(month["collected"]), name=m["collected"],
                marker_color=charts.GOOD,
                hovertemplate="%{x|%m-%d}<br>回收 %{y:,.2f} 万元<extra></extra>")
    charts.layout(fig, view, f"{view.as_of.month} 月每日回收", legend=False)
    fig.update_yaxes(title="回收（万元）")
    fig.update_xaxes(title="日期", tickformat="%m-%d")
    charts.show(fig, "home_month", f"每日回收_{view.as_of:%Y%m}")

# --- stations ------------------------------------------------------------------------------
st.subheader("供电所排名")
branch = app.page_access().branch(view.scope)  # a branch-wide comparison, not for every user (docs/DATA.md §8)
if branch is None:
    st.caption(labels.ACCESS["no_branch_ranking"])
else:
    ranking = data.query("ranking", branch, as_of=view.as_of, year=view.year, group_by="station")
    tables.show_table(ranking, [
        col("rank"), col("station"), col("recovery_rate"), col("target"), col("gap_to_target"), col("rate_change"),
        col("billed"), col("recovered"), col("arrears"), col("arrears_change"), col("arrears_customers"),
    ], dataclasses.replace(view, scope=branch), key="home_stations", filename="供电所排名", title="供电所排名")

# --- the ten largest arrears -------------------------------------------------------------
st.subheader("欠费前十")
settings = collections.load_settings()  # the risk grades' thresholds; a file that cannot be used: ui/frame.guard
top = collections.with_risk_words(data.query("arrears_accounts", view.scope, as_of=view.as_of, show_personal=False,
                                             limit=10, **settings.params()), settings)
if top.is_empty():
    st.success("截至当日没有欠费。", icon=":material/check_circle:")
else:
    tables.show_table(top, [
        # who, how much and why first, as on the arrears page: a wide table scrolls
        col("customer_id"), col("customer_name"), col("risk_grade"), col("arrears"), col("days_overdue"),
        col("risk_reason"), col("station"), col("village"), col("line"), col("category"), col("collector"),
        col("arrears_prior_years"), col("oldest_period"),
    ], view, key="home_top", filename="欠费前十", title="欠费前十")
