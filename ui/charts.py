"""One look for every chart: the palette of reports/style.py (shared with the deck), Chinese
hover text, units on the axes, and a PNG download whose title carries the scope.

Text from the extract reaches a figure only through `label` / `labels` (cut at 40 characters,
escaped: plotly would otherwise read <a href>, <b>, <br> in it) and `hover_text` (escaped,
whole for the hover label). A key a click hands back (customdata read by on_select) goes out
through `key` (escaped; a digest for a huge value) and comes back to the raw value through
`unkey`, so a selection filters by exactly the name clicked."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries.labels import REFORM_NOTE
from reports import format as fmt
from reports.format import percent, wan_numbers
# the palette, shared with the deck; pages take it from here as charts.GOOD, charts.WARN, …
from reports.style import ALERT, GOOD, INK, MUTED, NEUTRAL, SEQUENCE, TARGET, WARN  # noqa: F401

from .filters import View
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PRICE = "#8E6BB0"  # average price per kWh, the same colour on every chart


def label(text: str | None) -> str:
    """Data text for a category, label, legend name or title: cut at 40 characters, escaped."""
    return fmt.plotly_text(text)


def labels(texts: Iterable[str | None], keys: Iterable | None = None, limit: int | None = fmt.CUT) -> list[str]:
    """Category values of one axis or trace: each cut at `limit` and escaped, and texts that
    stand for different `keys` (default: the texts) kept apart when cutting makes them alike
    (their bars would merge)."""
    return [fmt.plotly_escape(t) for t in fmt.distinct(texts, limit, keys)]


def hover_text(text: str | None) -> str:
    """Data text whole for a hover label (customdata shown through a hovertemplate)."""
    return fmt.plotly_hover(text)


def key(value: str | None) -> str | None:
    """A key carried in customdata for a click: the value escaped like any text of a figure
    (a template may show it one day); one over 200 characters (itself a data-quality finding)
    as its first 40 characters and a digest, so a single huge name does not make the figure
    megabytes long. `unkey` finds the raw value again."""
    if value is None or len(value) <= fmt.HOVER:
        return None if value is None else fmt.plotly_escape(value)
    return fmt.plotly_escape(f"{value[:fmt.CUT]}{fmt.ELLIPSIS}#{hashlib.sha256(value.encode()).hexdigest()[:20]}")


def unkey(carried, values: Iterable):
    """The raw value among `values` that a click's carried key (`key`) stands for, or None:
    what the page filters by."""
    if carried is None:
        return None
    return next((v for v in values if key(v) == carried), None)


def faint(colour: str, alpha: float = 0.18) -> str:
    """A palette colour (#RRGGBB) see-through, for a shaded band."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def layout(fig: go.Figure, view: View, title: str, height: int = 380, legend: bool = True) -> go.Figure:
    big = view.presentation
    fig.update_layout(
        title={"text": view.title(title), "x": 0.01, "xanchor": "left",
               "font": {"size": 22 if big else 16}},
        font={"family": FONT, "size": 16 if big else 12, "color": "#1D2B36"},
        height=int(height * (1.35 if big else 1)),
        margin={"l": 10, "r": 10, "t": 78 if big else 64, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=SEQUENCE,
        separators=".,",
        hoverlabel={"font": {"family": FONT}},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    fig.update_xaxes(showgrid=False, linecolor="#CBD5DF", automargin=True)
    fig.update_yaxes(gridcolor="#EEF2F5", zerolinecolor="#CBD5DF", automargin=True)
    return fig


def show(fig: go.Figure, key: str, filename: str, select: str | None = None):
    """Draw a chart; with `select`, clicks return the selected points (customdata carries keys)."""
    config = {
        "displaylogo": False,
        "locale": "zh-CN",
        "modeBarButtonsToRemove": ["lasso2d", "select2d"] if not select else [],
        "toImageButtonOptions": {"format": "png", "filename": fmt.cut(filename, 80), "scale": 2},
    }
    if select:
        return st.plotly_chart(fig, key=key, config=config, on_select="rerun",
                               selection_mode=select, width="stretch")
    st.plotly_chart(fig, key=key, config=config, width="stretch")
    return None


def rate_bars(df: pl.DataFrame, keys: list, names: list[str], view: View, title: str) -> go.Figure:
    """Horizontal bars of the year's recovery rate in ranking order (first on top), with each
    row's target as a tick. `keys` (customdata[0], key) are what a click hands back;
    `names` are shown cut and escaped, and whole in the hover label."""
    rates = [percent(r) for r in df["recovery_rate"]]
    targets = [percent(t) for t in df["target"]]
    hover = list(zip([key(k) for k in keys], wan_numbers(df["billed"]), wan_numbers(df["recovered"]),
                     wan_numbers(df["arrears"]), targets, [hover_text(n) for n in names]))
    names = labels(names)
    template = ("<b>%{customdata[5]}</b><br>回收率 %{x:.2f} %<br>目标 %{customdata[4]:.2f} %"
                "<br>应收 %{customdata[1]:,.2f} 万元<br>实收 %{customdata[2]:,.2f} 万元"
                "<br>欠费 %{customdata[3]:,.2f} 万元<extra></extra>")
    fig = go.Figure()
    reached_target = [gap >= 0 for gap in df["gap_to_target"]]
    for reached, name, colour in ((True, "达到目标", GOOD), (False, "未达目标", WARN)):
        rows = [i for i, r in enumerate(reached_target) if r == reached]
        fig.add_bar(
            y=[names[i] for i in rows], x=[rates[i] for i in rows], orientation="h", name=name,
            marker_color=colour, customdata=[hover[i] for i in rows], hovertemplate=template,
            text=[f"{rates[i]:.2f} %" for i in rows], textposition="inside", insidetextanchor="end",
            textfont={"color": "white"}, cliponaxis=False)
    fig.add_scatter(
        y=names, x=targets, mode="markers", name="回收目标", customdata=hover,
        hovertemplate="<b>%{customdata[5]}</b><br>回收目标 %{x:.2f} %<extra></extra>",
        marker={"symbol": "line-ns-open", "size": 22, "color": TARGET, "line": {"width": 3}})
    low = min(v for v in rates + targets if v is not None)
    layout(fig, view, title, height=max(200, 34 * len(names) + 140))
    fig.update_layout(barmode="overlay", bargap=0.35, margin_r=28)
    fig.update_xaxes(title="回收率（%）", ticksuffix=" %", range=[max(0, (low - 1) // 5 * 5), 100.4])
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=names, autorange="reversed")
    return fig


# --- bill months and the 2021 tariff reform ------------------------------------------------
# 发改价格〔2021〕1439号: catalogue tariffs for industry end; market prices may float, uncapped
# for high-energy enterprises (DOMAIN.md).
REFORM_DAY = dt.date(2021, 10, 15)
MONTH_HOVER = "%{x|%Y 年 %m 月}"


def by_month(fig: go.Figure, **trace) -> None:
    """Bars and lines of bill months span their whole month, so the reform day falls inside October."""
    kind = trace.pop("kind", "bar")
    add = fig.add_bar if kind == "bar" else fig.add_scatter
    add(xperiod="M1", xperiodalignment="middle", **trace)


def mark_reform(fig: go.Figure, periods: pl.Series, note_yref: str = "paper") -> None:
    """A vertical line on the reform day, when the months shown span it, and a note at the top
    of `note_yref` (a subplot's "y3 domain" puts it over the price row)."""
    if periods.is_empty() or not periods.min() <= REFORM_DAY < periods.max() + dt.timedelta(days=31):
        return
    fig.add_shape(type="line", x0=REFORM_DAY, x1=REFORM_DAY, xref="x", yref="paper", y0=0, y1=1,
                  line={"color": ALERT, "width": 1.5, "dash": "dash"})
    fig.add_annotation(x=REFORM_DAY, xref="x", y=1, yref=note_yref, yanchor="top", xanchor="right",
                       text=REFORM_NOTE, showarrow=False, align="right",
                       font={"size": 11, "color": ALERT}, bgcolor="rgba(255,255,255,0.85)")


def month_axis(fig: go.Figure, months_per_tick: int = 3) -> None:
    fig.update_xaxes(tickformat="%Y-%m", dtick=f"M{months_per_tick}", ticklabelmode="period",
                     hoverformat="%Y 年 %m 月")
