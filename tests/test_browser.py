"""The dashboard in a real browser: `python dashboard.py` on 127.0.0.1, headless Debian
Chromium through Playwright (never a downloaded browser). Screenshots land in
tests/artifacts/ for a person to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = {"": "每日进度", "recovery": "电费回收率", "arrears": "欠费分析",
         "high_energy": "高耗能客户", "collectors": "催费责任人", "key_accounts": "重点客户",
         "posting": "入账与违约金", "data_quality": "数据质量"}
IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="未找到 Chromium（/usr/bin/chromium）：浏览器测试已跳过。安装：apt-get install chromium fonts-noto-cjk",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python dashboard.py` (how the README starts it) or `streamlit run dashboard.py` (how
    most people and hosting platforms do), optionally with `--data DIR` and `--users FILE`
    (always on 127.0.0.1: a users file alone would open it to the network)."""

    def __init__(self, cache_dir: Path, how: str = "python", data: Path | None = None, users: Path | None = None):
        self.port = _free_port()
        env = {**os.environ, "FEE_CACHE_DIR": str(cache_dir)}
        env.pop("FEE_DATA_DIR", None)  # the shipped sample extract, unless --data says otherwise
        env.pop("FEE_USERS_FILE", None)  # no login, unless --users says otherwise
        options = ["--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--server.fileWatcherType", "none"]
        app_args = (["--data", str(data)] if data else []) + (["--users", str(users)] if users else [])
        if how == "python":
            command = [sys.executable, str(ROOT / "dashboard.py"), *app_args, *options]
        else:
            command = [sys.executable, "-m", "streamlit", "run", *options, "dashboard.py",
                       *(["--", *app_args] if app_args else [])]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not become healthy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page.goto(url)
    # the app reports idle once before its first run: wait for the page itself to appear
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    _settle(page)
    return page


def _settle(page) -> None:
    """Wait until the app is idle and every chart on the page is drawn."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]') &&
                 [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                     .every(c => c.querySelector('.main-svg'))""", timeout=60_000)


def _no_exceptions(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.parametrize("how", ["python", "streamlit"])
def test_cold_deep_link_runs_through_the_shared_frame(browser, cache_dir, how):
    """The very first request to a fresh server is a deep link with a filter: it must render
    that page inside dashboard.py's frame (filters, navigation), not the legacy page mode,
    however the server was started."""
    server = Server(cache_dir, how)
    try:
        page = _open(browser, f"{server.url}/arrears?station=城郊供电所")
        _no_exceptions(page)
        assert page.locator("h1").first.inner_text().strip() == "欠费分析"
        assert "城郊供电所" in page.locator('[data-testid="stSidebar"]').inner_text()
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "每日进度" in nav and "arrears" not in nav  # titles, not legacy file names
        assert "城郊供电所" in unquote(page.url)
        # the figures are the station's, not the whole branch's
        assert "范围：城郊供电所" in page.inner_text("body")
        page.close()
    finally:
        server.stop()


@pytest.mark.parametrize("how", ["python", "streamlit"])
def test_data_given_on_the_command_line_is_read_however_started(browser, cache_dir, tmp_path, how):
    from tiny import bill, customer, payment, write_extract

    root = write_extract(tmp_path / "extract", [customer("001", station="命令行供电所")],
                         [bill("b1", "001", "100.00")],
                         [payment("p1", "001", "b1", "40.00", "2021-04-01 09:00:00")])
    server = Server(cache_dir, how, data=root)
    try:
        page = _open(browser, f"{server.url}/recovery")
        _no_exceptions(page)
        assert "命令行供电所" in page.inner_text("body")
        page.close()
        refused = write_extract(tmp_path / "refused", [customer("001"), customer("001")], [], [])
        server.stop()
        server = Server(cache_dir, how, data=refused)
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{server.url}/arrears")
        page.wait_for_selector('[data-testid="stAlert"]', timeout=60_000)
        body = page.inner_text("body")
        assert "数据提取未通过检查" in body and "customer_id" in body
        _no_exceptions(page)
        page.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(cache_dir):
    s = Server(cache_dir)
    yield s
    s.stop()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_without_exceptions(browser, server, path):
    page = _open(browser, f"{server.url}/{path}")
    _no_exceptions(page)
    assert page.locator("h1").first.inner_text().strip() == PAGES[path]
    assert "数据截至" in page.inner_text("body")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page_{path or 'home'}.png"), full_page=True)
    page.close()


def test_station_filter_lands_in_the_url_and_changes_the_tiles(browser, server):
    page = _open(browser, server.url)
    before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option", name="城郊供电所").click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => decodeURIComponent(location.search).includes('station=城郊供电所')", timeout=20_000)
    _settle(page)
    after = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert after != before
    assert parse_qs(urlparse(page.url).query)["station"] == ["城郊供电所"]
    _no_exceptions(page)
    # the filter survives a page change, and the copied link reproduces the view
    page.get_by_role("link", name="欠费分析").click()
    page.wait_for_url("**/arrears**", timeout=20_000)
    _settle(page)
    assert "城郊供电所" in unquote(page.url)
    copied = _open(browser, page.url)
    assert "城郊供电所" in copied.locator('[data-testid="stSidebar"]').inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    copied.screenshot(path=str(ARTIFACTS / "arrears_station.png"), full_page=True)
    copied.close()
    page.close()
