"""One look for every chart: calm colours (recovery reads good, arrears reads as a warning),
Chinese hover text, units on the axes, and a PNG download whose title carries the scope."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from .filters import View

GOOD = "#2E8B6E"        # recovered, on target
WARN = "#D9822B"        # arrears
ALERT = "#B83B3B"       # old arrears, below target
NEUTRAL = "#4F7CAC"     # billed, energy
MUTED = "#A7B6C6"       # last year, context
TARGET = "#6B7785"      # target lines
SEQUENCE = [NEUTRAL, GOOD, WARN, "#8E6BB0", "#C9A227", ALERT, "#3AA3B5", MUTED]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


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
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }
    if select:
        return st.plotly_chart(fig, key=key, config=config, on_select="rerun",
                               selection_mode=select, width="stretch")
    st.plotly_chart(fig, key=key, config=config, width="stretch")
    return None
