"""Shared fixtures. Every test builds rollup caches in one session tmp dir, never in
~/.cache; the cache is keyed by each extract's path and file fingerprints, so tests that
open the shipped sample share one build, and tiny extracts never collide."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "extract"


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fee-cache")


@pytest.fixture(autouse=True)
def fee_cache_dir(session_cache_dir, monkeypatch):
    monkeypatch.setenv("FEE_CACHE_DIR", str(session_cache_dir))
    return session_cache_dir
