"""催费责任人 — responsibility per person (DOMAIN step 1): every collector in scope ranked with
the figures of docs/DATA.md §3, ranks in station and branch, target and gap; the risk grades
of their customers; a collector's chase list (催费清单) with reminder texts, as PDF and Excel;
and the bank-shortfall reminder list. Collectors are named: the ranking is per person."""

import dataclasses

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import labels
from queries.collections import GRADES, SettingsError, load_settings
from reports import format as fmt
from reports.chase_list import chase_cols, chase_pdf, chase_xlsx
from reports.columns import col
from reports.format import wan_numbers
from reports.reminders import with_shortfall_reminders
from ui import app, charts, data, frame, personal, tables, tiles
from ui.downloads import XLSX
from ui.filters import View

ex, view = app.page_view()
frame.header(view, labels.PAGE_TITLE["collectors"])
w, m = labels.COLLECTORS_PAGE, labels.METRIC

try:
    settings = load_settings()
except SettingsError as exc:  # a branch's settings file that cannot be used: say which key
    st.error(str(exc), icon=":material/settings_alert:")
    st.stop()

RANK_COLS = [
    col("rank_in_branch"), col("rank_in_station"), col("collector"), col("station"), col("accounts"),
    col("billed"), col("recovered"), col("recovery_rate"), col("target"), col("gap_to_target"),
    col("rate_change"), col("arrears"), col("arrears_change"), col("arrears_customers"),
    col("arrears_customers_change"),
]
GRADE_COLS = [col("collector"), col("station"), *(col(f"customers_{g}") for g in GRADES),
              *(col(f"arrears_{g}") for g in GRADES), col("penalty_exposure")]


def ranking(scope, group_by: str) -> pl.DataFrame:
    return data.query("ranking", scope, as_of=view.as_of, year=view.year, group_by=group_by)


def of_collector(station: str, collector: str | None) -> View:
    """The view narrowed to one collector of one station."""
    scope = dataclasses.replace(view.scope, stations=(station,), collectors=(collector or "",))
    return dataclasses.replace(view, scope=scope)


def names(df: pl.DataFrame) -> list[str]:
    """Collectors as the charts name them: 未分配 for none, and the station beside a name that
    two stations share."""
    shown = [c or labels.UNASSIGNED for c in df["collector"]]
    shared = pl.Series(shown).is_duplicated().to_list()
    return [f"{n}（{s}）" if d else n for n, s, d in zip(shown, df["station"], shared)]


total = ranking(view.scope, "total").row(0, named=True)
if not (total["bills"] or total["arrears"] or total["prior_opening"]):
    frame.empty(w["nothing"])
    st.stop()

# Ranks are among the branch's collectors on the same terms: the station and collector filters
# choose whom the page shows, not whom they are ranked against. A (station, collector) group's
# figures are the same either way, as those two filters take or leave whole groups. The rows
# shown are the view's (its filters and the user's allowed rows, docs/DATA.md §8); a station user
# is ranked against the whole branch only when the setting allows it, else against its own
# stations, and a collector user sees no rank (docs/DATA.md §8).
access = app.page_access()
branch = access.branch(view.scope)
peers = dataclasses.replace(view.scope if branch is None else branch, stations=(), collectors=())
shown_groups = data.query("recovery_summary", view.scope, as_of=view.as_of, year=view.year,
                          group_by="collector").select("station", "member")
collectors = (ranking(peers, "collector")
              .join(shown_groups, on=["station", "member"], how="semi", nulls_equal=True, maintain_order="left")
              .rename({"member": "collector"}))
if not access.sees_branch:  # no rank in the branch where the branch is not compared; a collector, no rank at all
    hidden = {"rank"} if access.role == "station" else {"rank", "rank_in_station"}
    RANK_COLS = [c for c in RANK_COLS if c.name not in hidden]
if collectors.is_empty():
    frame.empty(w["nothing"])
    st.stop()
penalty = data.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="total",
                     **settings.params()).row(0, named=True)

# --- tiles -------------------------------------------------------------------------------
rated = collectors.filter(pl.col("recovery_rate").is_not_null())
reached = rated.filter(pl.col("gap_to_target") >= 0).height
c = st.columns(5)
tiles.versus_target(c[0], m["recovery_rate"], total["recovery_rate"], total["target"], total["gap_to_target"],
                    year=view.year, help=w["rate_help"])
tiles.money(c[1], m["arrears"], total["arrears"], total["arrears"] - total["arrears_change"], warn=True,
            help=w["arrears_help"])
tiles.customers(c[2], m["arrears_customers"], total["arrears_customers"],
                total["arrears_customers"] - total["arrears_customers_change"])
c[3].metric(labels.named(w["collectors"], "people"), f"{reached:,} / {rated.height:,}", border=True,
            help=w["collectors_help"])
tiles.money(c[4], m["penalty_exposure"], penalty["penalty_exposure"], None, warn=True,
            help=w["penalty_help"].format(bills=f"{penalty['penalty_bills']:,}"))

# --- the ranking: chart for the meeting, table with both ranks -----------------------------
if not rated.is_empty():  # a collector with no bill this year has no rate to draw
    shown = names(rated)
    fig = charts.rate_bars(rated, shown, shown, view, w["ranking"].format(year=view.year))
    charts.show(fig, "collectors_ranking", f"催费责任人排名_{view.year}")
tables.show_table(collectors, RANK_COLS, view, key="collectors_table", filename=w["ranking_table"],
                  title=w["ranking_table"])
if access.sees_branch:
    st.caption(w["ranking_note"])
else:
    why = "own_stations_only" if access.role == "station" else "no_ranks"
    st.caption(f"{labels.RANKING_ORDER}。{labels.ACCESS[why]}")

# --- risk grades per collector -----------------------------------------------------------
st.subheader(w["grades"])
summary = data.query("risk_grade_summary", view.scope, as_of=view.as_of, group_by="collector", **settings.params())
grades = (
    summary.rename({"member": "collector"})
    .pivot(on="risk_grade", index=["station", "collector"], values=["customers", "arrears"])
    .join(summary.group_by("station", "member").agg(pl.col("penalty_exposure").sum())
          .rename({"member": "collector"}), on=["station", "collector"], nulls_equal=True)
)
# in the ranking's order
grades = collectors.select("station", "collector").join(grades, on=["station", "collector"], how="inner",
                                                         nulls_equal=True, maintain_order="left")
if grades.is_empty():
    st.success(w["no_arrears"], icon=":material/check_circle:")
else:
    fig = go.Figure()
    shown = charts.labels(names(grades))
    for grade, colour in zip(GRADES, (charts.ALERT, charts.WARN, charts.MUTED)):
        name = labels.RISK_GRADE[grade]
        fig.add_bar(y=shown, x=grades[f"customers_{grade}"], orientation="h", name=w["grade"].format(grade=name),
                    marker_color=colour, customdata=list(zip(wan_numbers(grades[f"arrears_{grade}"]),
                                                             [charts.hover_text(n) for n in names(grades)])),
                    hovertemplate=w["grade_hover"].format(grade=name))
    charts.layout(fig, view, w["grades_chart"], height=max(240, 26 * grades.height + 140))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=labels.named(m["arrears_customers"], "accounts"), showgrid=True, gridcolor="#EEF2F5")
    fig.update_yaxes(title=None, categoryorder="array", categoryarray=shown, autorange="reversed")
    charts.show(fig, "collectors_grades", f"催费责任人风险等级_{view.as_of:%Y%m%d}")
    tables.show_table(grades, GRADE_COLS, view, key="collectors_grades_table", filename=w["grades_table"],
                      title=w["grades_table"])

# --- a collector's chase list ------------------------------------------------------------
st.subheader(w["chase"])
keys = {f"{s}\x1f{c or ''}": (s, c) for s, c in collectors.select("station", "collector").iter_rows()}
collector_names = dict(zip(keys, names(collectors)))
owing = collectors["arrears_customers"].to_list()
left, right = st.columns([2, 3])
# the first collector in the ranking's order who has someone to chase
picked = left.selectbox(w["pick"], list(keys), index=next((i for i, n in enumerate(owing) if n), 0),
                        key="collectors_pick", format_func=lambda k: fmt.cut(collector_names[k]))
show_personal = personal.contacts_toggle(view, "collectors_show_personal", w["show_personal"], w["show_personal_help"],
                                         container=right)
station, collector = keys[picked]
one = of_collector(station, collector)
chase = data.chase_list(one, show_personal, settings)


def chase_downloads(target: View, groups: list, who: str, which: str, pdf_col, xlsx_col) -> None:
    """The PDF and Excel of the chase lists of `groups` in a view, built when clicked."""
    stem = {"who": who, "day": f"{view.as_of:%Y%m%d}"}
    pdf_file, xlsx_file = (w["file"].format(**stem, suffix=suffix) for suffix in ("pdf", "xlsx"))

    def chase(file_name: str):
        """The chase list of `target` for a file, logged as a download when it carries contacts."""
        record = personal.download_audit(chase_cols(show_personal), file_name, target)  # who and where: now

        def rows():
            listed = data.chase_list(target, show_personal, settings)
            if record:
                record(listed.height)
            return listed
        return data.deferred(rows)  # clicked later, outside this run: the same extract

    pdf_rows, xlsx_rows = chase(pdf_file), chase(xlsx_file)
    pdf_col.download_button(
        w[f"pdf_{which}"], mime="application/pdf", key=f"collectors_pdf_{which}", icon=":material/print:",
        data=lambda: chase_pdf(pdf_rows(), groups, target, masked=not show_personal, with_phone=show_personal),
        file_name=pdf_file, on_click="ignore", help=w["pdf_help"])
    xlsx_col.download_button(
        w[f"xlsx_{which}"], mime=XLSX, key=f"collectors_xlsx_{which}", icon=":material/download:",
        data=lambda: chase_xlsx(xlsx_rows(), target, show_personal),
        file_name=xlsx_file, on_click="ignore")


d = st.columns(4)
chase_downloads(one, [(station, collector)], fmt.cut(collector or labels.UNASSIGNED, 20), "one", d[0], d[2])
chase_downloads(view, [(s, c) for (s, c), n in zip(keys.values(), owing) if n], w["file_all"], "all", d[1], d[3])

if chase.is_empty():
    st.success(w["no_chase"], icon=":material/check_circle:")
else:
    st.caption(w["chase_note"].format(customers=fmt.count(chase.height), arrears=fmt.yuan(chase["arrears"].sum()),
                                      penalty=fmt.yuan(chase["penalty_exposure"].sum()))
               + ("" if show_personal else f"{labels.MASKED}（企业名称照常显示）。"))
    tables.show(chase, chase_cols(show_personal), key="collectors_chase", height=420, title=w["chase"])

    st.markdown(f"**{w['reminder']}**")
    reminders = dict(zip(chase["customer_id"], chase["reminder"]))
    customers = {k: w["customer_option"].format(customer_id=k, name=n or "", arrears=fmt.yuan(a))
                 for k, n, a in chase.select("customer_id", "customer_name", "arrears").iter_rows()}
    customer = st.selectbox(w["reminder_pick"], list(reminders), key="collectors_reminder_pick",
                            format_func=lambda k: fmt.cut(customers[k], 80))
    st.code(reminders[customer], language=None, wrap_lines=True)
    st.caption(w["reminder_note"])

# --- bank shortfalls in scope ------------------------------------------------------------
st.subheader(w["shortfall"])
st.caption(w["shortfall_note"])
shortfall = with_shortfall_reminders(
    data.query("bank_shortfall", view.scope, as_of=view.as_of, show_personal=show_personal), settings, view.as_of)
if shortfall.is_empty():
    st.success(w["no_shortfall"], icon=":material/check_circle:")
else:
    tables.show_table(shortfall, [
        col("customer_id"), col("customer_name"), *([col("phone")] if show_personal else []), col("station"),
        col("village"), col("collector"), col("bill_id"), col("period"), col("owed"), col("paid"),
        col("shortfall"), col("days_overdue"), col("reminder"),
    ], view, key="collectors_shortfall", filename=w["shortfall"], title=w["shortfall"])
    short_reminders = dict(zip(shortfall["bill_id"], shortfall["reminder"]))
    short_bills = {b: w["shortfall_option"].format(customer_id=k, name=n or "", month=f"{p:%Y-%m}",
                                                   shortfall=fmt.yuan(s))
                   for b, k, n, p, s in
                   shortfall.select("bill_id", "customer_id", "customer_name", "period", "shortfall").iter_rows()}
    bill = st.selectbox(w["reminder_pick"], list(short_reminders), key="collectors_shortfall_pick",
                        format_func=lambda k: fmt.cut(short_bills[k], 80))
    st.code(short_reminders[bill], language=None, wrap_lines=True)
