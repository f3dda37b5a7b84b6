"""Single sign-on (issue 10, docs/DATA.md §8): a company's OpenID Connect provider signs people
in through Streamlit's st.login, and claims of their ID token give the role and rows.

- The claims → Access rules and the idle rule of sign-ins, without Streamlit.
- The login gate in AppTest, with st.user seeded as a sign-in would leave it.
- End to end in Debian Chromium against a real provider started here: panva's oidc-provider
  (npm, OpenID Certified; tests/oidc/provider.js), signing in through its own sign-in and
  consent pages into `python dashboard.py`, then signing out through its end-session page.
  Skipped, saying why, without node/npm or Chromium."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import ui.auth as auth
import ui.data
from queries import audit, labels, users
from queries.__main__ import main
from queries.access import Access

from apptest import DASHBOARD
from conftest import SAMPLE
from test_browser import CHROMIUM, browser  # noqa: F401 (a fixture: the Chromium of the browser tests)
from test_login import FakeClock

ROOT = Path(__file__).resolve().parent.parent
PROVIDER = ROOT / "tests" / "oidc"
ARTIFACTS = ROOT / "tests" / "artifacts"
CITY, STEEL = "城郊供电所", "千钢供电所"
SSO = dict(sso=True)

# What the provider puts in the ID token of each test account (beside iss, sub, aud, iat, …).
STATION_CLAIMS = {"name": "张三", "preferred_username": "zhang3", "fee_role": "station", "fee_stations": [CITY]}
NO_ROLE_CLAIMS = {"name": "无角色", "preferred_username": "nobody"}


# --- claims → Access ------------------------------------------------------------------------

def book(**settings) -> users.UsersFile:
    return users.UsersFile(path=Path("users.toml"), settings=users.Settings(**{**SSO, **settings}))


def claims(**given) -> dict:
    return {"iss": "https://idp.example", "sub": "u-1", "iat": 1_800_000_000, **given}


def test_each_role_claim_gives_its_rows_and_the_settings_decide_contacts_and_ranking():
    b = book()
    assert b.sso_access(claims(preferred_username="wang", fee_role="manager")) == Access(user="wang", role="manager")
    assert b.sso_access(claims(preferred_username="zhang3", fee_role="station", fee_stations=[CITY, STEEL, CITY])) \
        == Access(user="zhang3", role="station", stations=(CITY, STEEL))
    # one station may be a plain string; blanks around names are dropped
    assert b.sso_access(claims(fee_role="station", fee_stations=f" {CITY} ")).stations == (CITY,)
    assert b.sso_access(claims(fee_role="collector", fee_collector="李催费", fee_stations=[STEEL])) \
        == Access(user="u-1", role="collector", collector="李催费")  # no user claim: the subject
    narrowed = book(contacts_roles=["manager"], station_branch_ranking=True)
    station = narrowed.sso_access(claims(fee_role="station", fee_stations=[CITY]))
    assert (station.contacts, station.branch_ranking) == (False, True)
    # other claim names
    renamed = book(sso_user_claim="email", sso_role_claim="dept_role", sso_station_claim="depts")
    assert renamed.sso_access(claims(email="z@example.cn", dept_role="station", depts=[CITY])) \
        == Access(user="z@example.cn", role="station", stations=(CITY,))


@pytest.mark.parametrize("given, words", [
    ({}, "没有声明 fee_role"),
    ({"fee_role": "Manager"}, "不是看板的角色"),             # spelling and case count
    ({"fee_role": ["manager"]}, "不是看板的角色"),           # a list is not a role
    ({"fee_role": "admin"}, "不是看板的角色"),
    ({"fee_role": "station"}, "fee_stations 中没有供电所名称"),
    ({"fee_role": "station", "fee_stations": []}, "fee_stations 中没有供电所名称"),
    ({"fee_role": "station", "fee_stations": ["  "]}, "fee_stations 中没有供电所名称"),
    ({"fee_role": "station", "fee_stations": [CITY, 7]}, "fee_stations 中没有供电所名称"),
    ({"fee_role": "collector"}, "fee_collector 中没有抄表员姓名"),
    ({"fee_role": "collector", "fee_collector": " "}, "fee_collector 中没有抄表员姓名"),
])
def test_a_missing_or_unknown_role_or_no_rows_is_refused_and_says_which_claim(given, words):
    with pytest.raises(users.SsoRefused) as refused:
        book().sso_access(claims(preferred_username="zhang3", **given))
    assert words in str(refused.value) and "zhang3" in str(refused.value)


def test_the_sso_settings_are_written_read_and_checked(tmp_path):
    path = tmp_path / "users.toml"
    users.save(users.UsersFile(path=path))
    text = path.read_text(encoding="utf-8")
    assert "sso = false" in text and 'sso_role_claim = "fee_role"' in text  # written with their defaults
    path.write_text(text.replace("sso = false", "sso = true").replace('"fee_role"', '"groups_role"'), encoding="utf-8")
    settings = users.load(path).settings
    assert settings.sso is True and settings.sso_role_claim == "groups_role"
    for bad in ('sso = "yes"', 'sso_role_claim = ""', 'sso_station_claim = " x"', "sso_collector_claim = 1"):
        key = bad.split(" =")[0]
        path.write_text(f"[settings]\n{bad}\n", encoding="utf-8")
        with pytest.raises(users.UsersFileError) as broken:
            users.load(path)
        assert key in str(broken.value)


class Clocks:
    """The server's monotonic clock and the wall clock, moved together."""

    def __init__(self):
        self.now, self.wall = 5_000.0, 1_800_000_000.0

    def pass_(self, seconds: float) -> None:
        self.now += seconds
        self.wall += seconds


def test_a_sign_in_ends_when_idle_or_logged_out_and_an_old_one_must_sign_in_again():
    t = Clocks()
    seen = users.SignIns(clock=lambda: t.now, wall=lambda: t.wall)
    settings = users.Settings(idle_minutes=30)
    issued = t.wall - 60  # signed in a minute ago
    assert seen.use("a", issued, settings)
    t.pass_(30 * 60)
    assert seen.current("a", settings) and seen.use("a", issued, settings)  # 30 minutes: still good
    t.pass_(30 * 60 + 1)
    assert not seen.current("a", settings) and not seen.use("a", issued, settings)  # idle
    t.pass_(24 * 3600)
    assert not seen.use("a", issued, settings)  # forgotten since, and too old to start
    # a sign-in first used more than idle_minutes after its ID token was issued (a cookie
    # kept from before a restart) must sign in again; an ID token without iat too
    assert not seen.use("b", t.wall - 30 * 60 - 1, settings)
    assert not seen.use("c", None, settings)
    assert seen.use("d", t.wall - 30 * 60, settings)
    seen.end("d")  # 退出登录 ends it in every session
    assert not seen.current("d", settings) and not seen.use("d", t.wall, settings)


def test_a_sign_in_is_named_by_its_issuer_subject_and_nonce():
    one = claims(nonce="n1")
    assert users.sign_in_key(one) == users.sign_in_key(dict(one))
    assert users.sign_in_key(one) != users.sign_in_key({**one, "nonce": "n2"})  # signed in again
    assert users.sign_in_key(one) != users.sign_in_key({**one, "sub": "u-2"})


# --- the login gate (AppTest) ---------------------------------------------------------------

AUTH_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                         "client_id": "dashboard", "client_secret": "s", "server_metadata_url":
                         "https://idp.example/.well-known/openid-configuration"}}


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(auth, "clock", fake)
    monkeypatch.setattr(auth, "throttle", users.Throttle(clock=fake))
    start, wall = fake.now, time.time()  # the wall clock moves with the fake one
    monkeypatch.setattr(auth, "sign_ins", users.SignIns(clock=fake, wall=lambda: wall + fake.now - start))
    return fake


@pytest.fixture
def served(tmp_path, monkeypatch, clock, sample_env):
    """served(**settings): a users file with one password user (老王, manager) and these settings."""
    def serve(**settings):
        path = tmp_path / "users.toml"
        users.save(users.UsersFile(path=path, settings=users.Settings(**settings), users={
            "老王": users.User("老王", "manager", users.hash_password("correct-horse-1"))}))
        monkeypatch.setenv("FEE_USERS_FILE", str(path))
        return path
    return serve


def signed_in(claims_: dict | None, secrets_: dict | None = AUTH_SECRETS, page: str | None = None) -> AppTest:
    """A new session of a browser that comes back from the provider with these claims
    (None: not signed in)."""
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if secrets_:
        at.secrets = dict(secrets_)
    if claims_ is not None:  # what Streamlit keeps of the ID token, with a new nonce: a new sign-in
        at.user = {"is_logged_in": True, "provider": "default", "iss": "https://idp.example", "sub": "u-1",
                   "nonce": secrets.token_hex(8), "iat": int(auth.sign_ins.wall()), **claims_}
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "error", "warning", "caption", "info")
                     for e in at.get(kind))


def test_the_form_offers_single_sign_on_beside_the_password_form(served):
    served(**SSO)
    at = signed_in(None)
    assert [b.label for b in at.button] == ["统一身份认证登录", "登录"]
    assert [t.label for t in at.text_input] == ["用户名", "密码"]  # the password form still works
    at.text_input(key=auth.FORM_USER).input("老王")
    at.text_input(key=auth.FORM_PASSWORD).input("correct-horse-1")
    at.button(key="FormSubmitter:login-登录").click().run()
    assert at.session_state[auth.ACCESS] == Access(user="老王", role="manager")


def test_without_sso_setting_or_auth_secrets_no_sign_in_is_offered_nor_taken(served):
    served()  # sso off: a Streamlit sign-in cookie is ignored
    at = signed_in({"preferred_username": "wang", "fee_role": "manager"})
    assert [b.label for b in at.button] == ["登录"] and auth.ACCESS not in at.session_state
    served(**SSO)  # on, but no [auth] in the secrets: the form says so
    at = signed_in({"preferred_username": "wang", "fee_role": "manager"}, secrets_=None)
    assert [b.label for b in at.button] == ["登录"] and auth.ACCESS not in at.session_state
    assert labels.AUTH["sso_unconfigured"] in texts(at)


def test_a_station_sign_in_sees_its_station_with_the_summary_figures(served, capsys):
    served(**SSO)
    at = signed_in(STATION_CLAIMS)
    assert at.session_state[auth.ACCESS] == Access(user="zhang3", role="station", stations=(CITY,))
    assert at.sidebar.multiselect(key="station").options == [CITY]
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert labels.AUTH["who"].format(user="zhang3", role="供电所") in sidebar and labels.AUTH["via_sso"] in sidebar
    assert main(["summary", "--data", str(SAMPLE), "--station", CITY, "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["total"]
    assert at.metric[0].value == wan(total["billed"]) and at.metric[2].value == percent(total["recovery_rate"])


def test_a_sign_in_without_a_role_sees_nothing_and_is_told_why(served, monkeypatch):
    served(**SSO)
    opened = []
    monkeypatch.setattr(ui.data, "extract", lambda: opened.append(1))
    for given in (NO_ROLE_CLAIMS, {**NO_ROLE_CLAIMS, "fee_role": "boss"}, {**NO_ROLE_CLAIMS, "fee_role": "station"}):
        at = signed_in(given, page="pages/arrears.py")
        assert auth.ACCESS not in at.session_state
        assert not (at.metric or at.dataframe or at.get("plotly_chart") or at.sidebar.multiselect)
        assert labels.AUTH["sso_refused"] in texts(at) and "“nobody”" in texts(at)
        assert [b.label for b in at.button] == ["退出登录"]
    assert opened == []  # the extract was not even opened
    at.button(key="logout").click().run()
    assert at.user["is_logged_in"] is False  # st.logout: the sign-in is gone


def test_an_idle_sign_in_ends_and_logout_signs_out(served, clock):
    served(**SSO, idle_minutes=10)
    at = signed_in(STATION_CLAIMS)
    clock.now += 10 * 60
    at.run()
    assert at.session_state[auth.ACCESS].user == "zhang3"
    clock.now += 10 * 60 + 1
    at.run()
    assert auth.ACCESS not in at.session_state and labels.AUTH["expired"] in texts(at)
    assert [b.label for b in at.button] == ["统一身份认证登录", "登录"]
    at = signed_in(STATION_CLAIMS)  # signed in again (a new ID token)
    at.sidebar.button(key="logout").click().run()
    assert at.user["is_logged_in"] is False and auth.ACCESS not in at.session_state


def test_a_reveal_by_a_sign_in_is_audited_under_its_user_name(served):
    path = served(**SSO)
    at = signed_in(STATION_CLAIMS, page="pages/arrears.py")
    at.toggle(key="arrears_show_personal").set_value(True).run()
    logged = audit.read(users.load(path).audit_path())
    assert logged.height > 0 and set(logged["user"]) == {"zhang3"} and set(logged["role"]) == {"station"}
    assert all(s.startswith(CITY) for s in logged["scope"])


def wan(yuan: float) -> str:
    """A tile's 万元: two decimals, half up, thousands separated."""
    return f"{(Decimal(str(yuan)) / 10000).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def percent(rate: float) -> str:
    """A tile's rate: a percentage truncated to two decimals."""
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.01'), ROUND_DOWN)} %"


# --- end to end: a real OpenID Connect provider, Chromium, `python dashboard.py` -----------------

IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {proc.stdout.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _provider_installed() -> str | None:
    """Why the provider cannot run here, or None: node and npm present, and the pinned
    oidc-provider installed (npm ci, as .ci/run does, when it is not yet)."""
    if not (shutil.which("node") and shutil.which("npm")):
        return ("未找到 node/npm：单点登录端到端测试已跳过"
                "（需要 Node.js 20.19+ 运行 tests/oidc 的 oidc-provider）")
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PROVIDER, capture_output=True, text=True,
                              timeout=600)
        if done.returncode:
            return f"npm ci（tests/oidc）失败，单点登录端到端测试已跳过：{done.stderr.strip()[-500:]}"
    return None


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory):
    """A running provider and `python dashboard.py --users FILE` signing in through it: the
    dashboard's URL and the users file."""
    if not Path(CHROMIUM).exists():
        pytest.skip("未找到 Chromium（/usr/bin/chromium）：单点登录端到端测试已跳过。"
                    "安装：apt-get install chromium fonts-noto-cjk")
    why = _provider_installed()
    if why:
        pytest.skip(why)
    work = tmp_path_factory.mktemp("sso")
    port, idp_port = _free_port(), _free_port()
    site, issuer = f"http://127.0.0.1:{port}", f"http://localhost:{idp_port}"  # two hosts: no shared cookies
    callback, client_secret = f"{site}/oauth2callback", secrets.token_urlsafe(24)
    (work / "provider.json").write_text(json.dumps({
        "issuer": issuer, "port": idp_port,
        "client": {"client_id": "fee-dashboard", "client_secret": client_secret,
                   "redirect_uris": [callback], "post_logout_redirect_uris": [callback]},
        "accounts": {"zhang3": STATION_CLAIMS, "nobody": NO_ROLE_CLAIMS},
    }, ensure_ascii=False), encoding="utf-8")
    (work / "secrets.toml").write_text(f"""[auth]
redirect_uri = "{callback}"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "fee-dashboard"
client_secret = "{client_secret}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid profile fee", prompt = "login" }}
""", encoding="utf-8")
    users_path = work / "users.toml"
    users.save(users.UsersFile(path=users_path, settings=users.Settings(sso=True), users={
        "老王": users.User("老王", "manager", users.hash_password("correct-horse-1"))}))
    provider = subprocess.Popen(["node", "provider.js", str(work / "provider.json")], cwd=PROVIDER,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    env = {**os.environ, "FEE_CACHE_DIR": str(work / "cache")}
    for name in ("FEE_DATA_DIR", "FEE_USERS_FILE", "FEE_STRICT", "FEE_AUDIT_LOG"):
        env.pop(name, None)
    dashboard = subprocess.Popen(
        [sys.executable, str(ROOT / "dashboard.py"), "--users", str(users_path), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         "--secrets.files", str(work / "secrets.toml")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", provider, "oidc-provider")
        _wait_for(f"{site}/_stcore/health", dashboard, "dashboard")
        yield site, users_path
    finally:
        _stop(dashboard)
        _stop(provider)


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def _sign_in(browser, site: str, login: str):
    """A new browser: the dashboard's form, 统一身份认证登录, the provider's sign-in page
    (its login and a password) and consent page, and back on the dashboard."""
    context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="zh-CN")
    # the provider's pages @import a web font: nothing leaves this machine
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "http://localhost"))
                  else r.abort())
    page = context.new_page()
    page.goto(site)
    _settle(page)
    page.get_by_role("textbox", name="用户名").wait_for(timeout=60_000)  # the password form beside it
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_selector('input[name="login"]', timeout=30_000)
    assert page.url.startswith("http://localhost:")
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', "any-password")  # the provider's development sign-in page takes any
    page.click('button[type="submit"]')
    page.wait_for_selector('button:has-text("Continue")', timeout=30_000)  # consent: the scopes profile and fee
    page.click('button:has-text("Continue")')
    page.wait_for_url(f"{site}/**", timeout=30_000)
    _settle(page)
    return context, page


def _sign_out(page, site: str) -> None:
    """退出登录: Streamlit's sign-out, the provider's end-session page, back to the form."""
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_selector('button[value="yes"]', timeout=30_000)
    page.click('button[value="yes"]')
    page.wait_for_url(f"{site}/**", timeout=30_000)
    _settle(page)
    page.get_by_role("button", name="统一身份认证登录").wait_for(timeout=60_000)
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    page.goto(site)  # a new visit is not signed in either
    _settle(page)
    page.get_by_role("button", name="统一身份认证登录").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0


def _tiles(page) -> dict[str, str]:
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    return {m.locator('[data-testid="stMetricLabel"]').inner_text().strip():
            m.locator('[data-testid="stMetricValue"]').inner_text().strip()
            for m in page.locator('[data-testid="stMetric"]').all()}


def test_a_station_user_signs_in_at_the_provider_sees_only_its_station_and_signs_out(sso_site, browser):
    site, users_path = sso_site
    summary = subprocess.run([sys.executable, "-m", "queries", "summary", "--data", str(SAMPLE), "--station", CITY,
                              "--json"], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={**os.environ, "FEE_CACHE_DIR": str(users_path.parent / "cache")})
    total = json.loads(summary.stdout)["total"]
    year = json.loads(summary.stdout)["year"]
    context, page = _sign_in(browser, site, "zhang3")
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "oidc-station.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        tiles = _tiles(page)
        assert tiles[f"{year} 年应收电费（万元）"] == wan(total["billed"])
        assert tiles[f"{year} 年实收电费（万元）"] == wan(total["recovered"])
        assert tiles[f"{year} 年电费回收率"] == percent(total["recovery_rate"])
        assert tiles["欠费（万元）"] == wan(total["arrears"])
        assert tiles["欠费户数（户）"] == f"{total['arrears_customers']:,}"
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "当前用户：zhang3（供电所）" in sidebar and labels.AUTH["via_sso"] in sidebar
        assert f"可查看：{CITY}" in sidebar
        assert STEEL not in page.locator('[data-testid="stMain"]').inner_text()
        _sign_out(page, site)
    finally:
        context.close()


def test_a_provider_account_without_a_role_sees_nothing(sso_site, browser):
    site, _ = sso_site
    context, page = _sign_in(browser, site, "nobody")
    try:
        page.screenshot(path=str(ARTIFACTS / "oidc-no-role.png"))
        body = page.inner_text("body")
        assert labels.AUTH["sso_refused"] in body and "没有声明 fee_role" in body
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        raw = pl.read_parquet(SAMPLE / "customers.parquet")
        assert not [s for s in raw["station"].unique() if s in body]
        _sign_out(page, site)
    finally:
        context.close()
