"""docs/DATA.md §8: the users file and `python -m queries users add|remove|list`; Argon2 hashes,
never passwords; the Access of each role; throttled failures and idle sessions on a fake
clock; the append-only audit log."""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
import stat
import tomllib
from dataclasses import replace

import pytest

from queries import audit, labels, users
from queries.__main__ import main
from queries.access import Access

PASSWORD = "铁塔-2021-回收"  # 11 characters
CITY = "城郊供电所"


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "conf" / "users.toml"


@pytest.fixture
def add(users_file, monkeypatch):
    """`users add NAME ARGS…` with FEE_PASSWORD = PASSWORD; the exit status."""
    (users_file.parent).mkdir(exist_ok=True)
    monkeypatch.setenv("FEE_PASSWORD", PASSWORD)

    def run(name: str, *args: str) -> int:
        return main(["users", "add", name, *args, "--users", str(users_file)])
    return run


def test_the_first_add_creates_the_file_with_an_argon2_hash_readable_by_its_owner_only(users_file, add, capsys):
    assert not users_file.exists()
    assert add("张三", "--role", "station", "--station", CITY) == 0
    assert "张三" in capsys.readouterr().out
    text = users_file.read_text(encoding="utf-8")
    assert PASSWORD not in text
    raw = tomllib.loads(text)
    (entry,) = raw["users"]
    assert entry["name"] == "张三" and entry["role"] == "station" and entry["stations"] == [CITY]
    assert entry["password"].startswith("$argon2id$")  # Argon2id, not a plain or fast hash
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    # the settings are written out with their defaults, for whoever edits the file by hand
    assert raw["settings"] == {"idle_minutes": 30, "max_failures": 5, "lockout_seconds": 30,
                               "max_lockout_seconds": 900, "contacts_roles": ["manager", "station", "collector"],
                               "station_branch_ranking": False, "audit_log": "",
                               "sso": False, "sso_user_claim": "preferred_username", "sso_role_claim": "fee_role",
                               "sso_station_claim": "fee_stations", "sso_collector_claim": "fee_collector"}


def test_the_password_from_fee_password_logs_in_and_a_wrong_one_is_refused(users_file, add):
    add("张三", "--role", "station", "--station", CITY)
    book = users.load(users_file)
    assert users.verify(book, "张三", PASSWORD).name == "张三"
    assert users.verify(book, "张三", PASSWORD + "x") is None
    assert users.verify(book, "张三", "") is None
    assert users.verify(book, "李四", PASSWORD) is None  # no such user


def test_without_fee_password_it_is_asked_for_twice(users_file, monkeypatch, capsys):
    users_file.parent.mkdir()
    monkeypatch.delenv("FEE_PASSWORD", raising=False)
    answers = iter(["abcdefgh", "abcdefgh", "abcdefgh", "abcdefgX"])
    prompts = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": prompts.append(prompt) or next(answers))
    assert main(["users", "add", "老王", "--role", "manager", "--users", str(users_file)]) == 0
    assert prompts == [labels.USERS["password_prompt"].format(name="老王"), labels.USERS["password_again"]]
    assert users.verify(users.load(users_file), "老王", "abcdefgh")
    # the second entry differs: nothing changes
    assert main(["users", "add", "老王", "--role", "manager", "--users", str(users_file)]) == 2
    assert labels.USERS["password_mismatch"] in capsys.readouterr().err
    assert users.verify(users.load(users_file), "老王", "abcdefgh")


def test_add_replaces_remove_removes_and_list_never_prints_a_hash(users_file, add, capsys, monkeypatch):
    add("张三", "--role", "station", "--station", CITY)
    add("李四", "--role", "collector", "--collector", "李四")
    first = users.load(users_file).users["张三"].password
    monkeypatch.setenv("FEE_PASSWORD", "another-password")
    assert add("张三", "--role", "station", "--station", CITY, "--station", "千钢供电所") == 0
    assert "已替换用户“张三”" in capsys.readouterr().out
    book = users.load(users_file)
    assert list(book.users) == ["张三", "李四"]
    assert book.users["张三"].stations == (CITY, "千钢供电所")
    assert book.users["张三"].password != first
    assert users.verify(book, "张三", PASSWORD) is None and users.verify(book, "张三", "another-password")

    assert main(["users", "list", "--users", str(users_file)]) == 0
    out = capsys.readouterr().out
    assert "张三" in out and "李四" in out and f"{CITY}、千钢供电所" in out and "抄表员/催费员" in out
    assert "$argon2" not in out and "another-password" not in out and PASSWORD not in out

    assert main(["users", "remove", "张三", "--users", str(users_file)]) == 0
    assert list(users.load(users_file).users) == ["李四"]
    assert main(["users", "remove", "张三", "--users", str(users_file)]) == 2
    assert "没有用户“张三”" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--role", "station"], "station_needs"),
    (["--role", "station", "--station", CITY, "--collector", "李四"], "station_no_collector"),
    (["--role", "collector"], "collector_needs"),
    (["--role", "collector", "--collector", "李四", "--station", CITY], "collector_no_station"),
    (["--role", "manager", "--station", CITY], "manager_scope"),
])
def test_a_role_without_its_rows_or_with_others_is_refused(users_file, add, capsys, args, message):
    assert add("某人", *args) == 2
    assert labels.USERS[message] in capsys.readouterr().err
    assert not users_file.exists()


def test_a_short_password_a_bad_name_and_no_file_are_refused(users_file, add, capsys, monkeypatch):
    assert add(" 张三", "--role", "manager") == 2
    assert add("张\n三", "--role", "manager") == 2
    monkeypatch.setenv("FEE_PASSWORD", "1234567")  # 7 characters
    assert add("张三", "--role", "manager") == 2
    assert labels.USERS["short_password"].format(n=8) in capsys.readouterr().err
    assert not users_file.exists()
    assert main(["users", "list", "--users", str(users_file)]) == 2  # list and remove never create it
    assert main(["users", "list"]) == 2
    assert labels.USERS["no_users_file"] in capsys.readouterr().err


def test_the_users_file_may_come_from_fee_users_file(users_file, add, monkeypatch, capsys):
    add("老王", "--role", "manager")
    monkeypatch.setenv("FEE_USERS_FILE", str(users_file))
    assert main(["users", "list"]) == 0
    assert "老王" in capsys.readouterr().out


def test_each_role_gets_its_access_and_the_settings_decide_contacts_and_ranking(users_file, add):
    add("老王", "--role", "manager")
    add("张三", "--role", "station", "--station", CITY)
    add("李四", "--role", "collector", "--collector", "李四")
    book = users.load(users_file)
    assert book.access_of("老王") == Access(user="老王", role="manager")
    assert book.access_of("张三") == Access(user="张三", role="station", stations=(CITY,))
    assert book.access_of("李四") == Access(user="李四", role="collector", collector="李四")
    narrowed = replace(book, settings=replace(book.settings, contacts_roles=("manager",), station_branch_ranking=True))
    assert narrowed.access_of("老王").contacts is True
    assert narrowed.access_of("张三") == Access(user="张三", role="station", stations=(CITY,), contacts=False,
                                                branch_ranking=True)
    assert narrowed.access_of("李四").contacts is False and narrowed.access_of("李四").branch_ranking is False


def test_hand_edited_settings_are_read_and_kept_by_the_next_add(users_file, add):
    add("老王", "--role", "manager")
    text = users_file.read_text(encoding="utf-8")
    users_file.write_text(text.replace("idle_minutes = 30", "idle_minutes = 10")
                          .replace('contacts_roles = ["manager", "station", "collector"]', 'contacts_roles = ["manager"]'),
                          encoding="utf-8")
    add("张三", "--role", "station", "--station", CITY)
    settings = users.load(users_file).settings
    assert settings.idle_minutes == 10 and settings.contacts_roles == ("manager",)


@pytest.mark.parametrize("edit, says", [
    (lambda t: t + "\n[extra]\n", "extra"),
    (lambda t: t.replace("idle_minutes = 30", "idle_minutes = 0"), "idle_minutes"),
    (lambda t: t.replace("idle_minutes = 30", "idle_minutes = true"), "idle_minutes"),
    (lambda t: t.replace('"collector"]', '"boss"]'), "contacts_roles"),
    (lambda t: t.replace('role = "manager"', 'role = "admin"'), "admin"),
    (lambda t: t.replace("$argon2id$", "plain"), "Argon2"),
    (lambda t: t + '\n[[users]]\nname = "老王"\nrole = "manager"\npassword = "$argon2id$x"\n', "不止一次"),
    (lambda t: t.replace("[settings]", "[settings"), "TOML"),
])
def test_a_users_file_that_cannot_be_used_is_refused_with_the_reason(users_file, add, edit, says):
    add("老王", "--role", "manager")
    users_file.write_text(edit(users_file.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(users.UsersFileError, match=says):
        users.load(users_file)


def test_a_missing_users_file_is_refused():
    with pytest.raises(users.UsersFileError, match="不存在"):
        users.load("/nonexistent/users.toml")


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_after_five_failures_each_try_waits_30_s_doubling_up_to_15_minutes():
    clock, settings = FakeClock(), users.Settings()
    throttle = users.Throttle(clock)
    key = ("user", "张三")
    for _ in range(4):
        throttle.failed(key)
        assert throttle.wait(key, settings) == 0
    throttle.failed(key)  # the fifth, at t = 1000
    assert throttle.wait(key, settings) == 30
    clock.now = 1029.5
    assert throttle.wait(key, settings) == 0.5
    assert throttle.wait(("user", "李四"), settings) == 0  # another name is not held up
    clock.now = 1030
    assert throttle.wait(key, settings) == 0
    throttle.failed(key)  # the sixth: 60 s
    assert throttle.wait(key, settings) == 60
    for expected in (120, 240, 480, 900, 900):  # 30·2^(n−5) s, at most 900 s
        clock.now += 1000
        throttle.failed(key)
        assert throttle.wait(key, settings) == expected
    throttle.succeeded(key)
    assert throttle.wait(key, settings) == 0


def test_the_limits_come_from_the_settings_and_old_failures_are_forgotten():
    clock = FakeClock()
    settings = users.Settings(max_failures=2, lockout_seconds=10, max_lockout_seconds=15)
    throttle = users.Throttle(clock)
    key = ("session", "s1")
    throttle.failed(key)
    assert throttle.wait(key, settings) == 0
    throttle.failed(key)
    assert throttle.wait(key, settings) == 10
    clock.now += 10
    throttle.failed(key)
    assert throttle.wait(key, settings) == 15  # 20, at most 15
    clock.now += users.FORGET_SECONDS + 1
    throttle.failed(("session", "s2"))  # any failure sweeps away what is an hour old
    throttle.failed(key)
    assert throttle.wait(key, settings) == 0  # counting starts again: one failure


def test_a_session_ends_after_the_idle_minutes_and_when_its_user_changes(users_file, add, monkeypatch):
    add("张三", "--role", "station", "--station", CITY)
    book = users.load(users_file)
    user = book.users["张三"]
    login = users.Login(user="张三", digest=users.digest(user), last_seen=1000.0)
    assert login.current(book, now=1000.0 + 30 * 60)       # 30 minutes idle: still in
    assert not login.current(book, now=1000.0 + 30 * 60 + 1)
    assert login.expired(1000.0 + 30 * 60 + 1, book.settings)
    short = replace(book, settings=replace(book.settings, idle_minutes=5))
    assert not login.current(short, now=1000.0 + 5 * 60 + 1)
    # a new password, a new role or a removed user ends it at once
    monkeypatch.setenv("FEE_PASSWORD", "another-password")
    add("张三", "--role", "station", "--station", CITY)
    assert not login.current(users.load(users_file), now=1001.0)
    moved = users.with_user(book, replace(user, stations=("千钢供电所",)))
    assert not login.current(moved, now=1001.0)
    assert not login.current(users.without_user(book, "张三"), now=1001.0)


def test_the_audit_log_sits_beside_the_users_file_unless_the_setting_says(users_file, add):
    add("老王", "--role", "manager")
    book = users.load(users_file)
    assert book.audit_path() == users_file.parent / "users.audit.sqlite"
    elsewhere = replace(book, settings=replace(book.settings, audit_log="../logs/audit.db"))
    assert elsewhere.audit_path() == (users_file.parent.parent / "logs" / "audit.db").resolve()


def entry(user: str, day: str, rows: int, action: str = "reveal") -> audit.Entry:
    return audit.Entry(at=f"{day}T09:00:00+08:00", user=user, role="manager", action=action, page="欠费分析",
                       scope="全部供电所｜数据截至 2022年6月30日", rows=rows, detail="欠费户明细")


def test_the_audit_log_appends_filters_and_refuses_changes(tmp_path):
    path = tmp_path / "logs" / "audit.sqlite"
    assert audit.read(path).is_empty() and audit.users_in(path) == []
    audit.append(path, entry("老王", "2026-11-01", 68))
    audit.append(path, entry("张三", "2026-11-02", 5, "download"))
    audit.append(path, entry("老王", "2026-11-03", 7))
    rows = audit.read(path)
    assert rows["id"].to_list() == [3, 2, 1]  # newest first
    assert rows.row(1, named=True) == {"id": 2, "at": "2026-11-02T09:00:00+08:00", "user": "张三", "role": "manager",
                                       "action": "download", "page": "欠费分析",
                                       "scope": "全部供电所｜数据截至 2022年6月30日", "rows": 5, "detail": "欠费户明细"}
    assert audit.users_in(path) == ["张三", "老王"]
    assert audit.read(path, users=["老王"])["rows"].to_list() == [7, 68]
    assert audit.read(path, first=dt.date(2026, 11, 2), last=dt.date(2026, 11, 2))["id"].to_list() == [2]
    assert audit.broken_at(path) is None

    con = sqlite3.connect(path)
    for statement in ("update audit_log set rows = 1 where id = 1", "delete from audit_log where id = 2"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(statement)
    # someone who drops the guard and edits a row silently is found out by the chain
    con.execute("drop trigger audit_log_no_update")
    con.execute("update audit_log set rows = 1 where id = 2")
    con.commit()
    con.close()
    assert audit.broken_at(path) == 2


def test_an_unknown_action_is_not_logged(tmp_path):
    with pytest.raises(ValueError):
        audit.append(tmp_path / "a.sqlite", entry("老王", "2026-11-01", 1, action="export"))
