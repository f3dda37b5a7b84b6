"""Newer data for an open session (docs/DATA.md §9). A session keeps the extract it opened
(ui/data.py); a fragment looks every 30 seconds whether the data directory's files have
changed since — a few file stats, never a build — and offers them: 数据已更新至 <date>，点击刷新
once their cache is built (by the nightly `python -m queries build` or another session), or
says that newer files wait to be built. The button moves the session onto them; the as-of
date follows when it was the old data's default, i.e. the user had not chosen another."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from queries import Extract, ExtractRefused, labels, refresh
from queries.checks import find_tables
from queries.extract import cache_file_for, code_version

from . import data
from .filters import AS_OF

CHECK_EVERY = "30s"
SHOWN = "fee_shown"  # session key: (cache file, default as-of date) of the extract the last run showed
WORDS = labels.FRESHNESS


@dataclass(frozen=True)
class Newer:
    """Files in the data directory newer than the session's extract."""

    built: bool  # their cache exists: opening them costs no build
    as_of: dt.date | None = None  # their default as-of date, once built
    building: bool = False  # not built, but a build of them is under way
    quick: bool = False  # not built, but only payments files were added: a refresh takes seconds


def newer(shown: Extract) -> Newer | None:
    """What the data directory holds beyond `shown`, from its files' sizes and mtimes; None
    when nothing changed, or when the directory cannot be read as an extract just now (an
    import half-way): the next open says why, and the next look may find it whole."""
    try:
        current = cache_file_for(shown.data_dir)
    except (ExtractRefused, OSError):
        return None
    if current == shown.cache_file:
        return None
    if current.exists():
        try:
            return Newer(built=True, as_of=_default_as_of(str(shown.data_dir), str(current)))
        except (duckdb.Error, OSError):  # not readable after all: opening it builds it again
            return Newer(built=False)
    return Newer(built=False, building=_being_built(current), quick=_only_new_payments(shown))


def _only_new_payments(shown: Extract) -> bool:
    """Whether the files added since `shown` are payments alone, so that opening them refreshes
    its cache in seconds (queries/refresh.py) rather than building it all again. Reads the
    cache's list of files, never the data."""
    try:
        refresh.plan(shown.data_dir, find_tables(shown.data_dir), shown.cache_file, code_version())
    except (refresh.CannotRefresh, ExtractRefused, OSError, duckdb.Error):
        return False
    return True


@functools.lru_cache(maxsize=16)
def _default_as_of(data_dir: str, cache_file: str) -> dt.date | None:
    """The default as-of date a built cache holds, from a read-only look at it: nothing is built."""
    ex = Extract(Path(data_dir), Path(cache_file))
    try:
        return ex.default_as_of
    finally:
        ex.close()


def _being_built(cache_file: Path) -> bool:
    """Whether a live process is writing `cache_file`: queries/extract.py builds it as
    `<name>.<pid>.<thread>.tmp` beside it and renames it when done."""
    for tmp in cache_file.parent.glob(f"{cache_file.stem}.*.tmp"):
        match = re.search(r"\.(\d+)\.\d+\.tmp$", tmp.name)
        if match and _alive(int(match.group(1))):
            return True
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def follow(ex: Extract) -> None:
    """Before the filter bar: when this run shows another extract than the last run did and the
    as-of date is still the last one's default, move it to this one's default. A date the user
    chose stays. (A keyed date widget keeps its value when its default changes.)"""
    state = st.session_state
    shown = state.get(SHOWN)
    if shown is not None and shown[0] != str(ex.cache_file) and state.get(AS_OF) == shown[1]:
        # Set, not deleted: only a value set through session state reaches the browser's widget.
        # (Streamlit logs once that the widget also has a default: here that is intended.)
        state[AS_OF] = ex.default_as_of
    state[SHOWN] = (str(ex.cache_file), ex.default_as_of)


@st.fragment(run_every=CHECK_EVERY)
def notice(ex: Extract) -> None:
    """The notice of newer data, looked for again every 30 seconds."""
    found = newer(ex)
    if found is None:
        return
    if found.building:
        st.info(WORDS["building"], icon=":material/hourglass_top:")
        return
    if found.built:
        text = WORDS["updated"].format(as_of=found.as_of) if found.as_of else WORDS["updated_no_date"]
    else:
        text = WORDS["unbuilt_quick" if found.quick else "unbuilt"]
    words, button = st.columns([6, 1], vertical_alignment="center")
    words.info(text, icon=":material/update:")
    button.button(WORDS["refresh"], key="fee_refresh", on_click=_refresh, icon=":material/refresh:",
                  type="primary", help=WORDS["refresh_help"], width="stretch")


def _refresh() -> None:
    """The button's callback: let go of the session's extract and run the whole app again (not
    just this fragment), which opens the newest extract and moves the date (`follow`)."""
    data.let_go()
    st.rerun(scope="app")
