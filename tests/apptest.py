"""Helpers for page tests: a page opened inside dashboard.py (with the filter bar) on the
shipped sample, a chart found by its title, and the files behind download buttons."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from conftest import SAMPLE

DASHBOARD = str(SAMPLE.parent.parent / "dashboard.py")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.switch_page(page).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="station")  # inside dashboard.py, with the filter bar
    return at


def figure(at: AppTest, title: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            return spec
    raise AssertionError(f"no chart titled {title}")


def values(data) -> list:
    """A trace's x/y as a list: plotly writes numeric arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def record_downloads(monkeypatch) -> dict:
    """Every deferred download's callable (run only when its button is clicked), by file id:
    a button's file is `made[button.proto.deferred_file_id]()`."""
    made = {}
    add = MediaFileManager.add_deferred

    def recording(self, data_callable, *args, **kwargs):
        file_id = add(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return made
