"""The app, however it is started: `python dashboard.py`, `streamlit run dashboard.py`, or a
hosting platform that runs the latter. dashboard.py calls `main()`; each page file asks
`page_view()` for the view it shows.

A fresh server started by `streamlit run` runs in Streamlit's legacy `pages/` mode until
some script calls st.navigation, so a cold deep link runs a page file alone. The page then
finds no frame, calls the public st.navigation (which ends that mode for the server) and
reruns, so the request is served through `main()` like every other.

Who is looking comes first (ui/auth.py): with a users file, nothing but the login form is
drawn, and the extract is not opened, until someone logs in. The pages offered depend on the
role (审计日志 for managers only); pages read the Access with `page_access()`.
"""

from __future__ import annotations

import threading

import streamlit as st

from queries import Extract, labels
from queries.access import Access

from . import auth, data, downloads, filters, frame, freshness, personal

_run = threading.local()  # the view of the script run in progress on this thread


def pages(access: Access | None = None) -> list:
    """The pages this user may open; before login (None) every page, so that a deep link is
    kept through the login form."""
    manager = access is None or access.role == "manager"
    return [
        st.Page("pages/home.py", title=labels.PAGE_TITLE["home"], icon=":material/today:", default=True),
        st.Page("pages/recovery.py", title=labels.PAGE_TITLE["recovery"], icon=":material/percent:", url_path="recovery"),
        st.Page("pages/arrears.py", title=labels.PAGE_TITLE["arrears"], icon=":material/warning:", url_path="arrears"),
        st.Page("pages/high_energy.py", title=labels.PAGE_TITLE["high_energy"], icon=":material/factory:", url_path="high_energy"),
        st.Page("pages/collectors.py", title=labels.PAGE_TITLE["collectors"], icon=":material/badge:",
                url_path="collectors"),
        st.Page("pages/key_accounts.py", title=labels.PAGE_TITLE["key_accounts"], icon=":material/star:",
                url_path="key_accounts"),
        st.Page("pages/posting.py", title=labels.PAGE_TITLE["posting"], icon=":material/payments:", url_path="posting"),
        st.Page("pages/data_quality.py", title=labels.PAGE_TITLE["data_quality"], icon=":material/fact_check:",
                url_path="data_quality"),
        *([st.Page("pages/audit.py", title=labels.PAGE_TITLE["audit"], icon=":material/policy:", url_path="audit")]
          if manager else []),
    ]


def main() -> None:
    st.set_page_config(page_title=labels.APP_TITLE, page_icon=":material/bolt:", layout="wide")
    access = auth.who()
    if isinstance(access, auth.Closed):
        st.navigation(pages(), position="hidden")  # the URL's page waits behind the login form
        access.show()
        return
    page = st.navigation(pages(access))
    ex = data.extract()
    if isinstance(ex, data.Unavailable):
        frame.unavailable(ex)
        auth.sidebar(access)
        return
    freshness.follow(ex)
    filters.filter_bar(ex, access)
    st.sidebar.toggle(labels.FRAME["present"], key=filters.PRESENT, bind="query-params",
                      help=labels.FRAME["present_help"])
    view = filters.current(ex, access)
    if view is not None:
        downloads.meeting_deck(st.sidebar, ex, view)
    frame.text(labels.FRAME["data"].format(name=ex.name), "fee-caption", st.sidebar)
    auth.sidebar(access)
    if not st.session_state.get(filters.PRESENT):  # a meeting's figures do not change under it
        freshness.notice(ex)
    if view is None:  # no posting to default to, and no date chosen
        if page.url_path not in ("data_quality", "audit"):
            frame.no_as_of()
            return
        view = filters.without_as_of(ex, access)
    _run.view, _run.extract = view, ex
    personal.begin(page.title, access, auth.audit_path())
    try:
        with frame.guard():
            page.run()
    finally:
        _run.view = _run.extract = None
        personal.end()


def page_view() -> tuple[Extract, filters.View]:
    """The extract and view of this run, for a page file. Run alone (a cold deep link to a
    server in the legacy pages mode), hand the request to main() through a rerun."""
    ex = getattr(_run, "extract", None)
    if ex is None:
        st.navigation(pages(), position="hidden")  # public API: turns the legacy mode off
        st.rerun()
    return ex, _run.view


def page_access() -> Access:
    """Who is looking, for a page that shows some things to some roles only (a branch-wide
    ranking). Fail closed: a session with no Access sees nothing."""
    access = st.session_state.get(auth.ACCESS)
    return access if isinstance(access, Access) else Access(user="", role="")
