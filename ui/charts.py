"""One look for every chart: the palette of reports/style.py (shared with the deck), Chinese
hover text, units on the axes, and a PNG download whose title carries the scope.

Text from the extract reaches a figure only through `label` / `labels` (cut at 40 characters,
escaped: plotly would otherwise read <a href>, <b>, <br> in it) and `hover_text` (escaped,
whole for the hover label). A key a click hands back (customdata read by on_select) goes out
through `key` (escaped; a digest for a huge value) and comes back to the raw value through
`unkey`, so a selection filters by exactly the name clicked."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import plotly.graph_objects as go
import streamlit as st

from reports import format as fmt
# the palette, shared with the deck; pages take it from here as charts.GOOD, charts.WARN, …
from reports.style import ALERT, GOOD, INK, MUTED, NEUTRAL, SEQUENCE, TARGET, WARN  # noqa: F401

from .filters import View
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


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
