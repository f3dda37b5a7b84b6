"""Contacts — full names of people and phone numbers (docs/DATA.md §8).

One toggle for every page that offers them (`contacts_toggle`): drawn only when the user's
role may reveal contacts (users file: contacts_roles) and the view is not in presentation
mode; otherwise the page shows them masked. While it is on, every list shown with a personal
column (ui/tables.show) and every file downloaded with one (ui/tables.downloads, the chase
lists) is appended to the audit log (queries/audit.py) first: who, when, which page, the
scope, how many rows. A list is logged once per turning-on of the toggle, and again when the
scope, date or rows change; a download each time its file is built. If the log cannot be
written, nothing personal is shown or downloaded."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from queries import audit, labels
from queries.access import Access
from reports.columns import Col

from .filters import View

PERSONAL_COLUMNS = frozenset({"customer_name", "phone"})
REVEALED = "fee_revealed"  # session state: toggle key → the lists logged since it was turned on
WORDS = labels.PERSONAL
log = logging.getLogger("fee_recovery")


@dataclass
class _Page:
    """The page this script run shows, for the audit rows it may write."""

    title: str
    access: Access
    log_path: Path
    revealing: str | None = None  # the key of the contact toggle that is on in this run
    view: View | None = None


_run = threading.local()


def begin(title: str, access: Access, log_path: Path) -> None:
    """ui/app.main(), before a page runs."""
    _run.page = _Page(title, access, log_path)


def end() -> None:
    _run.page = None


def _page() -> _Page | None:
    return getattr(_run, "page", None)


def may_reveal(view: View) -> bool:
    page = _page()
    return page is not None and page.access.contacts and not view.presentation


def contacts_toggle(view: View, key: str, label: str = WORDS["toggle"], help: str = WORDS["toggle_help"],
                    container=st) -> bool:
    """Whether this page shows contacts: the toggle, drawn only for a user who may reveal them
    and never in presentation mode (then False)."""
    if not may_reveal(view):
        return False
    return _revealing(view, key, container.toggle(label, key=key, help=help + WORDS["audited"]))


def contacts_wanted(view: View, key: str) -> bool:
    """The same answer before the toggle is drawn, for a page that asks for its rows first
    and draws the toggle with `contacts_toggle` further down."""
    return may_reveal(view) and _revealing(view, key, bool(st.session_state.get(key)))


def _revealing(view: View, key: str, on: bool) -> bool:
    seen = st.session_state.setdefault(REVEALED, {})
    if not on:
        seen.pop(key, None)  # turned off: the next turning-on is logged afresh
        return False
    seen.setdefault(key, set())
    page = _page()
    page.revealing, page.view = key, view
    return True


def personal(cols: list[Col]) -> bool:
    return any(c.name in PERSONAL_COLUMNS for c in cols)


def _entry(page: _Page, view: View, action: str, rows: int, detail: str) -> audit.Entry:
    return audit.Entry(at=audit.now(), user=page.access.user or labels.LOCAL_USER, role=page.access.role,
                       action=action, page=page.title, scope=f"{view.scope_text}｜{view.stamp}", rows=rows,
                       detail=detail)


def shown(rows: int, cols: list[Col], detail: str) -> None:
    """A list about to be shown: logged if contacts are on and it carries any. If the log
    cannot be written the page stops here, before the list."""
    page = _page()
    if page is None or page.revealing is None or not personal(cols):
        return
    seen = st.session_state.setdefault(REVEALED, {}).setdefault(page.revealing, set())
    mark = (detail, page.view.scope, page.view.as_of, page.view.year, rows)
    if mark in seen:
        return
    try:
        audit.append(page.log_path, _entry(page, page.view, "reveal", rows, detail))
    except (sqlite3.Error, OSError) as exc:
        log.exception("audit log not written")
        st.error(WORDS["audit_failed"].format(error=exc), icon=":material/gpp_bad:")
        st.stop()
    seen.add(mark)


def download_audit(cols: list[Col] | None, detail: str, view: View | None = None) -> Callable[[int], None] | None:
    """For a download button drawn now: a function the file's builder calls with its row count
    (it appends the audit row, or raises so no file is served), or None when the file will
    carry no contacts. `cols` None: the caller knows the file carries them when contacts are on."""
    page = _page()
    if page is None or page.revealing is None or (cols is not None and not personal(cols)):
        return None
    path, entry_of, looked_at = page.log_path, _entry, view or page.view
    snapshot = _Page(page.title, page.access, page.log_path, page.revealing, looked_at)

    def record(rows: int) -> None:
        audit.append(path, entry_of(snapshot, looked_at, "download", rows, detail))

    return record
