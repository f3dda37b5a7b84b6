"""Logins and roles in a real browser (docs/DATA.md §8): `python dashboard.py
--users FILE` on the shipped sample, the users file made here with `python -m queries users
add` and FEE_PASSWORD, headless Debian Chromium through Playwright (started as in
tests/test_browser.py). Each role logs in through the form itself: a manager (老王), a station
user (站长, 城郊供电所) and a collector user (孙秀英, whose customers lie in 千钢供电所).

The expected figures come from outside the app: `python -m queries summary --station …` for
the manager and the station user, and the bill-by-bill second implementation
(tests/reference.py) over the collector's customers for the collector user. Who may see which
customer comes from customers.parquet read with polars. Screenshots land in tests/artifacts/.
One server serves every test; each test logs in afresh (a reload is a new session)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

import reference
from conftest import SAMPLE
from test_browser import ARTIFACTS, CHROMIUM, IDLE, ROOT, Server, _no_exceptions, _settle, browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="未找到 Chromium（/usr/bin/chromium）：浏览器测试已跳过。安装：apt-get install chromium fonts-noto-cjk",
)

PASSWORD = "correct-horse-1"
CITY, STEEL = "城郊供电所", "千钢供电所"  # the station user's station; the collector's
COLLECTOR, CITY_COLLECTOR = "孙秀英", "杨俊峰"  # a collector of 千钢; one of 城郊
MANAGER, STATION_USER, COLLECTOR_USER = "老王", "站长", COLLECTOR
TRIER = "试错员"  # a user only the throttling test tries, so its waits hold nobody else up
ADD = {
    MANAGER: ["--role", "manager"],
    STATION_USER: ["--role", "station", "--station", CITY],
    COLLECTOR_USER: ["--role", "collector", "--collector", COLLECTOR],
    TRIER: ["--role", "station", "--station", CITY],
}
ROLE = {MANAGER: "manager", STATION_USER: "station", COLLECTOR_USER: "collector"}  # for file names
FORM = 'input[autocomplete="username"]'
LOGGED_IN = ".st-key-logout"  # 退出登录, drawn once a user is logged in


# --- the users file, the server, the browser ------------------------------------------------

@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queries", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)


@pytest.fixture(scope="module")
def users_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    for name, args in ADD.items():
        _cli("users", "add", name, *args, "--users", str(path), env={"FEE_PASSWORD": PASSWORD})
    return path


@pytest.fixture(scope="module")
def summaries(cache_dir) -> dict:
    """`python -m queries summary [--station …] --json` of the sample: the whole branch and 城郊.
    Run before the server starts, so the two share one cache build."""
    def summary(*station: str) -> dict:
        done = _cli("summary", "--data", str(SAMPLE), *station, "--json", env={"FEE_CACHE_DIR": str(cache_dir)})
        return json.loads(done.stdout)
    return {MANAGER: summary(), STATION_USER: summary("--station", CITY)}


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    return pl.read_parquet(SAMPLE / "customers.parquet")


@pytest.fixture(scope="module")
def allowed(customers) -> dict[str, set[str]]:
    """The customer ids each user may see, straight from customers.parquet."""
    def ids(where: pl.Expr) -> set[str]:
        return set(customers.filter(where)["customer_id"].to_list())
    return {MANAGER: set(customers["customer_id"].to_list()), STATION_USER: ids(pl.col("station") == CITY),
            COLLECTOR_USER: ids(pl.col("meter_reader") == COLLECTOR)}


@pytest.fixture(scope="module")
def expected(summaries) -> dict[str, dict]:
    """Each user's own figures: the summary's total for the manager and the station user; for
    the collector user, the second implementation over the collector's customers."""
    cust, bills, payments = reference.load(SAMPLE)
    as_of = reference.default_as_of(bills, payments)
    assert str(as_of) == summaries[MANAGER]["as_of"]  # both read the same D
    mine = reference.reference(cust, bills, payments, as_of, as_of.year, where=pl.col("meter_reader") == COLLECTOR)
    return {MANAGER: summaries[MANAGER]["total"], STATION_USER: summaries[STATION_USER]["total"],
            COLLECTOR_USER: mine}


@pytest.fixture(scope="module")
def server(cache_dir, users_file, summaries):
    s = Server(cache_dir, users=users_file)
    yield s
    s.stop()


@pytest.fixture
def context(browser):
    """A browser context of its own (its own cookies and sessions), for one user."""
    contexts = []

    def new():
        contexts.append(browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN",
                                            accept_downloads=True))
        return contexts[-1]

    yield new
    for c in contexts:
        c.close()


# --- helpers ------------------------------------------------------------------------------

def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"roles_{name}.png"), full_page=True)


def _form(page, url: str) -> None:
    """Open `url` and wait for the login form; nothing from the data is on the page yet."""
    page.goto(url)
    page.wait_for_selector(FORM, timeout=120_000)
    _idle(page)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    body = page.inner_text("body")
    assert CITY not in body and STEEL not in body and "数据截至" not in body


def _idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=90_000)


def _submit(page, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    _idle(page)


def _log_in(ctx, server, name: str, path: str = ""):
    """A new page of `ctx` at `path`, logged in as `name` through the form."""
    page = ctx.new_page()
    _form(page, f"{server.url}/{path}")
    _submit(page, name, PASSWORD)
    page.wait_for_selector(LOGGED_IN, timeout=120_000)
    _settle(page)
    _no_exceptions(page)
    return page


def _go(page, title: str) -> None:
    """To another page through the sidebar (the same session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.wait_for_function("t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
                           arg=title, timeout=60_000)
    _settle(page)
    _no_exceptions(page)


def _tiles(page) -> dict[str, str]:
    """Each tile's label and its value as shown."""
    tiles = page.locator('[data-testid="stMain"] [data-testid="stMetric"]')
    return {t.locator('[data-testid="stMetricLabel"]').inner_text().strip():
            t.locator('[data-testid="stMetricValue"]').inner_text().strip() for t in tiles.all()}


def _wan(yuan) -> str:
    """元 as 万元 with two decimals, half away from zero, thousands separated: 1,216.50."""
    return f"{(Decimal(str(yuan)) / 10000).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def _pct(rate) -> str:
    """A rate as a percentage truncated to two decimals (docs/DATA.md §3): 98.11 %."""
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.01'), ROUND_DOWN):.2f} %"


def _home_tiles_are(page, figures: dict, year: int) -> None:
    tiles = _tiles(page)
    assert tiles[f"{year} 年应收电费（万元）"] == _wan(figures["billed"])
    assert tiles[f"{year} 年实收电费（万元）"] == _wan(figures["recovered"])
    assert tiles[f"{year} 年电费回收率"] == _pct(figures["recovery_rate"])
    assert tiles["欠费（万元）"] == _wan(figures["arrears"])
    assert tiles["欠费户数（户）"] == f"{figures['arrears_customers']:,}"


def _nav(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def _options(page, key: str) -> list[str]:
    """The choices a sidebar filter offers (without the widget's own "Select all")."""
    combo = page.locator(f'[data-testid="stSidebar"] .st-key-{key} [role="combobox"]')
    combo.click()
    if combo.get_attribute("aria-expanded") != "true":  # a click may only focus it
        page.keyboard.press("ArrowDown")
    page.wait_for_selector('[role="option"]', timeout=10_000)
    options = [o.inner_text().strip() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    page.wait_for_selector('[role="option"]', state="detached", timeout=10_000)
    return [o for o in options if o != "Select all"]


def _download(page, key: str) -> Path:
    """Click the download button with widget key `key`; the file the browser received, under
    the name the app gave it (beside Playwright's copy, removed with the context)."""
    with page.expect_download(timeout=120_000) as info:
        page.locator(f".st-key-{key} button").click()
    got = info.value
    path = Path(got.path())
    named = path.with_name(f"{path.name}-{got.suggested_filename}")
    got.save_as(named)
    return named


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(path.read_text(encoding="utf-8-sig")), infer_schema=False)


def _xlsx_column(path: Path, header: str) -> list[str]:
    """The values under `header` in the first sheet of a workbook whose table sits below a few
    header lines (reports/xlsx.write_sheets)."""
    rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if header in row)
    at = rows[top].index(header)
    return [str(row[at]) for row in rows[top + 1:] if row[at] is not None]


def _only_allowed(ids: list[str], allowed: set[str]) -> None:
    assert ids, "the file lists nobody"
    outside = set(ids) - allowed
    assert not outside, f"customers the user may not see: {sorted(outside)[:5]} …"


# --- the tests ------------------------------------------------------------------------------

@pytest.mark.parametrize("user", [MANAGER, STATION_USER, COLLECTOR_USER], ids=ROLE.get)
def test_each_role_logs_in_and_its_tiles_are_its_own_figures(server, context, expected, summaries, user):
    page = _log_in(context(), server, user)
    assert page.locator("h1").first.inner_text().strip() == "每日进度"
    _home_tiles_are(page, expected[user], summaries[MANAGER]["year"])
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert f"当前用户：{user}" in sidebar
    # 审计日志 is offered to the manager alone
    assert ("审计日志" in _nav(page)) == (user == MANAGER)
    _shot(page, f"home_{ROLE[user]}")


@pytest.mark.parametrize("user, elsewhere", [
    (STATION_USER, f"station={STEEL}&collector={COLLECTOR}"),
    (COLLECTOR_USER, f"station={CITY}&collector={CITY_COLLECTOR}"),
], ids=["station", "collector"])
def test_a_url_naming_another_station_or_collector_changes_nothing(server, context, expected, summaries,
                                                                   user, elsewhere):
    """A shared or hand-edited link (kept through the login form) opens the user's own rows."""
    page = _log_in(context(), server, user, f"?{elsewhere}")
    _home_tiles_are(page, expected[user], summaries[MANAGER]["year"])
    other_station = STEEL if user == STATION_USER else CITY
    other_collector = COLLECTOR if user == STATION_USER else CITY_COLLECTOR
    body = page.inner_text("body")
    assert other_station not in body and other_collector not in body
    assert other_station not in page.url
    # the filters offer only what the user may see
    own_station = CITY if user == STATION_USER else STEEL
    assert _options(page, "station") == [own_station]
    collectors = _options(page, "collector")
    assert other_collector not in collectors
    if user == COLLECTOR_USER:
        assert collectors == [COLLECTOR]
    _shot(page, f"url_elsewhere_{ROLE[user]}")


def test_a_station_users_downloads_hold_its_station_alone(server, context, expected, allowed):
    page = _log_in(context(), server, STATION_USER, "arrears")
    # the account list as CSV (masked): every account in arrears of the station, and no other
    accounts = _csv(_download(page, "arrears_accounts_csv"))
    ids = accounts["户号"].to_list()
    _only_allowed(ids, allowed[STATION_USER])
    assert len(ids) == len(set(ids)) == expected[STATION_USER]["arrears_customers"]
    # with contacts on, the Excel of the same list (names and phones whole)
    page.locator(".st-key-arrears_show_personal label").click()
    _settle(page)
    path = _download(page, "arrears_accounts_xlsx")
    _only_allowed(_xlsx_column(path, "户号"), allowed[STATION_USER])
    phones = _xlsx_column(path, "联系电话")
    assert phones and not any("*" in p for p in phones)
    _shot(page, "downloads_station_arrears")
    # the chase lists of every collector in scope
    _go(page, "催费责任人")
    _only_allowed(_xlsx_column(_download(page, "collectors_xlsx_all"), "户号"), allowed[STATION_USER])
    _only_allowed(_xlsx_column(_download(page, "collectors_xlsx_one"), "户号"), allowed[STATION_USER])
    _shot(page, "downloads_station_collectors")


def test_a_collector_users_downloads_hold_its_customers_alone(server, context, expected, allowed):
    page = _log_in(context(), server, COLLECTOR_USER, "collectors")
    chase = _xlsx_column(_download(page, "collectors_xlsx_all"), "户号")
    _only_allowed(chase, allowed[COLLECTOR_USER])
    _shot(page, "downloads_collector_collectors")
    _go(page, "欠费分析")
    ids = _csv(_download(page, "arrears_accounts_csv"))["户号"].to_list()
    _only_allowed(ids, allowed[COLLECTOR_USER])
    assert len(ids) == len(set(ids)) == expected[COLLECTOR_USER]["arrears_customers"]


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(server, context):
    page = context().new_page()
    _form(page, server.url)
    _submit(page, TRIER, "not-the-password")
    assert "用户名或密码错误" in page.locator('[data-testid="stAlert"]').inner_text()
    assert page.locator(LOGGED_IN).count() == 0
    for _ in range(4):  # five failures in a row (the default max_failures) …
        _submit(page, TRIER, "not-the-password")
    # … and the fifth says to wait: the next try, even with the right password, is refused
    assert "请 30 秒后再试" in page.locator('[data-testid="stAlert"]').inner_text()
    _submit(page, TRIER, PASSWORD)
    notice = page.locator('[data-testid="stAlert"]').inner_text()
    assert "登录失败次数过多" in notice and "秒后再试" in notice
    assert page.locator(LOGGED_IN).count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    _shot(page, "throttled")


def test_logout_returns_to_the_form_and_a_reload_stays_logged_out(server, context):
    page = _log_in(context(), server, MANAGER, "arrears")
    page.locator(LOGGED_IN).get_by_role("button").click()
    page.wait_for_selector(FORM, timeout=60_000)
    _idle(page)
    assert "已退出登录" in page.locator('[data-testid="stAlert"]').inner_text()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert CITY not in page.inner_text("body")
    _shot(page, "logged_out")
    page.reload()
    page.wait_for_selector(FORM, timeout=60_000)
    _idle(page)
    assert page.locator(LOGGED_IN).count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert CITY not in page.inner_text("body")


def test_two_users_at_once_in_two_contexts_see_only_their_own_data(server, context, expected, summaries):
    year = summaries[MANAGER]["year"]
    station, collector = context().new_page(), context().new_page()
    _form(station, server.url)
    _form(collector, server.url)
    # both forms filled, then both sent: two logins in flight at once
    for page, name in ((station, STATION_USER), (collector, COLLECTOR_USER)):
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
    for page in (station, collector):
        page.get_by_role("button", name="登录").click()
    for page in (station, collector):
        page.wait_for_selector(LOGGED_IN, timeout=120_000)
        _settle(page)
        _no_exceptions(page)
    _home_tiles_are(station, expected[STATION_USER], year)
    _home_tiles_are(collector, expected[COLLECTOR_USER], year)
    # each moves on while the other stays logged in
    _go(station, "欠费分析")
    _go(collector, "欠费分析")
    for page, user in ((station, STATION_USER), (collector, COLLECTOR_USER)):
        assert _tiles(page)["欠费（万元）"] == _wan(expected[user]["arrears"])
        assert _tiles(page)["欠费户数（户）"] == f"{expected[user]['arrears_customers']:,}"
    assert "可查看：城郊供电所" in station.locator('[data-testid="stSidebar"]').inner_text()
    assert f"可查看：{COLLECTOR} 负责的客户" in collector.locator('[data-testid="stSidebar"]').inner_text()
    assert STEEL not in station.inner_text("body")
    assert CITY not in collector.inner_text("body")
    _shot(station, "two_at_once_station")
    _shot(collector, "two_at_once_collector")


def test_the_audit_page_is_the_managers_and_shows_a_station_users_reveal(server, context, expected):
    # the station user, at 审计日志's own URL: not offered, not shown
    station = _log_in(context(), server, STATION_USER, "audit")
    assert station.locator("h1").first.inner_text().strip() != "审计日志"
    assert "审计日志" not in _nav(station) and "日志链" not in station.inner_text("body")
    _shot(station, "audit_url_station")
    # … reveals the contacts of its account list
    _go(station, "欠费分析")
    since = dt.datetime.now().replace(microsecond=0)
    station.locator(".st-key-arrears_show_personal label").click()
    _settle(station)
    _no_exceptions(station)

    manager = _log_in(context(), server, MANAGER, "audit")
    assert manager.locator("h1").first.inner_text().strip() == "审计日志"
    assert "日志链校验通过" in manager.inner_text("body")
    _shot(manager, "audit_manager")
    log = _csv(_download(manager, "audit_csv"))
    # the reveal of the station's account list: one row, its scope, as many rows as it has accounts
    listed = log.filter((pl.col("用户") == STATION_USER) & (pl.col("操作") == "显示联系方式")
                        & (pl.col("页面") == "欠费分析") & (pl.col("内容") == "欠费户明细")
                        & (pl.col("时间") >= since.strftime("%Y-%m-%d %H:%M:%S")))
    assert listed.height == 1, log
    assert listed["角色"][0] == "供电所" and CITY in listed["范围"][0]
    assert int(listed["行数"][0]) == expected[STATION_USER]["arrears_customers"]
