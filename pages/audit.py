"""审计日志 — every reveal of contacts and every download that carried them (docs/DATA.md §8):
who, when, what, on which page, the scope and how many rows; filtered by user and day, and
downloadable. Registered for managers only (ui/app.pages), and checked again here."""

import datetime as dt

import polars as pl
import streamlit as st

from queries import audit, labels
from reports.columns import col
from reports.xlsx import Sheet, write_csv, write_sheets
from ui import app, auth, frame, tables

words = labels.AUDIT
app.page_view()  # inside the shared frame (and a cold deep link goes through it)
frame.titled(labels.PAGE_TITLE["audit"])
if app.page_access().role != "manager":
    st.error(labels.AUTH["not_manager"], icon=":material/lock:")
    st.stop()

path = auth.audit_path()
st.caption(words["caption"].format(file=path))
try:
    names = audit.users_in(path)
    broken = audit.broken_at(path)
except Exception as exc:  # noqa: BLE001 — a log that cannot be read is said, not a traceback
    st.error(words["unreadable"].format(file=path, error=exc), icon=":material/error:")
    st.stop()
if broken is None:
    st.success(words["intact"], icon=":material/verified:")
else:
    st.error(words["broken"].format(id=broken), icon=":material/gpp_bad:")

left, right, _ = st.columns([2, 2, 3])
chosen = left.multiselect(words["user_filter"], names, key="audit_users", placeholder=words["all_users"])
today = dt.date.today()
days = right.date_input(words["days"], value=(today - dt.timedelta(days=30), today), key="audit_days",
                        format="YYYY-MM-DD")
first, last = (tuple(days) + (None, None))[:2] if isinstance(days, tuple | list) else (days, days)
last = last or first  # while a range is being picked it has one end

rows = audit.read(path, chosen, first, last).with_columns(
    pl.col("at").str.slice(0, 19).str.replace("T", " "),  # local time to the second
    pl.col("action").replace_strict(words["action"], default=pl.col("action"), return_dtype=pl.String),
    pl.col("role").replace_strict(labels.ROLE, default=pl.col("role"), return_dtype=pl.String))
if rows.is_empty():
    frame.empty(words["none"])
    st.stop()

COLS = [col(name) for name in ("audit_id", "audit_at", "audit_user", "audit_role", "audit_action", "audit_page",
                               "audit_scope", "audit_rows", "audit_detail")]
st.caption(words["count"].format(n=f"{rows.height:,}"))
tables.show(rows, COLS, key="audit_table", height="auto" if rows.height <= 15 else 560)

header = [words["exported"].format(at=audit.now()),
          words["filter_line"].format(users="、".join(chosen) or words["all_users"], first=first or "—",
                                      last=last or "—")]
stem = f"{words['file']}_{today:%Y%m%d}"
d = st.columns([1, 1, 4])
d[0].download_button(labels.AUDIT["download_xlsx"], data=lambda: write_sheets([Sheet(words["file"], rows, COLS,
                                                                                      words["file"])], header),
                     file_name=f"{stem}.xlsx", key="audit_xlsx", icon=":material/download:", on_click="ignore",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
d[1].download_button(labels.AUDIT["download_csv"], data=lambda: write_csv(rows, COLS), file_name=f"{stem}.csv",
                     key="audit_csv", mime="text/csv", icon=":material/download:", on_click="ignore")
