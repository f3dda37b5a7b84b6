"""Newer data in a real browser (docs/DATA.md §9): an open page announces the new data once it is
built, and its 刷新 button moves the page — and the date widget the browser holds, which AppTest
does not see — onto it. Screenshot: tests/artifacts/newer_data.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries import open_extract
from test_browser import ARTIFACTS, CHROMIUM, IDLE, Server, _no_exceptions, _settle, browser  # noqa: F401 (a fixture)
from test_freshness import arrive, town

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="未找到 Chromium（/usr/bin/chromium）：浏览器测试已跳过。安装：apt-get install chromium fonts-noto-cjk",
)


def test_refresh_moves_the_page_and_its_date_widget_onto_the_new_data(browser, tmp_path):
    root, cache = town(tmp_path / "town"), tmp_path / "cache"
    server = Server(cache, data=root)
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page.goto(server.url)
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
        _settle(page)
        date = page.locator('[data-testid="stDateInput"] input')
        assert date.input_value() == "2021-03-10"

        arrive(root)
        open_extract(root, cache_dir=cache)  # the nightly build, into the server's cache
        page.keyboard.press("r")  # rerun now: the notice also looks by itself every 30 seconds
        page.wait_for_selector("text=数据已更新至 2021-03-25，点击刷新", timeout=60_000)
        assert "数据截至 2021 年 3 月 10 日" in page.locator(".fee-stamp").inner_text()  # still its data
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "newer_data.png"))

        page.get_by_role("button", name="刷新").click()
        page.wait_for_selector("text=数据截至 2021 年 3 月 25 日", timeout=60_000)
        _settle(page)
        assert date.input_value() == "2021-03-25"
        assert page.locator("text=数据已更新至").count() == 0
        assert "as_of" not in page.url  # the new default date, left out of the URL
        page.screenshot(path=str(ARTIFACTS / "newer_data_refreshed.png"))

        page.get_by_role("link", name="电费回收率").click()  # the browser sends its widget's date back
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE, timeout=60_000)
        _settle(page)
        assert "数据截至 2021 年 3 月 25 日" in page.locator(".fee-stamp").inner_text()
        _no_exceptions(page)
    finally:
        server.stop()
