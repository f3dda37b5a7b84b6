"""Shared fixtures: every test builds its rollup cache in its own tmp dir, never in ~/.cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fee_cache_dir(tmp_path_factory, monkeypatch):
    cache = tmp_path_factory.mktemp("fee-cache")
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    return cache
