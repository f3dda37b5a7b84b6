"""入账与违约金 — same-day posting (当日入账) by channel, station and month, how long posting
took, the payments in transit and their age, and payments by channel over time; then penalty
exposure (违约金敞口) by station, village, collector, customer and bill, the penalty rate rows
in force, and what same-day posting saved against posting on the next working day
(docs/DATA.md §6)."""

import datetime as dt
import os
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import labels
from queries.collections import SETTINGS_ENV, Settings, SettingsError, load_settings
from reports import format as fmt
from reports.columns import col
from reports.format import percent, wan_numbers
from ui import app, charts, data, frame, personal, tables, tiles

ex, view = app.page_view()
w, m = labels.POSTING_PAGE, labels.METRIC
frame.header(view, labels.PAGE_TITLE["posting"])
SHOWN = 2000  # rows of a customer or bill list on screen; the downloads hold every row

def settings_or_stop() -> Settings:
    """The penalty settings; a file that cannot be used is named instead of any figure."""
    try:
        return load_settings()
    except SettingsError as exc:
        st.error(w["settings_unusable"], icon=":material/block:")
        frame.text(str(exc))
        st.stop()


def choose(label: str, options: dict[str, str], key: str) -> str:
    return st.segmented_control(label, list(options), format_func=options.get, default=next(iter(options)),
                                required=True, key=key)


def wan_tile(c, name: str, value, help: str) -> None:
    """Money in 万元 without a day-before comparison."""
    c.metric(labels.named(m[name], "wan"), fmt.wan(value, unit=False), border=True, help=help)


settings = settings_or_stop()
rates = settings.params()
posting = data.query("posting_summary", view.scope, as_of=view.as_of).row(0, named=True)
posting_before = data.query("posting_summary", view.scope, as_of=view.yesterday).row(0, named=True)
penalty = data.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="total", **rates).row(0, named=True)
penalty_before = data.query("penalty_exposure", view.scope, as_of=view.yesterday, group_by="total",
                            **rates).row(0, named=True)
if not (posting["payments"] or posting["in_transit"] or penalty["penalty_bills"]):
    frame.empty()
    st.stop()

show_personal = personal.contacts_toggle(view, "posting_show_personal", w["show_personal"], w["show_personal_help"])

# --- same-day posting ----------------------------------------------------------------------
st.subheader(w["posting"])
st.caption(w["posting_caption"].format(year=view.as_of.year, day=fmt.date_cn(view.as_of)))
c = st.columns(5)
tiles.customers(c[0], m["payments"], posting["payments"], posting_before["payments"], unit="bills", warn=False,
                help=w["payments_help"].format(year=view.as_of.year))
tiles.customers(c[1], m["posted_same_day"], posting["posted_same_day"], posting_before["posted_same_day"],
                unit="bills", warn=False, help=w["posted_same_day_help"])
tiles.rate(c[2], m["same_day_posting_rate"], posting["same_day_posting_rate"],
           posting_before["same_day_posting_rate"], help=w["rate_help"])
tiles.customers(c[3], m["in_transit"], posting["in_transit"], posting_before["in_transit"], unit="bills",
                help=w["in_transit_help"])
tiles.money(c[4], m["in_transit_amount"], posting["in_transit_amount"], posting_before["in_transit_amount"],
            warn=True, help=w["in_transit_amount_help"].format(days=posting["in_transit_oldest_days"] or 0))

if not posting["payments"]:
    st.info(w["no_payments"].format(year=view.as_of.year), icon=":material/info:")
else:
    left, right = st.columns([3, 2])
    with left:
        group_by = choose(w["group_by"], w["group"], "posting_group")
        groups = data.query("posting_same_day", view.scope, as_of=view.as_of, group_by=group_by)
        if group_by == "month":
            names = [fmt.month_cn(v) for v in groups["paid_month"]]
        elif group_by == "channel":
            groups = groups.rename({"member": "channel"})
            names = [labels.CHANNEL.get(v, v) for v in groups["channel"]]
        else:
            names = groups["station"].to_list()
        groups = groups.with_columns(pl.Series("name", names, dtype=pl.String))
        if group_by != "month":  # a ranking: best first
            groups = groups.sort("same_day_posting_rate", descending=True, nulls_last=True, maintain_order=True)
        names = groups["name"].to_list()
        shown = [percent(r) for r in groups["same_day_posting_rate"]]
        hover = [w["rate_hover"].format(rate=fmt.pct(r), payments=f"{p:,}", same=f"{s:,}", amount=f"{a:,.2f}")
                 for r, p, s, a in zip(groups["same_day_posting_rate"], groups["payments"], groups["posted_same_day"],
                                       wan_numbers(groups["amount"]))]
        bar_names = charts.labels(names)
        fig = go.Figure()
        horizontal = group_by != "month"
        fig.add_bar(x=shown if horizontal else bar_names, y=bar_names if horizontal else shown,
                    orientation="h" if horizontal else "v", marker_color=charts.GOOD,
                    text=[fmt.pct(r) for r in groups["same_day_posting_rate"]], textposition="auto",
                    customdata=[[charts.hover_text(n), h] for n, h in zip(names, hover)],
                    hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>")
        charts.layout(fig, view, w["rate_chart"].format(group=w["group"][group_by]), legend=False,
                      height=max(360, 34 * groups.height + 140) if horizontal else 380)
        value_axis = {"title": w["rate_axis"], "ticksuffix": " %", "range": [0, 105]}
        if horizontal:
            fig.update_xaxes(**value_axis)
            fig.update_yaxes(title=None, autorange="reversed", showgrid=False)
        else:
            fig.update_yaxes(**value_axis)
            fig.update_xaxes(title=None)
        charts.show(fig, f"posting_rate_{group_by}", f"当日入账率_{view.as_of:%Y%m%d}")
        shown_group = {"channel": col("channel"), "station": col("station"), "month": col("paid_month")}[group_by]
        with st.expander(w["group_table"], icon=":material/table:"):
            tables.show_table(groups, [shown_group, col("payments"), col("posted_same_day"),
                                       col("same_day_posting_rate"), col("payment_amount")],
                              view, key=f"posting_table_{group_by}", filename=w["group_table"], title=w["group_table"])
    with right:
        latency = data.query("posting_latency", view.scope, as_of=view.as_of)
        fig = go.Figure()
        fig.add_bar(x=latency["latency_days"], y=latency["payments"], marker_color=charts.NEUTRAL,
                    customdata=wan_numbers(latency["amount"]), hovertemplate=w["latency_hover"])
        charts.layout(fig, view, w["latency_chart"], legend=False, height=440)
        fig.update_xaxes(title=w["latency_axis"], dtick=1 if (latency["latency_days"].max() or 0) <= 31 else None)
        fig.update_yaxes(title=w["payments_axis"], tickformat=",d")
        charts.show(fig, "posting_latency", f"入账时长_{view.as_of:%Y%m%d}")
        with st.expander(w["latency_table"], icon=":material/table:"):
            tables.show_table(latency, [col("latency_days"), col("payments"), col("payment_amount")],
                              view, key="posting_latency_table", filename=w["latency_table"], title=w["latency_table"])

# --- payments in transit -------------------------------------------------------------------
st.subheader(w["transit"])
if not posting["in_transit"]:
    st.success(w["no_transit"], icon=":material/check_circle:")
else:
    left, right = st.columns([2, 3])
    with left:
        aging = data.query("in_transit_aging", view.scope, as_of=view.as_of)
        fig = go.Figure()
        fig.add_bar(x=[labels.TRANSIT_AGE.get(b, b) for b in aging["bucket"]], y=aging["payments"],
                    marker_color=[charts.GOOD, "#F0B37A", charts.WARN, "#C9622F", charts.ALERT, "#7A2424"],
                    customdata=wan_numbers(aging["amount"]), hovertemplate=w["transit_hover"])
        charts.layout(fig, view, w["transit_chart"], legend=False, height=380)
        fig.update_xaxes(title=w["transit_axis"])
        fig.update_yaxes(title=w["payments_axis"], tickformat=",d")
        charts.show(fig, "posting_transit_aging", f"在途账龄_{view.as_of:%Y%m%d}")
    with right:
        transit = data.query("payments_in_transit", view.scope, as_of=view.as_of, show_personal=show_personal)
        st.caption(w["transit_caption"] + ("" if show_personal else f"{labels.MASKED}（企业名称照常显示）。"))
        tables.show_table(transit, [
            col("payment_id"), col("customer_id"), col("customer_name"), col("station"), col("village"),
            col("collector"), col("bill_id"), col("channel"), col("paid_at"), col("posted_at"),
            col("payment_amount"), col("days_in_transit"),
        ], view, key="posting_transit", filename=w["transit"], title=w["transit"], height=320)

# --- payments by channel over time ---------------------------------------------------------
st.subheader(w["channels"])
months = [dt.date(view.as_of.year, i, 1) for i in range(1, view.as_of.month + 1)]
spans = {None: w["whole_year"].format(year=view.as_of.year),
         **{mo: w["month_days"].format(month=fmt.month_cn(mo)) for mo in reversed(months)}}
left, right = st.columns([3, 2])
month = left.selectbox(w["channel_span"], list(spans), format_func=spans.get, key="posting_channel_span")
with right:
    measure = choose(w["channel_measure"], w["measure"], "posting_channel_measure")
by_channel = data.query("collections_by_channel", view.scope, as_of=view.as_of, month=month)
st.caption(w["channel_caption"])
if by_channel.is_empty():
    st.info(w["no_payments"].format(year=view.as_of.year), icon=":material/info:")
else:
    fig = go.Figure()
    tick = "%Y-%m" if month is None else "%m-%d"
    for code, name in labels.CHANNEL.items():
        rows = by_channel.filter(pl.col("channel") == code)
        if rows.height:
            amounts = wan_numbers(rows["amount"])
            fig.add_bar(x=rows["period"], y=amounts if measure == "amount" else rows["payments"], name=name,
                        customdata=list(zip(amounts, rows["payments"])),
                        hovertemplate=w["channel_hover"].format(channel=name, format=tick))
    title = (w["channel_chart_months"].format(year=view.as_of.year, day=fmt.date_cn(view.as_of)) if month is None
             else w["channel_chart_days"].format(month=fmt.month_cn(month), day=fmt.date_cn(view.as_of)))
    title = w["measure_title"][measure] + title
    charts.layout(fig, view, title, height=400)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title=None, tickformat=tick, dtick="M1" if month is None else None)
    fig.update_yaxes(title=w["amount_axis"] if measure == "amount" else w["payments_axis"],
                     tickformat=",.2f" if measure == "amount" else ",d")
    charts.show(fig, "posting_channels", f"各渠道缴费_{view.as_of:%Y%m%d}")
    with st.expander(w["channel_table"], icon=":material/table:"):
        period = "paid_month" if month is None else "paid_day"
        tables.show_table(by_channel.rename({"period": period}),
                          [col(period), col("channel"), col("payments"), col("payment_amount")],
                          view, key="posting_channel_table", filename=w["channel_table"], title=w["channel_table"])

# --- penalty exposure ------------------------------------------------------------------------
st.subheader(w["penalty"])
st.caption(w["penalty_caption"])
c = st.columns(3)
tiles.money(c[0], m["penalty_exposure"], penalty["penalty_exposure"], penalty_before["penalty_exposure"], warn=True,
            help=w["penalty_help"])
tiles.customers(c[1], m["penalty_bills"], penalty["penalty_bills"], penalty_before["penalty_bills"], unit="bills",
                help=w["penalty_bills_help"])
tiles.money(c[2], m["arrears"], penalty["arrears"], penalty_before["arrears"], warn=True, help=w["penalty_arrears_help"])

if not penalty["penalty_bills"]:
    st.success(w["no_penalty"], icon=":material/check_circle:")
else:
    left, right = st.columns([2, 3])
    with left:
        stations = data.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="station", **rates)
        fig = go.Figure()
        fig.add_bar(y=charts.labels(stations["station"]), x=wan_numbers(stations["penalty_exposure"]),
                    orientation="h", marker_color=charts.WARN,
                    customdata=list(zip([charts.hover_text(s) for s in stations["station"]], stations["penalty_bills"],
                                        wan_numbers(stations["arrears"]))),
                    hovertemplate=w["penalty_hover"])
        charts.layout(fig, view, w["penalty_chart"], legend=False, height=max(300, 40 * stations.height + 140))
        fig.update_xaxes(title=w["penalty_axis"], tickformat=",.2f", showgrid=True, gridcolor="#EEF2F5")
        fig.update_yaxes(title=None, autorange="reversed", showgrid=False)
        charts.show(fig, "posting_penalty_stations", f"违约金敞口_{view.as_of:%Y%m%d}")
    with right:
        level = choose(w["group_by"], w["penalty_by"], "posting_penalty_by")
        title = w["penalty_table"].format(by=w["penalty_by"][level])
        figures = [col("penalty_exposure"), col("penalty_bills"), col("arrears"), col("days_overdue")]
        if level in ("customer", "bill"):
            def listed(limit: int) -> pl.DataFrame:
                return data.query("penalty_accounts", view.scope, as_of=view.as_of, group_by=level,
                                  show_personal=show_personal, limit=limit, **rates)

            rows = listed(SHOWN)
            who = [col("customer_id"), col("customer_name"), *([col("phone")] if show_personal else []),
                   col("station"), col("village"), col("collector"), col("category")]
            bill_cols = [col("bill_id"), col("period"), col("due_on"), col("rate_sum")] if level == "bill" else []
            shortened = rows.height == SHOWN
            unit = labels.UNIT["bills" if level == "bill" else "accounts"]
            note = w["penalty_list_caption"].format(shown=f"{SHOWN:,}", unit=unit) if shortened else ""
            st.caption(note + w["penalty_days_note"] + ("" if show_personal else f"{labels.MASKED}（企业名称照常显示）。"))
            tables.show_table(rows, [*who, *bill_cols, *figures], view, key=f"posting_penalty_{level}",
                              filename=title, title=title, height=360,
                              complete=(lambda: listed(0)) if shortened else None)
        else:
            rows = data.query("penalty_exposure", view.scope, as_of=view.as_of, group_by=level, **rates)
            st.caption(w["penalty_days_note"])
            keys = {"station": [col("station")], "village": [col("station"), col("village")],
                    "collector": [col("station"), col("collector")]}[level]
            tables.show_table(rows, [*keys, *figures], view, key=f"posting_penalty_{level}", filename=title,
                              title=title, height=360 if rows.height > 10 else "auto")

# --- the rate rows in force ------------------------------------------------------------------
with st.expander(w["rates"], icon=":material/tune:", expanded=not view.presentation):
    override = os.environ.get(SETTINGS_ENV)
    source = w["rates_override"].format(name=Path(override).name) if override else w["rates_shipped"]
    st.caption(w["rates_caption"].format(source=source))
    rows = pl.DataFrame([{"effective_from": r.effective_from, "residential": str(r.residential),
                          "current_year": str(r.current_year), "cross_year": str(r.cross_year),
                          "minimum": r.minimum} for r in settings.penalty_rates])
    tables.show_table(rows, [col("effective_from"), col("rate_residential"), col("rate_current_year"),
                             col("rate_cross_year"), col("penalty_minimum")],
                      view, key="posting_rates", filename=w["rates"], title=w["rates"])
    later = [r.effective_from for r in settings.penalty_rates if r.effective_from > dt.date(1996, 1, 1)]
    if later:
        st.info(w["rates_2024"].format(day=fmt.date_cn(later[-1])), icon=":material/info:")
    else:
        st.info(w["rates_1996_only"], icon=":material/info:")
    st.markdown(w["rates_how"])

# --- what same-day posting saved -------------------------------------------------------------
st.subheader(w["avoided"])
st.markdown(w["avoided_explain"].format(year=view.as_of.year, day=fmt.date_cn(view.as_of)))
st.caption(w["avoided_honest"])
saved = data.query("penalty_avoided_by_same_day_posting", view.scope, as_of=view.as_of, group_by="total",
                   **rates).row(0, named=True)
if not saved["bills"]:
    st.info(w["no_avoided"].format(year=view.as_of.year), icon=":material/info:")
else:
    c = st.columns(4)
    wan_tile(c[0], "penalty_avoided", saved["penalty_avoided"], w["avoided_help"].format(year=view.as_of.year))
    c[1].metric(labels.named(m["penalty_days_avoided"], "days"), fmt.count(saved["penalty_days"], unit=None),
                border=True, help=w["avoided_days_help"])
    c[2].metric(labels.named(m["bills_settled_same_day"], "bills"),
                fmt.count(saved["bills"], unit=None), border=True, help=w["avoided_bills_help"])
    wan_tile(c[3], "settled_same_day", saved["settled"], w["avoided_settled_help"])
    level = choose(w["group_by"], w["avoided_by"], "posting_avoided_by")
    rows = data.query("penalty_avoided_by_same_day_posting", view.scope, as_of=view.as_of, group_by=level, **rates)
    if level == "timing":
        rows = rows.with_columns(pl.col("member").replace_strict(labels.TIMING, return_dtype=pl.String).alias("timing"))
    elif level == "channel":
        rows = rows.rename({"member": "channel"})
    key_col = {"channel": col("channel"), "station": col("station"), "timing": col("timing")}[level]
    title = w["avoided_table"].format(by=w["avoided_by"][level])
    tables.show_table(rows, [key_col, col("penalty_avoided"), col("penalty_days_avoided"), col("payments"),
                             col("settled_same_day")], view, key=f"posting_avoided_{level}", filename=title,
                      title=title)
