"""电费回收率 — the three rates of docs/DATA.md §3 against target, by station and category, the
year's monthly rates against last year, and a drill from station to line to transformer.
Every ranking (stations, a station's lines, a line's transformers, categories, collectors)
is ranking.sql's, in its one order with its gap to target."""

import dataclasses

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import labels
from reports import format as fmt
from reports.columns import col
from reports.format import percent, wan_numbers
from ui import app, charts, data, frame, selection, tables, tiles
from ui.filters import View

# Drill state: the station and line clicked on the charts (selection.chart_key names them).
DRILL_STATION, DRILL_LINE = "recovery_drill_station", "recovery_drill_line"
STATION_CHART, LINE_CHART = "recovery_stations", "recovery_lines"

ex, view = app.page_view()
frame.header(view, "电费回收率")


def ranked(scope_view: View, group_by: str, member: str | None = None) -> pl.DataFrame:
    """ranking.sql of a (narrowed) view, best first; a line's, transformer's or collector's
    name in a column of its own (`member`), an unregistered one shown as such (a line stays
    null: the drill keys it as '')."""
    df = data.query("ranking", scope_view.scope, as_of=view.as_of, year=view.year, group_by=group_by)
    if member is None:
        return df
    name = pl.col("member")
    if member != "line":
        name = name.fill_null(labels.UNASSIGNED if member == "collector" else labels.UNREGISTERED)
    return df.with_columns(name.alias(member))


def narrowed(station: str, line: str | None = None) -> View:
    """The view restricted to one station (and one line; '' is the unregistered line)."""
    scope = dataclasses.replace(view.scope, stations=(station,))
    if line is not None:
        scope = dataclasses.replace(scope, lines=(line,))
    return dataclasses.replace(view, scope=scope)


def follow(chart_key: str, drill_key: str, clears: str | None = None) -> None:
    """Apply a new click (or un-click) on a chart to the drill state; an unchanged one leaves it.
    The key a click hands back is customdata[0] of the clicked bar."""
    points_now = selection.points(chart_key)
    seen_key, value = f"{chart_key}_seen", points_now[0]["customdata"][0] if points_now else None
    if st.session_state.get(seen_key) != value:
        st.session_state[seen_key] = value
        st.session_state[drill_key] = value
        if clears:
            st.session_state[clears] = None


def reset_drill(level: int) -> None:
    """Breadcrumb: back to all stations (0) or to the chosen station's lines (1)."""
    if level == 0:
        st.session_state[DRILL_STATION] = None
        selection.clear(STATION_CHART)
    st.session_state[DRILL_LINE] = None
    selection.clear(LINE_CHART)


def chartable(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(pl.col("recovery_rate").is_not_null())


RATE_COLS = [
    col("recovery_rate"), col("target"), col("gap_to_target"), col("billed"), col("recovered"),
    col("prior_opening"), col("prior_recovered"), col("prior_recovery_rate"), col("cumulative_rate"),
    col("arrears"), col("arrears_customers"),
]

total = ranked(view, "total")
if total.is_empty() or not (total["bills"][0] or total["arrears"][0] or total["prior_opening"][0]):
    frame.empty()
    st.stop()
now = total.row(0, named=True)
target = now["target"]

# the drill state, read from the charts' selections before anything is drawn
station_chart_key = selection.chart_key(STATION_CHART)
follow(station_chart_key, DRILL_STATION, clears=DRILL_LINE)
stations = ranked(view, "station")
# The stations compared: the view's; a restricted user's with the whole branch beside them when
# allowed (docs/DATA.md §8). The drill opens only the view's own stations.
access = app.page_access()
branch = access.branch(view.scope) if access.restricted else None
compared_view = view if branch is None else dataclasses.replace(view, scope=branch)
compared = stations if branch is None else ranked(compared_view, "station")
drill_station = charts.unkey(st.session_state.get(DRILL_STATION), stations["station"])  # None if gone
line_chart_key = selection.chart_key(LINE_CHART, charts.key(drill_station))
drill_line, lines = None, None
if drill_station is not None:
    follow(line_chart_key, DRILL_LINE)
    lines = ranked(narrowed(drill_station), "line", member="line")
    drill_line = charts.unkey(st.session_state.get(DRILL_LINE), [v or "" for v in lines["line"]])  # '' unregistered

# --- the three rates ---------------------------------------------------------------------
m = labels.METRIC
c = st.columns(4)
tiles.versus_target(c[0], m["recovery_rate"], now["recovery_rate"], target, now["gap_to_target"], year=view.year,
                    help=f"{view.year} 年电费：{m['recovered']} {fmt.wan(now['recovered'])} ÷ {m['billed']} "
                         f"{fmt.wan(now['billed'])}（各月已发行电费）。截断（不四舍五入）到两位小数。")
tiles.versus_target(c[1], m["prior_recovery_rate"], now["prior_recovery_rate"], target,
                    help=f"{m['prior_recovered']} {fmt.wan(now['prior_recovered'])} ÷ {m['prior_opening']} "
                         f"{fmt.wan(now['prior_opening'])}（{view.year - 1} 年底尚未结清的以前年度电费）。")
both_recovered, both_billed = now["recovered"] + now["prior_recovered"], now["billed"] + now["prior_opening"]
tiles.versus_target(c[2], m["cumulative_rate"], now["cumulative_rate"], target,
                    help=f"（{m['recovered']} + {m['prior_recovered']}）{fmt.wan(both_recovered)} ÷ "
                         f"（{m['billed']} + {m['prior_opening']}）{fmt.wan(both_billed)}。")
c[3].metric(m["target"], fmt.pct(target), border=True,
            help=f"各供电所的年度{m['target']}按{m['billed']}加权；未设目标的供电所按 100 %（全额回收）。")
st.caption(" · ".join(f"{m[k]} {fmt.wan(now[k])}"
                      for k in ("billed", "recovered", "prior_opening", "prior_recovered", "arrears")))

# --- this year's monthly rates against the same months last year ---------------------------
months = data.query("recovery_by_month", view.scope, as_of=view.as_of, year=view.year)
months_before = data.query("recovery_by_month", view.scope, as_of=view.last_year, year=view.year - 1)
if months.is_empty() and months_before.is_empty():
    st.info(f"{view.year} 年截至 {fmt.date_cn(view.as_of)} 尚未发行电费。", icon=":material/info:")
else:
    fig = go.Figure()
    for df, year, name, style in (
        (months_before, view.year - 1, labels.COMPARE["last_year"].format(day=f"{view.last_year:%Y-%m-%d}"),
         {"color": charts.MUTED, "width": 2, "dash": "dot"}),
        (months, view.year, f"{view.year} 年", {"color": charts.NEUTRAL, "width": 3}),
    ):
        df = df.filter(pl.col("recovery_rate").is_not_null())
        fig.add_scatter(
            x=[p.month for p in df["period"]], y=[percent(r) for r in df["recovery_rate"]],
            mode="lines+markers", name=name, line=style, marker={"size": 8, "color": style["color"]},
            customdata=list(zip(wan_numbers(df["billed"]), wan_numbers(df["recovered"]))),
            hovertemplate=f"{year} 年 %{{x}} 月电费<br>回收率 %{{y:.2f}} %<br>应收 %{{customdata[0]:,.2f}} 万元"
                          "<br>实收 %{customdata[1]:,.2f} 万元<extra></extra>")
    target_pct = percent(target)
    fig.add_hline(y=target_pct, line={"color": charts.TARGET, "dash": "dash"},
                  annotation_text=f"目标 {target_pct:.2f} %", annotation_position="bottom right")
    values = [percent(r) for r in pl.concat([months, months_before])["recovery_rate"] if r is not None]
    charts.layout(fig, view, f"{view.year} 年各月电费回收率与去年同期")
    fig.update_xaxes(title="电费年月", tickmode="array", tickvals=list(range(1, 13)),
                     ticktext=[f"{m} 月" for m in range(1, 13)], range=[0.5, 12.5])
    fig.update_yaxes(title="回收率（%）", ticksuffix=" %",
                     range=[max(0, (min(values + [target_pct]) - 1) // 5 * 5), 100.4])
    charts.show(fig, "recovery_months", f"各月回收率_{view.year}")
    st.caption("各月回收率只计该电费年月的应收与实收；去年同期按去年同一日期计算。")

# --- this month's bills, day by day, against the same month last year ----------------------
month = view.as_of.replace(day=1)
month_before = view.last_year.replace(day=1)
fig = go.Figure()
for period, name, style in (
    (month_before, f"去年同月（{month_before:%Y-%m}）", {"color": charts.MUTED, "width": 2, "dash": "dot"}),
    (month, f"{month:%Y-%m}", {"color": charts.GOOD, "width": 3}),
):
    curve = data.query("recovery_curve_daily", view.scope, as_of=view.as_of, period_from=period, period_to=period)
    curve = curve.filter(pl.col("billed") > 0)
    fig.add_scatter(
        x=[day.day for day in curve["day"]], y=[percent(r) for r in curve["recovery_rate"]],
        mode="lines", name=name, line=style,
        customdata=list(zip([f"{day:%Y-%m-%d}" for day in curve["day"]], wan_numbers(curve["billed"]),
                            wan_numbers(curve["recovered"]))),
        hovertemplate="%{customdata[0]}<br>回收率 %{y:.2f} %<br>应收 %{customdata[1]:,.2f} 万元"
                      "<br>实收 %{customdata[2]:,.2f} 万元<extra></extra>")
charts.layout(fig, view, f"{month.month} 月电费逐日回收进度与去年同月", height=320)
fig.update_xaxes(title="日", range=[0.5, 31.5], dtick=5)
fig.update_yaxes(title="回收率（%）", ticksuffix=" %", rangemode="tozero")
charts.show(fig, "recovery_month_curve", f"当月回收进度_{month:%Y%m}")
st.caption("只计该电费年月的电费：从发行起每日累计回收率，到月末（或截至日）为止。")

# --- by station (click to drill) and by category -------------------------------------------
left, right = st.columns(2)
with left:
    shown = chartable(compared)
    if shown.is_empty():
        st.info("本年度范围内没有已发行电费。", icon=":material/info:")
    else:
        fig = charts.rate_bars(shown, shown["station"].to_list(), shown["station"].to_list(), compared_view,
                               f"{view.year} 年各供电所回收率")
        charts.show(fig, station_chart_key, f"各供电所回收率_{view.year}", select="points")
        st.caption("点击供电所的柱形，在下方查看该所各线路、台区。")
    if access.restricted and branch is None:
        st.caption(labels.ACCESS["no_branch_ranking"])
with right:
    categories = chartable(ranked(view, "category"))
    if not categories.is_empty():
        names = [labels.CATEGORY.get(c, c) for c in categories["member"]]
        fig = charts.rate_bars(categories, categories["member"].to_list(), names, view,
                               f"{view.year} 年各用电类别回收率")
        charts.show(fig, "recovery_categories", f"各用电类别回收率_{view.year}")

# --- drill: station → line → transformer --------------------------------------------------
st.subheader("逐级查看：供电所 → 线路 → 台区")
crumbs = st.container(horizontal=True, vertical_alignment="center", gap="small")
crumbs.button("全部供电所", key="recovery_crumb_all", icon=":material/home:", disabled=drill_station is None,
              on_click=reset_drill, args=(0,))
if drill_station is not None:
    crumbs.markdown("›")
    crumbs.button(fmt.markdown_text(drill_station, streamlit=True), key="recovery_crumb_station",
                  disabled=drill_line is None,
                  on_click=reset_drill, args=(1,))
if drill_line is not None:
    crumbs.markdown("›")
    frame.text(fmt.cut(drill_line) or labels.UNREGISTERED, "fee-text", crumbs)

if drill_station is None:
    tables.show_table(compared, [col("station"), *RATE_COLS], compared_view, key="recovery_station_table",
                      filename="各供电所回收率", title="各供电所回收率")
else:
    station_view = narrowed(drill_station)
    shown = chartable(lines)
    if not shown.is_empty():
        fig = charts.rate_bars(shown, [v or "" for v in shown["line"]],
                               [v or labels.UNREGISTERED for v in shown["line"]],
                               station_view, f"{charts.label(drill_station)} 各线路回收率")
        charts.show(fig, line_chart_key, f"各线路回收率_{drill_station}", select="points")
        st.caption("点击线路的柱形，查看该线路各台区。")
    tables.show_table(lines, [col("line"), *RATE_COLS], station_view, key="recovery_line_table",
                      filename=f"各线路回收率_{drill_station}", title=f"{drill_station} 各线路回收率")

    if drill_line is not None:
        line_view = narrowed(drill_station, drill_line)
        line_name = drill_line or labels.UNREGISTERED
        transformers = ranked(line_view, "transformer", member="transformer")
        shown = chartable(transformers)
        if not shown.is_empty():
            fig = charts.rate_bars(shown, shown["transformer"].to_list(), shown["transformer"].to_list(),
                                   line_view, f"{charts.label(line_name)} 各台区回收率")
            charts.show(fig, "recovery_transformers", f"各台区回收率_{line_name}")
        tables.show_table(transformers, [col("transformer"), *RATE_COLS], line_view,
                          key="recovery_transformer_table", filename=f"各台区回收率_{line_name}",
                          title=f"{drill_station} {line_name} 各台区回收率")

# --- collectors: the per-person ranking (DOMAIN: a target per person) ----------------------
st.subheader("催费责任人排名")
collectors = ranked(view, "collector", member="collector")
tables.show_table(collectors, [col("collector"), col("station"), *RATE_COLS, col("arrears_bills")], view,
                  key="recovery_collector_table", filename="催费责任人排名", title="催费责任人排名")
st.caption(f"{labels.RANKING_ORDER}；同一责任人在不同供电所分行列出。")
