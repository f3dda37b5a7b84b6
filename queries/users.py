"""The users file (docs/DATA.md §8): who may log in, with which role and rows,
their password hashes (Argon2id, argon2-cffi), and the login settings of a deployment,
among them single sign-on: whether a company's identity provider (OpenID Connect, Streamlit's
st.login) may sign people in, and which claims of its ID token give their role and rows.

A TOML file, written whole by `python -m queries users add|remove` (queries/__main__.py) and
read by the app on every run (ui/auth.py), so a removed user or a changed role or password
takes effect at the next click. Nothing here imports streamlit; the clock of the throttle and
of idle sessions is passed in, so tests give a fake one."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import labels
from .access import Access

ROLES = ("manager", "station", "collector")
MIN_PASSWORD = 8        # characters
MAX_NAME = 64           # characters of a user, station or collector name
FORGET_SECONDS = 3600   # failures older than this (since the last one) are forgotten
WORDS = labels.USERS


class UsersFileError(Exception):
    """The users file cannot be used; str(exc) says which file and why, in Chinese. The app
    then lets nobody in (fail closed)."""


@dataclass(frozen=True)
class Settings:
    """The [settings] of a users file; every key may be left out (these defaults)."""

    idle_minutes: int = 30            # a session with no click for this long is logged out
    max_failures: int = 5             # failed logins (per user name, per session) before waiting
    lockout_seconds: int = 30         # the first wait; it doubles with each further failure …
    max_lockout_seconds: int = 900    # … up to this
    contacts_roles: tuple[str, ...] = ROLES  # roles that may reveal full names and phones
    station_branch_ranking: bool = False     # may station users see branch-wide rankings
    audit_log: str = ""               # the audit database; "" = <users file>.audit.sqlite beside it
    sso: bool = False                 # offer 统一身份认证登录 (st.login; [auth] in Streamlit's secrets)
    sso_user_claim: str = "preferred_username"  # the ID token's claim naming the user (else its sub)
    sso_role_claim: str = "fee_role"            # … giving the role: manager | station | collector
    sso_station_claim: str = "fee_stations"     # … a station user's stations (a name or a list)
    sso_collector_claim: str = "fee_collector"  # … a collector user's meter_reader name

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row before the next try."""
        if failures < self.max_failures:
            return 0.0
        return float(min(self.lockout_seconds * 2 ** min(failures - self.max_failures, 30), self.max_lockout_seconds))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str                      # the Argon2id hash, never the password
    stations: tuple[str, ...] = ()     # role station
    collector: str | None = None       # role collector: the meter_reader name


@dataclass(frozen=True)
class UsersFile:
    path: Path
    settings: Settings = field(default_factory=Settings)
    users: dict[str, User] = field(default_factory=dict)

    def access_of(self, name: str) -> Access:
        """The Access of a user of this file (KeyError for a name it does not have)."""
        user = self.users[name]
        return Access(user=user.name, role=user.role,
                      stations=user.stations if user.role == "station" else (),
                      collector=user.collector if user.role == "collector" else None,
                      contacts=user.role in self.settings.contacts_roles,
                      branch_ranking=user.role == "station" and self.settings.station_branch_ranking)

    def audit_path(self) -> Path:
        """The audit database: the setting (relative to this file's folder), else beside this file."""
        given = self.settings.audit_log.strip()
        if given:
            return (self.path.parent / Path(given).expanduser()).resolve()
        return self.path.with_name(self.path.stem + ".audit.sqlite")

    def sso_access(self, claims: Mapping) -> Access:
        """The Access of someone signed in through the identity provider, from the claims of
        their ID token (st.user) read by this file's settings; SsoRefused, saying why in
        Chinese, when they give no role or no rows (fail closed: such a person sees nothing)."""
        s = self.settings
        name = sso_user(claims, s)
        if not name:
            raise SsoRefused(WORDS["sso_no_user"].format(claim=s.sso_user_claim))
        role = claims.get(s.sso_role_claim)
        if role is None:
            raise SsoRefused(WORDS["sso_no_role"].format(user=name, claim=s.sso_role_claim))
        if not isinstance(role, str) or role not in ROLES:
            raise SsoRefused(WORDS["sso_bad_role"].format(user=name, claim=s.sso_role_claim, value=role,
                                                          roles="、".join(ROLES)))
        stations: tuple[str, ...] = ()
        collector = None
        if role == "station":
            given = claims.get(s.sso_station_claim)
            given = [given] if isinstance(given, str) else given
            if isinstance(given, list) and all(isinstance(v, str) for v in given):
                stations = tuple(dict.fromkeys(v.strip() for v in given if v.strip()))
            if not stations:
                raise SsoRefused(WORDS["sso_no_stations"].format(user=name, claim=s.sso_station_claim))
        elif role == "collector":
            collector = claims.get(s.sso_collector_claim)
            if not isinstance(collector, str) or not collector.strip():
                raise SsoRefused(WORDS["sso_no_collector"].format(user=name, claim=s.sso_collector_claim))
            collector = collector.strip()
        return Access(user=name, role=role, stations=stations, collector=collector,
                      contacts=role in s.contacts_roles,
                      branch_ranking=role == "station" and s.station_branch_ranking)


class SsoRefused(Exception):
    """A sign-in through the identity provider whose claims give no role or rows here;
    str(exc) says which claim, in Chinese."""


def sso_user(claims: Mapping, settings: Settings) -> str:
    """The name of someone signed in through the identity provider: the `sso_user_claim` of
    their ID token, else its subject (`sub`, always there), so the audit log names them."""
    for claim in (settings.sso_user_claim, "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


# --- passwords ------------------------------------------------------------------------------

_hasher = PasswordHasher()  # Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile)
_dummy: list[str] = []      # a hash to check unknown names against, so they take as long


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return WORDS["short_password"].format(n=MIN_PASSWORD)
    return None


def verify(users: UsersFile, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None. An unknown name costs one hash
    check too, so the time taken does not tell which names exist."""
    user = users.users.get(name)
    if not _dummy:
        _dummy.append(_hasher.hash(secrets.token_hex(16)))
    try:
        _hasher.verify(user.password if user else _dummy[0], password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def digest(user: User) -> str:
    """A short fingerprint of a user's hash and rights: a session remembers it at login and
    ends when it changes (a new password or role)."""
    text = "\x1f".join([user.password, user.role, *user.stations, user.collector or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- sessions and throttling ----------------------------------------------------------------

@dataclass(frozen=True)
class Login:
    """A logged-in session: who, the fingerprint of their entry at login, the last click."""

    user: str
    digest: str
    last_seen: float

    def expired(self, now: float, settings: Settings) -> bool:
        return now - self.last_seen > settings.idle_minutes * 60

    def current(self, users: UsersFile, now: float) -> bool:
        """Still good: the user is still in the file, unchanged, and was not idle too long."""
        user = users.users.get(self.user)
        return user is not None and digest(user) == self.digest and not self.expired(now, users.settings)


class Throttle:
    """Failed logins per key (a user name, a session). After `max_failures` in a row, the next
    try is refused until `Settings.delay` has passed since the last failure; tries refused so
    are not checked and not counted. A success clears the key; a key with no failure for an
    hour is forgotten. Shared by every session of a server (a lock guards it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[tuple, tuple[int, float]] = {}  # key → (failures in a row, time of the last)
        self._lock = threading.Lock()

    def wait(self, key: tuple, settings: Settings) -> float:
        """Seconds before `key` may try again; 0 when it may now."""
        with self._lock:
            count, last = self._failures.get(key, (0, 0.0))
            return max(0.0, last + settings.delay(count) - self.clock()) if count else 0.0

    def failed(self, key: tuple) -> None:
        with self._lock:
            now = self.clock()
            self._forget(now)
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, now)

    def succeeded(self, key: tuple) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _forget(self, now: float) -> None:
        for key in [k for k, (_, last) in self._failures.items() if now - last > FORGET_SECONDS]:
            del self._failures[key]


def sign_in_key(claims: Mapping) -> str:
    """One sign-in through the identity provider, as named by its ID token: the issuer, the
    subject and the nonce (new at every sign-in), or the time of issue if there is none."""
    parts = [claims.get("iss"), claims.get("sub"), claims.get("nonce") or claims.get("iat")]
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


class SignIns:
    """Sign-ins through the identity provider, each with the time of its last click, so that
    `idle_minutes` holds for them as for a password login. Streamlit keeps a sign-in in a
    browser cookie for 30 days and signs every new session of that browser (a new tab, a
    reload) in with it; here a sign-in is good only while
    - it was first used within `idle_minutes` of its ID token's issue (`iat`, wall clock),
    - no gap between two clicks of its sessions was longer than `idle_minutes`,
    - and it was not logged out.
    Shared by every session of a server; kept in memory, so after a restart a sign-in older
    than `idle_minutes` must sign in again. Entries that can no longer be good are forgotten an
    hour later: a sign-in idle or logged out that long ago was also issued before that."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.clock, self.wall = clock, wall
        self._seen: dict[str, tuple[float, bool]] = {}  # key → (last click or logout, ended)
        self._lock = threading.Lock()

    def use(self, key: str, issued_at, settings: Settings) -> bool:
        """A run of a session signed in with `key`: True, and the click remembered, if the
        sign-in is still good; False if it went idle, was logged out or is too old."""
        idle = settings.idle_minutes * 60
        with self._lock:
            now = self.clock()
            known = self._seen.get(key)
            if known is None:
                fresh = isinstance(issued_at, int | float) and not isinstance(issued_at, bool) \
                    and self.wall() - issued_at <= idle
                if not fresh:
                    return False
            elif known[1] or now - known[0] > idle:
                return False
            self._seen[key] = (now, False)
            for k in [k for k, (last, _) in self._seen.items() if now - last > idle + FORGET_SECONDS]:
                del self._seen[k]
            return True

    def current(self, key: str, settings: Settings) -> bool:
        """Still good, without counting as a click (the check of a page left open)."""
        with self._lock:
            known = self._seen.get(key)
            return known is not None and not known[1] and self.clock() - known[0] <= settings.idle_minutes * 60

    def end(self, key: str) -> None:
        """退出登录: the sign-in is good no more, in any session."""
        with self._lock:
            self._seen[key] = (self.clock(), True)


# --- reading and writing the file -----------------------------------------------------------

def load(path: str | os.PathLike) -> UsersFile:
    """The users file at `path`, checked; UsersFileError if it is missing or cannot be used."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsersFileError(WORDS["missing"].format(file=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(WORDS["unreadable"].format(file=path, error=exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsersFileError(WORDS["bad_toml"].format(file=path, error=exc)) from None
    return _checked(path, raw)


def load_or_new(path: str | os.PathLike) -> UsersFile:
    """For `users add`: the file, or a new one with the default settings if there is none."""
    path = Path(path)
    if not path.exists():
        return UsersFile(path=path)
    return load(path)


def _checked(path: Path, raw: dict) -> UsersFile:
    def bad(what: str) -> UsersFileError:
        return UsersFileError(WORDS["bad_file"].format(file=path, what=what))

    unknown = set(raw) - {"settings", "users"}
    if unknown:
        raise bad(WORDS["unknown_keys"].format(where=WORDS["top_level"], keys="、".join(sorted(unknown))))
    settings = _settings(raw.get("settings", {}), bad)
    entries = raw.get("users", [])
    if not isinstance(entries, list):
        raise bad(WORDS["users_not_list"])
    users: dict[str, User] = {}
    for i, entry in enumerate(entries, 1):
        user = _user(entry, i, bad)
        if user.name in users:
            raise bad(WORDS["duplicate"].format(name=user.name))
        users[user.name] = user
    return UsersFile(path=path, settings=settings, users=users)


def _settings(raw, bad) -> Settings:
    if not isinstance(raw, dict):
        raise bad(WORDS["settings_not_table"])
    known = {f.name: f for f in fields(Settings)}
    unknown = set(raw) - set(known)
    if unknown:
        raise bad(WORDS["unknown_keys"].format(where="[settings]", keys="、".join(sorted(unknown))))
    values = {}
    for key, value in raw.items():
        default = getattr(Settings(), key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = type(value) is int and value >= 1
        elif isinstance(default, tuple):
            ok = isinstance(value, list) and all(v in ROLES for v in value)
            value = tuple(dict.fromkeys(value)) if ok else value
        elif key.endswith("_claim"):
            ok = isinstance(value, str) and bool(value.strip()) and value == value.strip()
        else:
            ok = isinstance(value, str)
        if not ok:
            raise bad(WORDS["bad_setting"].format(key=key, rule=WORDS["setting_rule"][key], value=value))
        values[key] = value
    settings = Settings(**values)
    if settings.max_lockout_seconds < settings.lockout_seconds:
        raise bad(WORDS["bad_setting"].format(key="max_lockout_seconds", rule=WORDS["setting_rule"]["max_lockout_seconds"],
                                              value=settings.max_lockout_seconds))
    return settings


def _user(entry, i: int, bad) -> User:
    where = WORDS["entry"].format(i=i)
    if not isinstance(entry, dict):
        raise bad(WORDS["entry_not_table"].format(where=where))
    unknown = set(entry) - {"name", "role", "password", "stations", "collector"}
    if unknown:
        raise bad(WORDS["unknown_keys"].format(where=where, keys="、".join(sorted(unknown))))
    name, role, password = entry.get("name"), entry.get("role"), entry.get("password")
    stations, collector = entry.get("stations", []), entry.get("collector")
    if not isinstance(name, str) or name_problem(name):
        raise bad(WORDS["bad_name"].format(where=where, value=name))
    where = WORDS["user"].format(name=name)
    if role not in ROLES:
        raise bad(WORDS["bad_role"].format(where=where, value=role, roles="、".join(ROLES)))
    if not isinstance(password, str) or not password.startswith("$argon2"):
        raise bad(WORDS["bad_hash"].format(where=where))
    if not isinstance(stations, list) or not all(isinstance(s, str) for s in stations):
        raise bad(WORDS["bad_stations"].format(where=where))
    if collector is not None and not isinstance(collector, str):
        raise bad(WORDS["bad_collector"].format(where=where))
    return User(name=name, role=role, password=password, stations=tuple(stations), collector=collector)


def name_problem(name: str) -> str | None:
    """Why a user, station or collector name is refused, or None."""
    if not name or name != name.strip():
        return WORDS["name_blank"]
    if len(name) > MAX_NAME:
        return WORDS["name_long"].format(n=MAX_NAME)
    if any(unicodedata.category(c) == "Cc" for c in name):
        return WORDS["name_control"]
    return None


def with_user(users: UsersFile, user: User) -> UsersFile:
    return replace(users, users={**users.users, user.name: user})


def without_user(users: UsersFile, name: str) -> UsersFile:
    return replace(users, users={k: u for k, u in users.users.items() if k != name})


def _string(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cc" else c for c in escaped) + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_string(v) for v in value) + "]"
    return _string(value)


def to_toml(users: UsersFile) -> str:
    """The file's text: a header, every setting with a comment saying what it does, the users."""
    notes = WORDS["file_comments"]
    lines = [f"# {line}" for line in notes["header"]] + ["", "[settings]"]
    for f in fields(Settings):
        lines.append(f"# {notes[f.name]}")
        lines.append(f"{f.name} = {_value(getattr(users.settings, f.name))}")
    for user in users.users.values():
        lines += ["", "[[users]]", f"name = {_string(user.name)}", f"role = {_string(user.role)}"]
        if user.stations:
            lines.append(f"stations = {_value(user.stations)}")
        if user.collector is not None:
            lines.append(f"collector = {_string(user.collector)}")
        lines.append(f"password = {_string(user.password)}")
    return "\n".join(lines) + "\n"


def save(users: UsersFile) -> None:
    """Write the file whole, atomically (a reader never sees half of it), readable by its owner
    only when new (it holds password hashes); an existing file keeps its permissions."""
    path = users.path
    text = to_toml(users)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
