"""The pages' only door to the numbers: the extract this session shows (kept while newer data
waits, ui/freshness.py), opened with a progress bar when it must be built, and cached,
parameter-keyed queries."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from queries import CacheUnavailable, Extract, ExtractRefused, Scope, View, labels, open_extract, remote
from queries.collections import Settings, risk_customers
from queries.extract import cache_file_for, is_built
from queries.progress import Stages, Ticker, seconds
from reports.reminders import with_reminders

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "extract"
WORDS = labels.BUILD_PROGRESS
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The dashboard's own arguments (--data DIR, --users FILE); the rest are Streamlit's."""
    parser = argparse.ArgumentParser(prog="python dashboard.py", description=labels.APP_TITLE)
    parser.add_argument("--data", metavar="DIR", help=labels.FRAME["data_arg"])
    parser.add_argument("--users", metavar="FILE", help=labels.AUTH["users_arg"])
    args, rest = parser.parse_known_args(argv)
    if args.data and not remote.is_uri(args.data):  # a URI stays as given (queries/remote.py)
        args.data = os.path.abspath(args.data)
    if args.users:
        args.users = os.path.abspath(args.users)
    return args, rest


def script_arguments() -> argparse.Namespace | None:
    """The arguments given to dashboard.py (`streamlit run dashboard.py -- --data DIR`), if
    this process runs it."""
    if sys.argv and Path(sys.argv[0]).name == DASHBOARD.name:
        return arguments(sys.argv[1:])[0]
    return None


def data_source() -> str:
    """`--data DIR` given to the script (`streamlit run dashboard.py -- --data DIR`), else
    $FEE_DATA_DIR, else the shipped sample: a folder, or the URI a Spark build reads."""
    given = script_arguments()
    if given and given.data:
        return given.data
    return os.environ.get("FEE_DATA_DIR") or str(SAMPLE)


def data_dir() -> Path:
    """The folder the pages read: the data directory, or for a URI the copy of it the last Spark
    build left in the cache folder (queries/remote.py)."""
    source = data_source()
    return remote.mirror_dir(source) if remote.is_uri(source) else Path(source)


@dataclass(frozen=True)
class Unavailable:
    """Why no figure can be shown: a refused extract, or a cache that cannot be written."""

    title: str
    message: str


def _fingerprint(path: Path) -> tuple:
    """Changes when a file of the extract changes, so a replaced extract is checked again."""
    if not path.is_dir():
        return ()
    return tuple(sorted((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in path.rglob("*.parquet")))


_refusals: dict[tuple, str] = {}  # a refused extract is not checked again until its files change


HELD = "fee_extract"  # session key: the extract this session shows, until it asks for newer data
_reading = threading.local()  # the extract a deferred download reads (see `deferred`)


def extract() -> Extract | Unavailable:
    """The extract this session shows, or why it cannot be shown. A session keeps the extract
    it opened when newer files arrive (ui/freshness.py offers them) and moves on only after
    `let_go()`; a fresh session opens the newest, building it first with a progress bar. A
    cache fault is retried next run."""
    path = data_dir()
    pinned = getattr(_reading, "extract", None)
    if pinned is not None:
        return pinned
    held = _held(path)
    if held is not None:
        return held
    ex = _open(path)
    if isinstance(ex, Extract):
        st.session_state[HELD] = ex
    return ex


def _held(path: Path) -> Extract | None:
    """The session's extract while it can still be read. Once a newer build has replaced its
    cache file, it is still read through the open file; a file truncated or replaced in place
    while the data stayed the same is not, and is opened (built) again."""
    ex = st.session_state.get(HELD)
    if not isinstance(ex, Extract) or ex.data_dir != path:
        return None
    if ex.intact():
        return ex
    try:
        superseded = cache_file_for(path) != ex.cache_file
    except (ExtractRefused, OSError):
        return None
    return ex if superseded else None


def let_go() -> None:
    """Forget the session's extract: the next run opens the newest (ui/freshness.py)."""
    st.session_state.pop(HELD, None)


T = TypeVar("T")


def deferred(make: Callable[[], T]) -> Callable[[], T]:
    """`make` for a download built when its button is clicked, later and outside this script
    run (where no session is known): it reads the extract this run shows."""
    ex = extract()

    def run() -> T:
        with _pinned(ex):
            return make()
    return run


@contextmanager
def _pinned(ex) -> Iterator[None]:
    _reading.extract = ex if isinstance(ex, Extract) else None
    try:
        yield
    finally:
        _reading.extract = None


def _open(path: Path) -> Extract | Unavailable:
    """Open the newest extract in `path`; opening one that is already open costs a few file
    stats, a build shows its progress."""
    try:  # a URI no Spark build has read yet has no copy here (queries/remote.py)
        remote.local_data_dir(data_source())
    except ExtractRefused as exc:
        return Unavailable(labels.REMOTE["not_mirrored_title"], str(exc))
    key = (str(path), _fingerprint(path))
    if key in _refusals:
        return Unavailable(labels.MSG["refused_title"], _refusals[key])
    try:
        if is_built(path):
            return open_extract(path)
        bar = _PageBar()
        try:
            return open_extract(path, progress=bar)
        finally:
            bar.close()
    except ExtractRefused as exc:
        _refusals[key] = str(exc)
        return Unavailable(labels.MSG["refused_title"], str(exc))
    except CacheUnavailable as exc:
        return Unavailable(labels.MSG["cache_title"], str(exc))


class _PageBar:
    """A build's progress on the page: st.progress with the stage under way and its seconds,
    and the stages done with theirs. The seconds keep moving while one long step runs (a
    ticker thread, attached to this script run, redraws the bar)."""

    def __init__(self):
        self.stages = Stages()
        self.bar = st.progress(0.0, text=f"**{WORDS['page_title']}**")
        self._lock = threading.Lock()
        self._ticker: Ticker | None = None
        self._ctx = get_script_run_ctx()

    def __call__(self, i: int, n: int, what: str) -> None:
        with self._lock:
            self.stages.update(i, n, what)
            self._draw()
        if self._ticker is None:
            self._ticker = Ticker(self._tick)

    def _draw(self) -> None:
        self.bar.progress(self.stages.fraction, text=_build_text(self.stages))

    def _tick(self) -> None:
        add_script_run_ctx(threading.current_thread(), self._ctx)
        with self._lock:
            if self.stages.current is not None:
                self._draw()

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
        self.bar.empty()


def _build_text(stages: Stages) -> str:
    """The bar's text: what the build does, the stage under way, the stages done."""
    lines = [f"**{WORDS['page_title']}**"]
    if stages.current is not None:
        lines.append(WORDS["page_stage"].format(number=stages.number, stage=stages.current,
                                                seconds=seconds(stages.stage_seconds()),
                                                total=seconds(stages.total_seconds())))
    if stages.finished:
        lines.append(WORDS["page_finished"].format(stages=" · ".join(
            WORDS["page_one"].format(stage=s.name, seconds=seconds(s.seconds)) for s in stages.finished)))
    return "  \n".join(lines)


@st.cache_data(show_spinner=False, max_entries=1024)
def _query(cache_file: str, name: str, scope: Scope, params: tuple) -> pl.DataFrame:
    ex = extract()
    if isinstance(ex, Unavailable):
        raise RuntimeError(ex.message)
    return ex.query(name, scope, **dict(params))


def query(name: str, scope: Scope | None = None, **params) -> pl.DataFrame:
    """Run queries/sql/<name>.sql, cached by the extract, the scope and the parameters. A
    page passes its view's scope (or one narrowed from it); none sees no row (fail closed)."""
    ex = extract()
    if isinstance(ex, Unavailable):
        raise RuntimeError(ex.message)
    return _query(str(ex.cache_file), name, Scope.nothing() if scope is None else scope,
                  tuple(sorted(params.items())))


@st.cache_data(show_spinner=False, max_entries=256)
def _chase_list(cache_file: str, view: View, show_personal: bool, settings: Settings) -> pl.DataFrame:
    ex = extract()
    if isinstance(ex, Unavailable):
        raise RuntimeError(ex.message)
    chase = risk_customers(ex, view, show_personal, settings)
    bills = ex.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="bill", **settings.params())
    return with_reminders(chase, bills, settings, view.as_of)


def chase_list(view: View, show_personal: bool, settings: Settings) -> pl.DataFrame:
    """The chase list (催费清单) of a view: queries.collections.risk_customers (masked unless
    `show_personal`, always in presentation), with the months owed (penalty_exposure.sql per
    bill) and each customer's reminder text (reports/reminders.py); cached like `query`."""
    ex = extract()
    if isinstance(ex, Unavailable):
        raise RuntimeError(ex.message)
    return _chase_list(str(ex.cache_file), view, show_personal, settings)
