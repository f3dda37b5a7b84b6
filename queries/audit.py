"""The audit log (docs/DATA.md §8): every reveal of contacts and every download
that carries them, appended to an SQLite database outside the extract.

Append-only from the app: it only inserts; triggers refuse UPDATE and DELETE; and each row
carries a hash chained to the one before, so a row changed or removed by other means shows
as a break (`broken_at`). SQLite through the standard library: one small file, safe for the
server's threads and processes to write at once (each append is one immediate transaction)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from dataclasses import astuple, dataclass
from pathlib import Path

import polars as pl

ACTIONS = ("reveal", "download")
FIELDS = ("at", "user", "role", "action", "page", "scope", "rows", "detail")
ENV = "FEE_AUDIT_LOG"

_SCHEMA = """
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,        -- local time with its UTC offset, to the second (ISO 8601)
    user text not null,      -- the user name; '' for the local manager (no users file)
    role text not null,      -- manager | station | collector
    action text not null check (action in ('reveal', 'download')),
    page text not null,      -- the page's title
    scope text not null,     -- the view in words: scope, as-of date
    rows integer not null,   -- rows shown or written with contacts
    detail text not null,    -- which list or file
    chain text not null      -- sha256 of the previous row's chain and this row's fields
);
create trigger if not exists audit_log_no_update before update on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists audit_log_no_delete before delete on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
"""


@dataclass(frozen=True)
class Entry:
    at: str
    user: str
    role: str
    action: str
    page: str
    scope: str
    rows: int
    detail: str


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def default_path() -> Path:
    """Where the log goes without a users file: $FEE_AUDIT_LOG, else the user's state folder."""
    given = os.environ.get(ENV)
    if given:
        return Path(given).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "fee-recovery" / "audit.sqlite"


def _chain(previous: str, entry: Entry) -> str:
    text = "\x1f".join([previous, *(str(v) for v in astuple(entry))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.executescript(_SCHEMA)
    return con


def append(path: Path, entry: Entry) -> None:
    """Add one row; raises (sqlite3.Error, OSError) if it cannot, and the caller then shows nothing."""
    if entry.action not in ACTIONS:
        raise ValueError(entry.action)
    con = _connect(path)
    try:
        con.execute("begin immediate")  # the previous row's chain and this insert in one step
        last = con.execute("select chain from audit_log order by id desc limit 1").fetchone()
        con.execute(f"insert into audit_log ({', '.join(FIELDS)}, chain) values ({', '.join('?' * len(FIELDS))}, ?)",
                    (*astuple(entry), _chain(last[0] if last else "", entry)))
        con.execute("commit")
    except BaseException:
        if con.in_transaction:
            con.execute("rollback")
        raise
    finally:
        con.close()


def read(path: Path, users: list[str] | None = None, first: dt.date | None = None,
         last: dt.date | None = None) -> pl.DataFrame:
    """The rows, newest first, of the given users (all if none) between two days (inclusive)."""
    schema = {"id": pl.Int64, **{f: pl.Int64 if f == "rows" else pl.String for f in FIELDS}}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    where, params = ["1 = 1"], []
    if users:
        where.append(f"user in ({', '.join('?' * len(users))})")
        params += users
    if first:
        where.append("substr(at, 1, 10) >= ?")
        params.append(first.isoformat())
    if last:
        where.append("substr(at, 1, 10) <= ?")
        params.append(last.isoformat())
    con = _connect(path)
    try:
        rows = con.execute(f"select id, {', '.join(FIELDS)} from audit_log where {' and '.join(where)} "
                           "order by id desc", params).fetchall()
    finally:
        con.close()
    return pl.DataFrame(rows, schema=schema, orient="row")


def users_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    con = _connect(path)
    try:
        return [u for (u,) in con.execute("select distinct user from audit_log order by user")]
    finally:
        con.close()


def broken_at(path: Path) -> int | None:
    """The id of the first row whose chain does not follow from the rows before it (a row
    changed, or one before it removed), or None when the whole log holds together."""
    if not path.exists():
        return None
    con = _connect(path)
    try:
        previous = ""
        for row in con.execute(f"select id, {', '.join(FIELDS)}, chain from audit_log order by id"):
            entry = Entry(*row[1:-1])
            if _chain(previous, entry) != row[-1]:
                return row[0]
            previous = row[-1]
        return None
    finally:
        con.close()
