"""Shared fixtures. Every test builds rollup caches in one session tmp dir, never in
~/.cache; the cache is keyed by each extract's path and file fingerprints, so tests that
open the shipped sample share one build, and tiny extracts never collide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from queries import open_extract

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "extract"

# Hypothesis budget (tests/test_properties.py): each example builds an extract's rollups
# (~0.3 s) and runs four summaries (~0.15 s each), so the example count, not a deadline,
# bounds the time: 25 examples keep that test near half a minute. "ci" (when CI is set) is
# derandomized and keeps no example database; "dev" is the same budget and remembers
# failing examples in .hypothesis/. HYPOTHESIS_PROFILE picks another registered profile.
_BUDGET = dict(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", database=None, derandomize=True, **_BUDGET)
settings.register_profile("dev", **_BUDGET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fee-cache")


@pytest.fixture(scope="session")
def sample(session_cache_dir):
    """The shipped sample extract, opened once for the session."""
    return open_extract(SAMPLE, cache_dir=session_cache_dir)


@pytest.fixture
def sample_env(monkeypatch):
    """The app (AppTest or a server) reads the shipped sample."""
    monkeypatch.setenv("FEE_DATA_DIR", str(SAMPLE))


@pytest.fixture(autouse=True)
def fee_cache_dir(session_cache_dir, monkeypatch):
    monkeypatch.setenv("FEE_CACHE_DIR", str(session_cache_dir))
    # a page failure raises instead of becoming the friendly message (ui/frame.guard)
    monkeypatch.setenv("FEE_STRICT", "1")
    # no users file unless a test gives one; the audit log of the local manager in the session's tmp dir
    monkeypatch.delenv("FEE_USERS_FILE", raising=False)
    monkeypatch.setenv("FEE_AUDIT_LOG", str(session_cache_dir / "audit.sqlite"))
    return session_cache_dir
