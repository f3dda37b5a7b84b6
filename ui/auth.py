"""Who is looking (docs/DATA.md §8). ui/app.main() asks `who()` before anything else:

- without a users file, the local manager, to clients on this machine only;
- with one (`--users FILE` given to dashboard.py, or $FEE_USERS_FILE), the user logged in
  in this session, or a `Closed` door: the login form (用户名, 密码, 登录), or why nobody can
  log in. Nothing from the data is drawn (the extract is not even opened) before login.

The file is read again on every run, so a removed user, a new password or a new role ends a
session at its next click; a session idle longer than `idle_minutes` ends too. Failed logins
are throttled per user name and per session (queries/users.Throttle): after `max_failures`
failures in a row, a wait of `lockout_seconds`, doubling with each further failure up to
`max_lockout_seconds`. The Access of the session is kept in st.session_state["fee_access"].

Single sign-on, beside the password form: when the file's settings say `sso = true` and
Streamlit's secrets have an [auth] section (an OpenID Connect provider), the form offers
统一身份认证登录 (st.login). Whoever comes back signed in (st.user) gets the Access their ID
token's claims give under the file's settings (queries/users.UsersFile.sso_access), read again
on every run; claims that give no role or rows let them see nothing and say why. Idle sign-ins
end as password logins do (queries/users.SignIns); 退出登录 also signs out (st.logout)."""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAuthError

from queries import audit, labels, users
from queries.access import Access

from . import data, frame

USERS_ENV = "FEE_USERS_FILE"
ACCESS, LOGIN, NOTICE, TOKEN = "fee_access", "fee_login", "fee_login_notice", "fee_session"
SIGN_IN = "fee_sign_in"  # session state: this session's sign-in through the identity provider
FORM_USER, FORM_PASSWORD = "login_user", "login_password"
WORDS = labels.AUTH

clock = time.monotonic  # the clock of idle sessions and of the throttle; tests swap in a fake
throttle = users.Throttle(clock=lambda: clock())  # one for the server: every session's failures
sign_ins = users.SignIns(clock=lambda: clock())   # one for the server: every sign-in's last click


@dataclass(frozen=True)
class Closed:
    """No Access this run: why, drawn in place of the pages."""

    kind: str               # "login" | "broken" | "remote" | "refused" (a sign-in with no role)
    path: Path | None = None
    message: str = ""

    def show(self) -> None:
        if self.kind == "login":
            _login_form(self.path)
        elif self.kind in ("broken", "refused"):
            st.title(labels.APP_TITLE)
            st.error(WORDS["users_broken" if self.kind == "broken" else "sso_refused"], icon=":material/lock:")
            frame.text(self.message)
            if self.kind == "refused":
                st.caption(WORDS["sso_refused_help"])
                st.button(WORDS["logout"], key="logout", on_click=logout, icon=":material/logout:")
            else:
                st.caption(labels.FRAME["fix_and_refresh"])
        else:
            st.title(labels.APP_TITLE)
            st.error(WORDS["not_local"], icon=":material/lock:")
            st.caption(WORDS["not_local_help"])


def users_file() -> Path | None:
    """`--users FILE` given to dashboard.py, else $FEE_USERS_FILE, else None (local mode)."""
    given = data.script_arguments()
    path = (given.users if given else None) or os.environ.get(USERS_ENV)
    return Path(path) if path else None


_cache: dict[str, tuple[tuple, users.UsersFile]] = {}
_cache_lock = threading.Lock()


def load(path: Path) -> users.UsersFile:
    """The users file, read again whenever it changes; UsersFileError if it cannot be used."""
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        key = None
    with _cache_lock:
        known = _cache.get(str(path))
    if key is not None and known and known[0] == key:
        return known[1]
    book = users.load(path)
    if key is not None:
        with _cache_lock:
            _cache[str(path)] = (key, book)
    return book


def audit_path() -> Path:
    """Where reveals and downloads are logged: the users file's setting or beside it; without
    a users file, $FEE_AUDIT_LOG or the user's state folder (queries/audit.default_path)."""
    path = users_file()
    return load(path).audit_path() if path else audit.default_path()


def who() -> Access | Closed:
    """The Access of this run (also kept in st.session_state["fee_access"]), or a Closed door."""
    state = st.session_state
    path = users_file()
    if path is None:
        if not _local_client():
            state.pop(ACCESS, None)
            return Closed("remote")
        state[ACCESS] = Access.local_manager()
        return state[ACCESS]
    try:
        book = load(path)
    except users.UsersFileError as exc:
        state.pop(ACCESS, None)
        return Closed("broken", path, str(exc))
    login = state.get(LOGIN)
    if login is not None:
        now = clock()
        if login.current(book, now):
            state[LOGIN] = replace(login, last_seen=now)
            state.pop(SIGN_IN, None)
            state[ACCESS] = book.access_of(login.user)
            return state[ACCESS]
        _end_session("expired" if login.expired(now, book.settings) else "changed")
    if sso_ready(book) and st.user.get("is_logged_in") is True:
        return _signed_in(book)
    state.pop(ACCESS, None)
    state.pop(SIGN_IN, None)
    return Closed("login", path)


def sso_ready(book: users.UsersFile) -> bool:
    """Single sign-on is offered: the users file says `sso = true` and Streamlit's secrets
    have an [auth] section (st.login's provider)."""
    if not book.settings.sso:
        return False
    try:
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except Exception:  # noqa: BLE001 — secrets that cannot be read configure no provider
        return False


def _signed_in(book: users.UsersFile) -> Access | Closed:
    """The Access of this session's sign-in through the identity provider, or why none."""
    state = st.session_state
    claims = st.user.to_dict()
    key = users.sign_in_key(claims)
    if not sign_ins.use(key, claims.get("iat"), book.settings):
        state.pop(ACCESS, None)
        state.pop(SIGN_IN, None)
        state[NOTICE] = ("error", WORDS["expired"])
        return Closed("login", book.path)
    state[SIGN_IN] = key
    try:
        state[ACCESS] = book.sso_access(claims)
    except users.SsoRefused as exc:
        state.pop(ACCESS, None)
        return Closed("refused", book.path, str(exc))
    return state[ACCESS]


def _local_client() -> bool:
    """The browser runs on this machine (or the run has no client, as in a test)."""
    ip = st.context.ip_address  # None for 127.0.0.1 and ::1, and without a client
    if not isinstance(ip, str):  # (AppTest's stand-in runtime gives a mock)
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def _token() -> str:
    """This session's own name for the throttle; kept across logout."""
    if TOKEN not in st.session_state:
        st.session_state[TOKEN] = secrets.token_hex(16)
    return st.session_state[TOKEN]


def _login_form(path: Path) -> None:
    st.title(labels.APP_TITLE)
    st.subheader(WORDS["login_title"])
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        kind, text = notice
        (st.error if kind == "error" else st.info)(text, icon=":material/lock:" if kind == "error" else None)
    left, _ = st.columns([2, 3])
    try:
        book = load(path)
    except users.UsersFileError:
        book = None
    if book is not None and book.settings.sso:
        if not sso_ready(book):
            left.warning(WORDS["sso_unconfigured"])
        else:
            if left.button(WORDS["sso_login"], key="sso_login", type="primary", icon=":material/badge:"):
                try:
                    st.login()
                except StreamlitAuthError as exc:  # [auth] without a key st.login needs
                    left.error(WORDS["sso_broken"], icon=":material/lock:")
                    frame.text(str(exc), container=left)
            left.caption(WORDS["sso_caption"])
            if not book.users:
                return  # no password users: single sign-on only
            left.caption(WORDS["or_password"])
    with left.form("login", border=True, enter_to_submit=True):
        st.text_input(WORDS["user"], key=FORM_USER, autocomplete="username", max_chars=users.MAX_NAME)
        st.text_input(WORDS["password"], key=FORM_PASSWORD, type="password", autocomplete="current-password",
                      max_chars=1024)
        st.form_submit_button(WORDS["login"], type="primary", on_click=_try_login, args=(path,),
                              icon=":material/login:")
    st.caption(WORDS["login_caption"])


def _try_login(path: Path) -> None:
    """The form's callback: check the name and password (unless throttled) before the run."""
    state = st.session_state
    name = (state.get(FORM_USER) or "").strip()
    password = state.get(FORM_PASSWORD) or ""
    state[FORM_PASSWORD] = ""  # never kept in the session
    try:
        book = load(path)
    except users.UsersFileError:
        return  # the run that follows says why
    keys = [("user", name), ("session", _token())]
    wait = max(throttle.wait(k, book.settings) for k in keys)
    if wait:
        state[NOTICE] = ("error", WORDS["throttled"].format(seconds=math.ceil(wait)))
        return
    if not name or not password:
        state[NOTICE] = ("error", WORDS["empty"])
        return
    user = users.verify(book, name, password)
    if user is None:
        for key in keys:
            throttle.failed(key)
        wait = max(throttle.wait(k, book.settings) for k in keys)
        state[NOTICE] = ("error", WORDS["wrong"] + (WORDS["throttled"].format(seconds=math.ceil(wait)) if wait else ""))
        return
    for key in keys:
        throttle.succeeded(key)
    state[FORM_USER] = ""
    state[LOGIN] = users.Login(user=user.name, digest=users.digest(user), last_seen=clock())


def _end_session(why: str) -> None:
    """Forget everything this session held (filters, toggles, the login), keep its throttle
    name, and say why at the login form."""
    state = st.session_state
    token = state.get(TOKEN)
    for key in list(state.keys()):
        try:
            del state[key]
        except Exception:  # noqa: BLE001 — a key Streamlit will not let go of is left as it is
            pass
    if token:
        state[TOKEN] = token
    state[NOTICE] = ("info" if why == "logged_out" else "error", WORDS[why])


def logout() -> None:
    """退出登录; a session signed in through the identity provider also signs out there
    (st.logout clears Streamlit's cookie and goes through the provider's end-session page)."""
    key = st.session_state.get(SIGN_IN)
    _end_session("logged_out")
    if key:
        sign_ins.end(key)
        st.logout()


IDLE_CHECK_SECONDS = 60  # how often an open page checks whether its session has gone idle


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def _idle_watch() -> None:
    """A page left open clears itself within a minute of its session going idle: the check
    reruns the app, which then shows the login form. It draws nothing and is no click."""
    login, sign_in, path = st.session_state.get(LOGIN), st.session_state.get(SIGN_IN), users_file()
    if (login is None and sign_in is None) or path is None:
        return
    try:
        book = load(path)
        gone = not login.current(book, clock()) if login else not sign_ins.current(sign_in, book.settings)
    except users.UsersFileError:
        gone = True
    if gone:
        st.rerun(scope="app")


def sidebar(access: Access) -> None:
    """Who is looking, at the foot of the sidebar: the user, role and rows with 退出登录, or
    that this is the local manager on this machine."""
    bar = st.sidebar
    if not access.user:
        frame.text(WORDS["local"], "fee-caption", bar)
        return
    _idle_watch()
    frame.text(WORDS["who"].format(user=access.user, role=labels.ROLE.get(access.role, access.role)),
               "fee-caption", bar)
    if st.session_state.get(SIGN_IN):
        frame.text(WORDS["via_sso"], "fee-caption", bar)
    if access.role == "station":
        frame.text(WORDS["who_scope"].format(scope="、".join(access.stations) or labels.USERS["none"]),
                   "fee-caption", bar)
    elif access.role == "collector":
        frame.text(WORDS["who_scope"].format(scope=labels.USERS["of_collector"].format(collector=access.collector)),
                   "fee-caption", bar)
    bar.button(WORDS["logout"], key="logout", on_click=logout, icon=":material/logout:")
