"""The frame around every page: header with scope and stamp, refused-extract message,
presentation-mode styling, empty states, and a guard so no traceback ever reaches a page."""

from __future__ import annotations

import html
import logging
import os
from contextlib import contextmanager

import streamlit as st

from queries import labels
from queries.collections import SettingsError
from reports import format as fmt

from .filters import PRESENT, View

log = logging.getLogger("fee_recovery")

_PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] {display: none !important;}
.block-container {padding-top: 1.2rem !important; max-width: 100% !important;}
[data-testid="stMetricValue"] {font-size: 3.0rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.35rem !important;}
[data-testid="stMetricDelta"] {font-size: 1.2rem !important;}
h1 {font-size: 2.6rem !important;} h2, h3 {font-size: 1.9rem !important;}
.stDataFrame {font-size: 1.1rem !important;}
</style>
"""

_CSS = """
<style>
[data-testid="stMetric"] {background: #F7F9FB; border-radius: 8px; padding: 10px 14px;}
.fee-stamp {color: #51606E; font-size: 0.95rem; margin-top: -0.6rem;}
.fee-text {white-space: pre-wrap; overflow-wrap: anywhere;}
.fee-caption {color: #51606E; font-size: 0.85rem; overflow-wrap: anywhere;}
</style>
"""


def _leave_presentation() -> None:
    st.session_state[PRESENT] = False


def text(body: str, css_class: str = "fee-text", container=st) -> None:
    """Text from the data, shown as text: HTML-escaped inside a raw HTML block, so neither
    Markdown (links, emphasis, :directives:) nor tags in it are ever interpreted."""
    container.markdown(f'<div class="{css_class}">{html.escape(str(body))}</div>', unsafe_allow_html=True)


def titled(title: str) -> None:
    """A page's title without the data stamp, for a page that is not about the data (审计日志)."""
    st.markdown(_CSS, unsafe_allow_html=True)
    st.title(title)


def header(view: View, title: str) -> None:
    """The page title with the scope and 数据截至 stamp; in presentation mode, a way back."""
    st.markdown(_CSS, unsafe_allow_html=True)
    if view.presentation:
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
        left, right = st.columns([12, 1])
        left.title(title)
        right.button(labels.FRAME["leave_present"], on_click=_leave_presentation, key="leave_presentation",
                     icon=":material/close_fullscreen:", type="tertiary")
    else:
        st.title(title)
    text(labels.FRAME["stamp"].format(stamp=view.stamp, year=view.year, scope=view.scope_text,
                                      name=fmt.cut(view.extract_name)), "fee-stamp")
    if view.note:
        st.warning(view.note, icon=":material/event_busy:")


def unavailable(problem) -> None:
    """A refused extract or a cache fault: the reason, as text, instead of any page."""
    st.markdown(_CSS, unsafe_allow_html=True)
    st.title(labels.APP_TITLE)
    st.error(problem.title, icon=":material/block:")
    text(problem.message)
    st.caption(labels.FRAME["fix_and_refresh"])


def no_as_of() -> None:
    st.title(labels.APP_TITLE)
    st.info(labels.MSG["no_as_of"] + labels.MSG["no_as_of_pick"], icon=":material/event_busy:")


def empty(text: str = labels.FRAME["empty"]) -> None:
    st.info(text, icon=":material/filter_alt_off:")


@contextmanager
def guard():
    """Show a short Chinese message instead of a traceback if a page fails: a settings file
    that cannot be used (queries/collections.py) is named with its key and rule, anything
    else is logged. Tests set FEE_STRICT=1 so that an unexpected failure surfaces as an
    exception they can see."""
    try:
        yield
    except SettingsError as exc:  # a branch's settings file that cannot be used: which, and why
        st.error(labels.FRAME["settings_title"], icon=":material/tune:")
        text(str(exc))
        st.caption(labels.FRAME["fix_and_refresh"])
    except Exception:  # noqa: BLE001 — st.stop/rerun are BaseExceptions and pass through
        if os.environ.get("FEE_STRICT") == "1":
            raise
        log.exception("page failed")
        st.error(labels.FRAME["page_failed"], icon=":material/error:")
