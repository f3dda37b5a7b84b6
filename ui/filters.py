"""The shared filter bar. Every filter is bound to the URL (key = query parameter), so it
survives page changes and a copied link reproduces the view. `current()` turns the filters
into the one frozen View of a script run (ui/app.py builds it once and hands it to the
pages, the daily report and the deck)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import queries
from queries import Extract, Scope, labels
from queries.access import Access
from reports.format import cut, distinct, plotly_escape, scope_text, stamp

from . import data

# widget key = URL query parameter
AS_OF, YEAR, STATION, VILLAGE, LINE, CATEGORY = "as_of", "year", "station", "village", "line", "category"
COLLECTOR = "collector"
HIGH_ENERGY, KEY_ACCOUNT, PRESENT = "high_energy", "key_account", "present"


class View(queries.View):
    """queries.View with what a screen adds: the scope in words, the stamp, chart titles."""

    @property
    def scope_text(self) -> str:
        return scope_text(self.scope)

    @property
    def stamp(self) -> str:
        return stamp(self.as_of)

    def title(self, text: str) -> str:
        """A chart title that stands on its own when pasted into a slide. `text` is plotly
        text already (data in it went through charts.label); the scope's names, cut at 40
        characters, are escaped here."""
        return f"{text}<br><sup>{plotly_escape(self.scope_text)}｜{self.stamp}</sup>"


def _options(dimension: str, stations: list[str]) -> list[str]:
    df = data.query("filter_options", stations=stations)
    return df.filter(df["dimension"] == dimension)["value"].to_list()


def _shown(options: list, names: dict | None = None):
    """format_func of a filter on data text: each option as text cut at 40 characters (two
    that read alike once cut get （2）…), '' as 未登记. The widget and the URL carry these
    labels, so they must stay distinct; the page filters by the whole value."""
    def text(v: str) -> str:
        return (names or {}).get(v) or v or labels.UNREGISTERED

    shown = dict(zip(options, distinct([text(v) for v in options], keys=options)))
    return lambda v: shown.get(v) or cut(text(v))


def _keep_valid(key: str, options: list[str]) -> None:
    """Drop chosen values that a narrower station choice no longer offers."""
    chosen = st.session_state.get(key)
    if chosen:
        valid = [v for v in chosen if v in options]
        if valid != chosen:
            st.session_state[key] = valid


EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2099, 12, 31)


def _years(ex: Extract, chosen: dt.date | None) -> list[int]:
    """The years the data has, and the chosen date's year (newest first)."""
    known = [d.year for d in (ex.first_day, ex.default_as_of, ex.last_period, chosen) if d is not None]
    if not known:
        return []
    return list(range(max(known), min(known) - 1, -1))


def filter_bar(ex: Extract, access: Access) -> None:
    """The sidebar filters; choices come from the data and cascade from the stations."""
    bar = st.sidebar
    bar.markdown("### 筛选")
    # Any date can be asked for (docs/DATA.md §3 answers it); the page notes one outside the data.
    bar.date_input("数据截至", value=ex.default_as_of, min_value=EARLIEST, max_value=LATEST,
                   key=AS_OF, bind="query-params", format="YYYY-MM-DD",
                   help="所有数字按此日期（含）计算；默认为数据中最后一笔入账的日期。")
    bar.selectbox("统计年度", [None, *_years(ex, st.session_state.get(AS_OF))], key=YEAR, bind="query-params",
                  format_func=lambda y: "截至日所在年度" if y is None else f"{y} 年")
    stations = _options("station", [])
    _keep_valid(STATION, stations)
    names = labels.DIMENSION
    chosen = bar.multiselect(names["station"], stations, key=STATION, bind="query-params",
                             placeholder=labels.SCOPE["all_stations"], format_func=_shown(stations))
    for key, dimension, placeholder in ((VILLAGE, "village", "全部村/社区"), (LINE, "line", "全部线路")):
        options = _options(dimension, chosen)
        _keep_valid(key, options)
        bar.multiselect(names[dimension], options, key=key, bind="query-params", placeholder=placeholder,
                        format_func=_shown(options))
    categories = _options("category", chosen)
    _keep_valid(CATEGORY, categories)
    bar.multiselect(names["category"], categories, key=CATEGORY, bind="query-params", placeholder="全部类别",
                    format_func=_shown(categories, labels.CATEGORY))
    collectors = _options("collector", chosen)
    _keep_valid(COLLECTOR, collectors)
    bar.multiselect(names["collector"], collectors, key=COLLECTOR, bind="query-params",
                    placeholder="全部责任人", format_func=_shown(collectors, {"": labels.UNASSIGNED}))
    bar.toggle(labels.SCOPE["high_energy_only"], key=HIGH_ENERGY, bind="query-params")
    bar.toggle(labels.SCOPE["key_accounts_only"], key=KEY_ACCOUNT, bind="query-params")


def current(ex: Extract, access: Access) -> View | None:
    """The view the filters describe, its scope narrowed to what `access` may see; None when
    no as-of date is chosen and the data has no posting to default to."""
    state = st.session_state
    as_of = state.get(AS_OF) or ex.default_as_of
    if as_of is None:
        return None
    return View(
        scope=access.restrict(Scope(
            stations=tuple(state.get(STATION) or ()),
            villages=tuple(state.get(VILLAGE) or ()),
            lines=tuple(state.get(LINE) or ()),
            categories=tuple(state.get(CATEGORY) or ()),
            collectors=tuple(state.get(COLLECTOR) or ()),
            high_energy_only=bool(state.get(HIGH_ENERGY)),
            key_accounts_only=bool(state.get(KEY_ACCOUNT)),
        )),
        as_of=as_of,
        year=state.get(YEAR) or as_of.year,
        presentation=bool(state.get(PRESENT)),
        extract_name=ex.name,
        note=ex.outside_dates(as_of),
    )


def without_as_of(ex: Extract) -> View:
    """For the data-quality page of an extract with no as-of date: it describes the files,
    which need none; the stamp shows the latest date the data has."""
    day = ex.last_period or ex.first_day or EARLIEST
    return View(as_of=day, year=day.year, scope=Scope(), presentation=False, extract_name=ex.name,
                note=labels.MSG["no_as_of"] + labels.MSG["no_as_of_pick"])
