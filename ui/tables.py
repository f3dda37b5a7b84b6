"""Tables with column formats (money with two decimals and thousands separators, dates as
dates, rates as truncated %) and Excel / CSV downloads carrying the scope and as-of date.

Text from the extract shows as plain text (st.dataframe draws cells on a canvas, never as
HTML or Markdown), cut at 40 characters with … on screen. st.dataframe (1.67) has no per-cell
tooltip for data (its cell tooltips are error messages only; a Styler's tooltips are dropped),
so the whole value is in the downloads, and the column's header help says so."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from queries import labels
from reports import format as fmt
from reports.columns import Col, display_frame
from reports.xlsx import Sheet, write_csv, write_sheets

from . import data, personal
from .filters import View


def column_config(cols: list[Col], cut: set[str] = frozenset()) -> dict:
    """Formats by kind (format.KINDS); a text column in `cut` (some value was cut) says where
    the whole is."""
    config = {}
    for c in cols:
        screen = fmt.KINDS[c.kind].screen
        if c.name in cut:
            config[c.label] = st.column_config.TextColumn(c.label, help=labels.MSG["cut_help"].format(n=c.cut))
        if c.kind in ("date", "month"):
            config[c.label] = st.column_config.DateColumn(c.label, format=screen)
        elif c.kind == "time":
            config[c.label] = st.column_config.DatetimeColumn(c.label, format=screen)
        elif screen:
            config[c.label] = st.column_config.NumberColumn(c.label, format=screen)
        elif c.kind == "spark":
            config[c.label] = st.column_config.LineChartColumn(c.label)
        elif c.kind == "bool":
            config[c.label] = st.column_config.CheckboxColumn(c.label)
    return config


def cut_columns(df: pl.DataFrame, cols: list[Col]) -> set[str]:
    """The text columns with a value longer than the column shows."""
    return {c.name for c in cols if c.cut is not None and df.schema.get(c.name) == pl.Utf8
            and (df.get_column(c.name).str.len_chars().max() or 0) > c.cut}


def downloads(df: pl.DataFrame | Callable[[], pl.DataFrame], cols: list[Col], view: View, filename: str,
              title: str, key: str) -> None:
    """Excel and CSV of a table; `df` may be a callable, run only when a button is clicked. A
    file with contacts in it is logged when it is built (ui/personal.py)."""
    stem = f"{fmt.cut(filename, 80)}_{view.as_of:%Y%m%d}"

    def rows(file_name: str) -> Callable[[], pl.DataFrame]:
        record = personal.download_audit(cols, file_name, view)

        def built() -> pl.DataFrame:
            frame = df() if callable(df) else df
            if record:
                record(frame.height)
            return frame
        return data.deferred(built)  # clicked later, outside this run: the same extract

    xlsx, csv = rows(f"{stem}.xlsx"), rows(f"{stem}.csv")
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "下载 Excel", data=lambda: write_sheets([Sheet(title, xlsx(), cols, title)], fmt.header_lines(view)),
        file_name=f"{stem}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
    right.download_button(
        "下载 CSV", data=lambda: write_csv(csv(), cols), file_name=f"{stem}.csv",
        key=f"{key}_csv", mime="text/csv", icon=":material/download:", on_click="ignore")


def show(df: pl.DataFrame, cols: list[Col], key: str, height: int | str = "auto", title: str | None = None) -> None:
    """A formatted table alone (a page that offers downloads of its own); logged first when it
    shows contacts (ui/personal.py)."""
    personal.shown(df.height, cols, title or key)
    st.dataframe(display_frame(df, cols, screen=True), column_config=column_config(cols, cut_columns(df, cols)),
                 hide_index=True, placeholder=fmt.DASH,  # an empty cell reads —, not "None"
                 width="stretch", height=height, key=key)


def show_table(df: pl.DataFrame, cols: list[Col], view: View, key: str, filename: str, title: str,
               height: int | str = "auto", complete: Callable[[], pl.DataFrame] | None = None) -> None:
    """A formatted table and, below it, its Excel and CSV downloads (of `complete()` when the
    table shows only the first rows of a long list)."""
    show(df, cols, key, height, title)
    downloads(complete or df, cols, view, filename, title, key)
