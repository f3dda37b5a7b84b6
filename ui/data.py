"""The pages' only door to the numbers: the opened extract and cached, parameter-keyed queries."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import streamlit as st

from queries import Extract, ExtractRefused, Scope, open_extract

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "extract"


def data_dir() -> Path:
    return Path(os.environ.get("FEE_DATA_DIR") or SAMPLE)


def _fingerprint(path: Path) -> tuple:
    """Changes when a file of the extract changes, so a replaced extract is reopened."""
    if not path.is_dir():
        return ()
    return tuple(sorted((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in path.rglob("*.parquet")))


@st.cache_resource(show_spinner="正在检查并索引数据…")
def _open(path: str, fingerprint: tuple) -> Extract | str:
    try:
        return open_extract(path)
    except ExtractRefused as exc:
        return str(exc)


def extract() -> Extract | str:
    """The opened extract, or the Chinese message of a refused one."""
    path = data_dir()
    return _open(str(path), _fingerprint(path))


@st.cache_data(show_spinner=False, max_entries=1024)
def _query(cache_file: str, name: str, scope: Scope, params: tuple) -> pl.DataFrame:
    ex = extract()
    assert not isinstance(ex, str)
    return ex.query(name, scope, **dict(params))


def query(name: str, scope: Scope | None = None, **params) -> pl.DataFrame:
    """Run queries/sql/<name>.sql, cached by the extract, the scope and the parameters."""
    ex = extract()
    if isinstance(ex, str):
        raise ExtractRefused(ex)
    return _query(str(ex.cache_file), name, scope or Scope(), tuple(sorted(params.items())))
