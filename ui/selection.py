"""Selections made by clicking a chart (charts.show with `select`). Streamlit has no call
that clears a chart's selection, so a selectable chart's key carries a generation number:
`clear` bumps it, and the chart comes back under a new key, with nothing selected."""

from __future__ import annotations

import streamlit as st


def _generation(name: str) -> str:
    return f"selection_generation_{name}"


def chart_key(name: str, *parts) -> str:
    """The key of the selectable chart `name` in its current generation; `parts` tell apart
    charts of one name (e.g. the lines of each station)."""
    generation = st.session_state.setdefault(_generation(name), 0)
    return "_".join([name, str(generation), *map(str, parts)])


def clear(name: str) -> None:
    """Drop what is selected on chart `name` (and on every chart of that name): its next key
    is a new one. Fit for a button's on_click."""
    key = _generation(name)
    st.session_state[key] = st.session_state.get(key, 0) + 1


def points(key: str) -> list[dict]:
    """The points selected on the chart with this key, read from its state ([] if none)."""
    state = st.session_state.get(key)
    return state["selection"]["points"] if state else []
