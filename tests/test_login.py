"""docs/DATA.md §8 in the app (AppTest): with a users file, nothing but the login form before
login — the extract is not even opened; a station user logs in and sees its station; wrong
passwords are refused and throttled, idle sessions end, 退出登录 ends one; contacts only for
the roles allowed and never in presentation mode; every reveal and every download with
contacts in the audit log; the 审计日志 page for managers only. Without a users file, the
local manager on 127.0.0.1 only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys

import polars as pl
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

import ui.auth as auth
import ui.data
from queries import audit, labels, users
from queries.access import Access
from ui import launch

from apptest import DASHBOARD, record_downloads
from conftest import SAMPLE

pytestmark = pytest.mark.usefixtures("sample_env")

PASSWORD, CITY = "correct-horse-1", "城郊供电所"


@pytest.fixture(scope="module")
def hashed() -> str:
    return users.hash_password(PASSWORD)  # one Argon2 hash for every user of these tests


class FakeClock:
    def __init__(self):
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """The app's clock, and a throttle of its own for each test (the app's is per server)."""
    fake = FakeClock()
    monkeypatch.setattr(auth, "clock", fake)
    monkeypatch.setattr(auth, "throttle", users.Throttle(clock=fake))
    return fake


def write_users(path, hashed: str, **settings) -> users.UsersFile:
    book = users.UsersFile(path=path, settings=users.Settings(**settings), users={
        "老王": users.User("老王", "manager", hashed),
        "张三": users.User("张三", "station", hashed, stations=(CITY,)),
    })
    users.save(book)
    return book


@pytest.fixture
def served(tmp_path, hashed, monkeypatch, clock):
    """served(**settings): the app reads a users file with these settings; its path."""
    def serve(**settings):
        path = tmp_path / "users.toml"
        write_users(path, hashed, **settings)
        monkeypatch.setenv("FEE_USERS_FILE", str(path))
        return path
    return serve


@pytest.fixture
def users_file(served):
    return served()


def session() -> AppTest:
    """A new browser session on the app, after its first run."""
    return AppTest.from_file(DASHBOARD, default_timeout=60).run()


def log_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key=auth.FORM_USER).input(name)
    at.text_input(key=auth.FORM_PASSWORD).input(password)
    at.button(key="FormSubmitter:login-登录").click().run()
    assert not at.exception
    return at


def on_login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and not at.sidebar.multiselect


def page_text(at: AppTest) -> str:
    """Every element of the page tree as protobuf text (UTF-8): what the browser is sent."""
    def walk(node) -> list[str]:
        proto = getattr(node, "proto", None)
        out = [text_format.MessageToString(proto, as_utf8=True)] if proto is not None else []
        for child in getattr(node, "children", {}).values():
            out += walk(child)
        return out
    return "\n".join(walk(at._tree))


def test_before_login_only_the_form_is_drawn_and_the_extract_is_not_opened(users_file, monkeypatch):
    opened = []
    real = ui.data.extract
    monkeypatch.setattr(ui.data, "extract", lambda: opened.append(1) or real())
    raw = pl.read_parquet(SAMPLE / "customers.parquet")
    data_words = {*raw["station"].unique(), *raw["village"].drop_nulls().unique(), SAMPLE.name, "数据截至"}

    for page in ("pages/home.py", "pages/arrears.py", "pages/collectors.py"):
        at = AppTest.from_file(DASHBOARD, default_timeout=60)
        at.query_params["station"] = "千钢供电所"  # a deep link with a filter waits behind the form
        at.switch_page(page).run()
        assert not at.exception
        assert on_login_form(at)
        assert [b.label for b in at.button] == ["登录"]
        assert not any(at.sidebar.get(kind) for kind in ("markdown", "toggle", "date_input", "selectbox", "button"))
        assert not (at.metric or at.dataframe or at.get("plotly_chart") or at.get("download_button"))
        shown = page_text(at)
        assert not [w for w in data_words if w in shown]
    assert opened == []


def test_a_station_user_logs_in_and_sees_its_station(users_file):
    at = session()
    log_in(at, "张三")
    assert at.session_state[auth.ACCESS] == Access(user="张三", role="station", stations=(CITY,))
    assert at.sidebar.multiselect(key="station")  # the pages, with the filter bar
    assert f"范围：{CITY}" in page_text(at)
    sidebar = [m.value for m in at.sidebar.markdown]
    assert any(labels.AUTH["who"].format(user="张三", role="供电所") in m for m in sidebar)
    assert at.sidebar.button(key="logout")
    assert at.session_state[auth.FORM_PASSWORD] == ""  # the password is not kept


def test_a_wrong_password_is_refused_and_failures_are_throttled(served, clock):
    served(max_failures=3, lockout_seconds=20, max_lockout_seconds=60)
    at = session()
    for _ in range(2):
        log_in(at, "张三", "wrong-password")
        assert on_login_form(at) and at.error[0].value == labels.AUTH["wrong"]
    log_in(at, "张三", "wrong-password")  # the third: the next try waits 20 s
    assert at.error[0].value == labels.AUTH["wrong"] + labels.AUTH["throttled"].format(seconds=20)
    clock.now += 19
    log_in(at, "张三")  # the right password, too early: not even checked
    assert on_login_form(at) and at.error[0].value == labels.AUTH["throttled"].format(seconds=1)
    assert auth.ACCESS not in at.session_state

    other = session()  # another session, the same name: held too
    log_in(other, "张三")
    assert on_login_form(other) and other.error[0].value == labels.AUTH["throttled"].format(seconds=1)
    log_in(other, "老王")  # another name from a fresh session is not
    assert other.session_state[auth.ACCESS].user == "老王"

    clock.now += 1
    log_in(at, "张三")
    assert at.session_state[auth.ACCESS].user == "张三"


def test_one_session_trying_many_names_is_throttled_too(served, clock):
    served(max_failures=2, lockout_seconds=30, max_lockout_seconds=30)
    at = session()
    log_in(at, "甲", "guess-one")
    log_in(at, "乙", "guess-two")
    log_in(at, "老王")  # a name with no failures, but this session has two
    assert on_login_form(at) and at.error[0].value == labels.AUTH["throttled"].format(seconds=30)


def test_an_idle_session_ends_and_asks_to_log_in_again(users_file, clock):
    at = session()
    log_in(at, "张三")
    clock.now += 30 * 60  # 30 minutes without a click: still in
    at.run()
    assert at.session_state[auth.ACCESS].user == "张三"
    clock.now += 30 * 60 + 1  # then 30 minutes and a second
    at.run()
    assert on_login_form(at) and at.error[0].value == labels.AUTH["expired"]
    assert auth.ACCESS not in at.session_state and "station" not in at.session_state


def test_a_removed_user_or_a_new_password_ends_the_session(users_file, hashed):
    at = session()
    log_in(at, "张三")
    book = users.load(users_file)
    users.save(users.with_user(book, users.User("张三", "station", users.hash_password("new-password-1"),
                                                stations=(CITY,))))
    at.run()
    assert on_login_form(at) and at.error[0].value == labels.AUTH["changed"]


def test_logout_ends_the_session(users_file):
    at = session()
    log_in(at, "老王")
    at.sidebar.multiselect(key="station").set_value([CITY]).run()
    at.sidebar.button(key="logout").click().run()
    assert on_login_form(at) and at.info[0].value == labels.AUTH["logged_out"]
    assert auth.ACCESS not in at.session_state and auth.LOGIN not in at.session_state
    assert "station" not in at.session_state  # the next user starts afresh


def test_the_contacts_toggle_is_absent_for_a_role_without_contacts(served, clock):
    served(contacts_roles=["manager"])
    toggles = {"pages/arrears.py": "arrears_show_personal", "pages/collectors.py": "collectors_show_personal",
               "pages/posting.py": "posting_show_personal", "pages/key_accounts.py": "key_accounts_show_personal"}
    for name, expected in (("张三", False), ("老王", True)):
        at = session()
        log_in(at, name)
        for page, key in toggles.items():
            at.switch_page(page).run()
            assert not at.exception
            assert bool([t for t in at.toggle if t.key == key]) is expected, (name, page)


def test_the_contacts_toggle_is_absent_in_presentation_mode(users_file):
    at = session()
    log_in(at, "老王")
    at.switch_page("pages/arrears.py").run()
    assert at.toggle(key="arrears_show_personal")
    at.sidebar.toggle(key="present").set_value(True).run()
    assert not [t for t in at.toggle if t.key == "arrears_show_personal"]


def audit_rows(users_file) -> pl.DataFrame:
    return audit.read(users.load(users_file).audit_path())


def test_a_reveal_is_logged_once_per_turning_on_with_the_rows_shown(users_file):
    at = session()
    log_in(at, "老王")
    at.switch_page("pages/arrears.py").run()
    assert audit_rows(users_file).is_empty()  # masked lists are not logged
    at.toggle(key="arrears_show_personal").set_value(True).run()
    shown = {len(df.value) for df in at.dataframe if "户名" in df.value.columns}  # the lists with full names
    logged = audit_rows(users_file)
    assert set(logged["action"]) == {"reveal"} and set(logged["user"]) == {"老王"}
    assert set(logged["role"]) == {"manager"} and set(logged["page"]) == {labels.PAGE_TITLE["arrears"]}
    assert set(logged["rows"]) == shown and logged.height == 3  # 欠费户明细, 在途付款, 银行代扣不足提醒
    assert set(logged["detail"]) == {"欠费户明细", "在途付款", "银行代扣不足提醒"}
    assert all(s.startswith("全部供电所｜数据截至 2022 年 6 月 30 日") for s in logged["scope"])

    at.run()  # the same lists again: not logged again
    assert audit_rows(users_file).height == 3
    at.sidebar.multiselect(key="station").set_value([CITY]).run()  # other rows: logged
    narrowed = audit_rows(users_file).filter(pl.col("id") > 3)
    assert narrowed.height == 3 and all(s.startswith(CITY) for s in narrowed["scope"])
    at.toggle(key="arrears_show_personal").set_value(False).run()
    at.toggle(key="arrears_show_personal").set_value(True).run()  # turned on again: logged again
    assert audit_rows(users_file).height == 9


def test_a_download_with_contacts_is_logged_with_its_rows_and_a_masked_one_is_not(users_file, monkeypatch):
    made = record_downloads(monkeypatch)
    at = session()
    log_in(at, "老王")
    at.switch_page("pages/arrears.py").run()

    def download(key: str) -> bytes:
        (button,) = [b for b in at.get("download_button") if key in b.proto.id]
        return made[button.proto.deferred_file_id]()

    masked = download("arrears_accounts_csv")
    assert audit_rows(users_file).is_empty()
    at.toggle(key="arrears_show_personal").set_value(True).run()
    reveals = audit_rows(users_file).height
    data = download("arrears_accounts_csv").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data)))
    assert "联系电话" in lines[0] and masked != data.encode()
    logged = audit_rows(users_file)
    assert logged.height == reveals + 1
    row = logged.row(0, named=True)  # newest first
    assert (row["action"], row["user"], row["rows"]) == ("download", "老王", len(lines) - 1)
    assert row["detail"].startswith("欠费户明细_") and row["detail"].endswith(".csv")


def test_the_chase_list_files_are_logged_when_they_carry_contacts(users_file, monkeypatch):
    made = record_downloads(monkeypatch)
    at = session()
    log_in(at, "老王")
    at.switch_page("pages/collectors.py").run()
    at.toggle(key="collectors_show_personal").set_value(True).run()
    before = audit_rows(users_file).height
    (button,) = [b for b in at.get("download_button") if "collectors_xlsx_one" in b.proto.id]
    made[button.proto.deferred_file_id]()
    row = audit_rows(users_file).row(0, named=True)
    assert audit_rows(users_file).height == before + 1
    assert (row["action"], row["page"]) == ("download", labels.PAGE_TITLE["collectors"])
    chase = [df for df in at.dataframe if "联系电话" in df.value.columns and "提醒短信" not in df.value.columns]
    assert row["rows"] == len(chase[0].value)  # the one collector's chase list, as shown


def test_the_audit_page_is_for_managers_only(users_file):
    station = session()
    log_in(station, "张三")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        station.switch_page("pages/audit.py")  # not registered for this role

    at = session()
    log_in(at, "老王")
    at.switch_page("pages/arrears.py").run()
    at.toggle(key="arrears_show_personal").set_value(True).run()
    audit.append(users.load(users_file).audit_path(), audit.Entry(
        at=audit.now(), user="张三", role="station", action="download", page="欠费分析", scope=CITY, rows=4,
        detail="欠费户明细.csv"))
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert at.title[0].value == labels.PAGE_TITLE["audit"]
    assert at.success[0].value == labels.AUDIT["intact"]
    (table,) = at.dataframe
    assert table.value["用户"].to_list() == ["张三", "老王", "老王", "老王"]  # newest first
    assert table.value["操作"].to_list() == ["下载含联系方式的文件", *["显示联系方式"] * 3]
    assert table.value["角色"].to_list() == ["供电所", "经理", "经理", "经理"]
    at.multiselect(key="audit_users").set_value(["张三"]).run()
    (table,) = at.dataframe
    assert table.value["行数"].to_list() == [4]
    at.date_input(key="audit_days").set_value((dt.date(2020, 1, 1), dt.date(2020, 1, 31))).run()
    assert not at.dataframe and at.info[0].value == labels.AUDIT["none"]


def test_without_a_users_file_the_local_manager_is_said_in_the_sidebar():
    at = session()
    assert at.session_state[auth.ACCESS] == Access.local_manager()
    assert any(labels.AUTH["local"] in m.value for m in at.sidebar.markdown)
    assert not [b for b in at.sidebar.button if b.key == "logout"]


def test_a_users_file_that_cannot_be_used_lets_nobody_in(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    path.write_text("[settings]\nidle_minutes = -1\n", encoding="utf-8")
    monkeypatch.setenv("FEE_USERS_FILE", str(path))
    at = session()
    assert at.error[0].value == labels.AUTH["users_broken"] and not at.text_input and not at.sidebar.multiselect


@pytest.fixture
def started(monkeypatch):
    """launch() up to Streamlit's own main: the argv it would run with, or the exit status."""
    import streamlit.web.cli

    seen = {}

    def fake_main():
        seen["argv"] = list(sys.argv)
        return 0

    monkeypatch.setattr(streamlit.web.cli, "main", fake_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)

    def start(*argv: str):
        with pytest.raises(SystemExit) as end:
            launch.launch("dashboard.py", list(argv))
        return seen.get("argv") if end.value.code == 0 else end.value.code
    return start


def test_without_a_users_file_the_server_listens_on_this_machine_only(started, capsys):
    assert started() == ["streamlit", "run", "--server.address", "127.0.0.1", "dashboard.py"]
    assert started("--server.address", "localhost")[2:4] == ["--server.address", "localhost"]
    assert started("--server.address", "0.0.0.0") == 2
    assert "127.0.0.1" in capsys.readouterr().err
    assert started("--server.address=192.168.1.10") == 2


def test_with_a_users_file_the_server_listens_on_the_network(started, tmp_path):
    path = str(tmp_path / "users.toml")
    assert started("--users", path) == ["streamlit", "run", "--server.address", "0.0.0.0", "dashboard.py",
                                        "--", "--users", path]
    assert started("--users", path, "--server.address", "10.0.0.5")[2:4] == ["--server.address", "10.0.0.5"]


@pytest.mark.parametrize("address, local", [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True),
                                            ("::ffff:127.0.0.1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("10.1.2.3", False), ("::", False),
                                            ("example.com", False)])
def test_which_addresses_are_this_machine(address, local):
    assert launch.is_loopback(address) is local
