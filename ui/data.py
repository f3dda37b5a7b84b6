"""The pages' only door to the numbers: the opened extract and cached, parameter-keyed queries."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st

from queries import CacheUnavailable, Extract, ExtractRefused, Scope, View, labels, open_extract
from queries.collections import Settings, risk_customers
from queries.extract import is_built
from reports.reminders import with_reminders

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "extract"
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The dashboard's own arguments (--data DIR, --users FILE); the rest are Streamlit's."""
    parser = argparse.ArgumentParser(prog="python dashboard.py", description=labels.APP_TITLE)
    parser.add_argument("--data", metavar="DIR", help=labels.FRAME["data_arg"])
    parser.add_argument("--users", metavar="FILE", help=labels.AUTH["users_arg"])
    args, rest = parser.parse_known_args(argv)
    if args.data:
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


def data_dir() -> Path:
    """`--data DIR` given to the script (`streamlit run dashboard.py -- --data DIR`), else
    $FEE_DATA_DIR, else the shipped sample."""
    given = script_arguments()
    if given and given.data:
        return Path(given.data)
    return Path(os.environ.get("FEE_DATA_DIR") or SAMPLE)


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


def extract() -> Extract | Unavailable:
    """The opened extract, or why it cannot be shown. Opening an extract that is already open
    costs a few file stats; a build shows its progress; a cache fault is retried next run."""
    path = data_dir()
    key = (str(path), _fingerprint(path))
    if key in _refusals:
        return Unavailable(labels.MSG["refused_title"], _refusals[key])
    try:
        if is_built(path):
            return open_extract(path)
        bar = st.progress(0.0, text=labels.MSG["building"])

        def progress(i: int, n: int, what: str) -> None:
            bar.progress(min(i / n, 1.0), text=f"{labels.MSG['building']}{what}（{i}/{n}）")

        try:
            return open_extract(path, progress=progress)
        finally:
            bar.empty()
    except ExtractRefused as exc:
        _refusals[key] = str(exc)
        return Unavailable(labels.MSG["refused_title"], str(exc))
    except CacheUnavailable as exc:
        return Unavailable(labels.MSG["cache_title"], str(exc))


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
