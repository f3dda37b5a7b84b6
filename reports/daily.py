"""The manager's daily brief (日报, DOMAIN): today's collections and new bills, the year to
date in the three scopes, arrears with the change since yesterday, rankings (stations, lines,
collectors) with the gap to target, the risk grades and their moves since last month's end,
the penalty exposure, the year-end projection of D's year, and the lists to chase, for one
view (as-of date, year, scope). Built from query-layer calls only: the gaps and changes come
from ranking.sql. Rendered as an .xlsx for filing and as compact Markdown for pasting into a
WeChat group. Personal data stays masked: no call here asks for show_personal (collectors are
staff, named on purpose)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from queries import Extract, View, collections, labels
from queries.collections import Settings, load_settings
from queries.projection import Projection, year_end_projection

from . import format as fmt
from .columns import Col, col
from .projection import projected, sentence, years_text
from .xlsx import Sheet, write_sheets

TOP_ARREARS = 50        # rows of the 欠费前列 sheet
TOP_ARREARS_TEXT = 10   # rows of the Markdown list
COLLECTORS_TEXT = 5     # the Markdown lists the first and the last five collectors (all, up to twice that)


@dataclass(frozen=True)
class DailyReport:
    """Everything the brief shows, as the query layer returned it (money as Decimal)."""

    view: View
    total: dict              # ranking of the whole scope at as_of: figures, gap, changes
    total_before: dict       # … at the day before
    today: dict              # collections_daily row of as_of
    yesterday: dict          # … of the day before
    stations: pl.DataFrame   # ranking.sql, in its one order
    lines: pl.DataFrame
    collectors: pl.DataFrame
    top_arrears: pl.DataFrame    # arrears_accounts with the grade and its reason in words
    bank_shortfall: pl.DataFrame
    in_transit: pl.DataFrame
    settings: Settings           # the §6 settings the grades and penalties were asked with
    risk: pl.DataFrame           # risk_grade_summary in total: customers, arrears, penalty per grade
    risk_moves: pl.DataFrame     # risk_grade_moves: from last month's end to as_of
    penalty: dict                # penalty_exposure in total
    penalty_stations: pl.DataFrame  # penalty_exposure per station, largest first
    projection: Projection       # the year-end projection of D's year (the view's year or not)

    @property
    def scope_text(self) -> str:
        return fmt.scope_text(self.view.scope)

    def header_lines(self) -> list[str]:
        return fmt.header_lines(self.view, yesterday=True)


# --- building ------------------------------------------------------------------------------

def ranking(ex: Extract, view: View, group_by: str, as_of: dt.date | None = None) -> pl.DataFrame:
    """ranking.sql for the view (at `as_of`, default the view's date); a line's or a
    collector's name in a column of its own."""
    df = ex.query("ranking", view.scope, as_of=as_of or view.as_of, year=view.year, group_by=group_by)
    if group_by == "line":
        return df.with_columns(pl.col("member").alias("line"))
    if group_by == "collector":
        return df.with_columns(pl.col("member").fill_null(labels.UNASSIGNED).alias("collector"))
    return df


def build(ex: Extract, view: View, settings: Settings | None = None) -> DailyReport:
    """The brief of a view: its scope, as of its date, for its year; grades and penalties with
    the §6 settings (default: those in force, queries/collections.py)."""
    settings = settings or load_settings()
    params = settings.params()
    days = ex.query("collections_daily", view.scope, date_from=view.yesterday, date_to=view.as_of)
    by_day = {r["day"]: r for r in days.to_dicts()}
    top = ex.query("arrears_accounts", view.scope, as_of=view.as_of, show_personal=False, limit=TOP_ARREARS, **params)
    return DailyReport(
        view=view,
        total=ranking(ex, view, "total").row(0, named=True),
        total_before=ranking(ex, view, "total", as_of=view.yesterday).row(0, named=True),
        today=by_day[view.as_of],
        yesterday=by_day[view.yesterday],
        stations=ranking(ex, view, "station"),
        lines=ranking(ex, view, "line"),
        collectors=ranking(ex, view, "collector"),
        top_arrears=collections.with_risk_words(top, settings),
        bank_shortfall=ex.query("bank_shortfall", view.scope, as_of=view.as_of, show_personal=False),
        in_transit=ex.query("payments_in_transit", view.scope, as_of=view.as_of, show_personal=False),
        settings=settings,
        risk=ex.query("risk_grade_summary", view.scope, as_of=view.as_of, group_by="total", **params),
        risk_moves=ex.query("risk_grade_moves", view.scope, as_of=view.as_of, **params),
        penalty=ex.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="total", **params)
        .row(0, named=True),
        penalty_stations=ex.query("penalty_exposure", view.scope, as_of=view.as_of, group_by="station", **params),
        projection=year_end_projection(ex, view),
    )


# --- the workbook --------------------------------------------------------------------------

def _diff(a, b):
    return None if a is None or b is None else a - b


SUMMARY_MONEY = ("collected", "newly_billed", "billed", "recovered", "prior_opening", "prior_recovered",
                 "arrears", "arrears_current_year", "arrears_prior_years")
SUMMARY_RATES = ("recovery_rate", "prior_recovery_rate", "cumulative_rate", "target")


def summary_frame(report: DailyReport) -> pl.DataFrame:
    """Three rows — as of D, as of D − 1, and the change — one column per figure."""
    def row(label: str, total: dict, day: dict) -> dict:
        r = {"basis": label, "collected": day["collected"], "newly_billed": day["newly_billed"]}
        r.update({k: total[k] for k in SUMMARY_MONEY[2:] + SUMMARY_RATES + ("gap_to_target", "arrears_customers")})
        return r

    now = row(f"截至 {report.view.as_of:%Y-%m-%d}（当日）", report.total, report.today)
    before = row(f"截至 {report.view.yesterday:%Y-%m-%d}（昨日）", report.total_before, report.yesterday)
    # Presentation only: each cell of the third row is the plain difference of the two cells
    # above it, as a reader would subtract them (ranking.sql's own changes are the same
    # differences for arrears and accounts, and in points for the rate).
    change = {"basis": f"{labels.COMPARE['yesterday']}（比率为{labels.UNIT['points']}）"}
    for key in now:
        if key != "basis":
            change[key] = _diff(now[key], before[key])
    money = {k: pl.Decimal(38, 2) for k in SUMMARY_MONEY}
    floats = {k: pl.Float64 for k in SUMMARY_RATES + ("gap_to_target",)}
    return pl.DataFrame([now, before, change], schema={"basis": pl.Utf8, **money, **floats,
                                                       "arrears_customers": pl.Int64}, orient="row") \
        .select("basis", *SUMMARY_MONEY[:2], "billed", "recovered", "recovery_rate", "target", "gap_to_target",
                "prior_opening", "prior_recovered", "prior_recovery_rate", "cumulative_rate",
                "arrears", "arrears_current_year", "arrears_prior_years", "arrears_customers")


def summary_cols(year: int) -> list[Col]:
    return [
        col("basis"), col("collected"), col("newly_billed"),
        col("billed", year), col("recovered", year), col("recovery_rate", year), col("target"), col("gap_to_target"),
        col("prior_opening"), col("prior_recovered"), col("prior_recovery_rate"), col("cumulative_rate"),
        col("arrears"), col("arrears_current_year"), col("arrears_prior_years"), col("arrears_customers"),
    ]


def ranking_cols(member: str | None) -> list[Col]:
    keys = [col("station")] + ([col(member)] if member else [])
    return [
        col("rank"), *keys, col("recovery_rate"), col("target"), col("gap_to_target"), col("rate_change"),
        col("billed"), col("recovered"), col("cumulative_rate"), col("arrears"), col("arrears_change"),
        col("arrears_customers"), col("arrears_customers_change"),
    ]


TOP_ARREARS_COLS = [
    col("customer_id"), col("customer_name"), col("phone"), col("risk_grade"), col("station"), col("village"),
    col("line"), col("category"), col("collector"), col("arrears"), col("arrears_current_year"),
    col("arrears_prior_years"), col("arrears_bills"), col("oldest_period"), col("days_overdue"), col("risk_reason"),
]
RISK_COLS = [col("risk_grade"), col("arrears_customers"), col("arrears"), col("penalty_exposure")]
RISK_MOVES_COLS = [col("grade_then"), col("grade_now"), col("move"), col("accounts"), col("arrears_then"),
                   col("arrears_now")]
PENALTY_COLS = [col("station"), col("penalty_bills"), col("arrears"), col("penalty_exposure")]


def risk_frame(report: DailyReport) -> pl.DataFrame:
    """Per grade (高, 中, 低): customers with arrears, arrears, penalty exposure."""
    return report.risk.rename({"customers": "arrears_customers"}).with_columns(
        pl.col("risk_grade").replace_strict(labels.RISK_GRADE, return_dtype=pl.Utf8).alias("risk_grade_label"))


def projection_sheet(report: DailyReport, title: str) -> Sheet:
    """One row: D's year so far, its target, and the projection (rate, band, the years it rests
    on, projected billed, the days left and the collection needed a day in 元), with the
    sentence; without a projection only the figures so far and the sentence saying why."""
    p = report.projection
    row = {"billed": p.billed, "recovered": p.recovered, "recovery_rate": p.recovery_rate, "target": p.target,
           "projected_rate": p.projected_rate, "projected_low": p.low_rate, "projected_high": p.high_rate,
           "projection_years": years_text(p), "projected_billed": p.projected_billed, "days_left": p.days_left,
           "needed_daily": p.needed_daily, "projection_note": sentence(p)}
    floats = ("recovery_rate", "target", "projected_rate", "projected_low", "projected_high", "projected_billed",
              "needed_daily")
    frame = pl.DataFrame([row], schema={"billed": pl.Decimal(38, 2), "recovered": pl.Decimal(38, 2),
                                        **{k: pl.Float64 for k in floats}, "projection_years": pl.Utf8,
                                        "days_left": pl.Int64, "projection_note": pl.Utf8}, orient="row")
    cols = [col("billed", p.year), col("recovered", p.year), col("recovery_rate", p.year), col("target")]
    if projected(p):
        cols += [col("projected_rate"), col("projected_low"), col("projected_high"), col("projection_years"),
                 col("projected_billed"), col("days_left"), col("needed_daily")]
    sheet_title = labels.PROJECTION["sheet_title"].format(year=p.year)
    return Sheet(labels.PROJECTION["section"], frame, [*cols, col("projection_note")], f"{title} · {sheet_title}")


def penalty_frame(report: DailyReport) -> pl.DataFrame:
    """The penalty exposure of the scope (合计) and then of each station, largest first."""
    total = pl.DataFrame([{**report.penalty, "station": labels.CLI["total"]}], schema=report.penalty_stations.schema)
    return pl.concat([total, report.penalty_stations])
BANK_SHORTFALL_COLS = [
    col("customer_id"), col("customer_name"), col("phone"), col("station"), col("village"), col("collector"),
    col("bill_id"), col("period"), col("paid"), col("shortfall"), col("days_overdue"),
]
IN_TRANSIT_COLS = [
    col("payment_id"), col("customer_id"), col("customer_name"), col("station"), col("village"), col("collector"),
    col("channel"), col("paid_at"), col("payment_amount"), col("days_in_transit"),
]


def sheets(report: DailyReport) -> list[Sheet]:
    title = f"{labels.DAILY_TITLE}（{report.view.as_of:%Y-%m-%d}）"
    d = labels.DIMENSION
    return [
        Sheet("汇总", summary_frame(report), summary_cols(report.view.year), f"{title} · 汇总"),
        projection_sheet(report, title),
        Sheet("供电所", report.stations, ranking_cols(None), f"{title} · 供电所排名"),
        Sheet("线路", report.lines, ranking_cols("line"), f"{title} · {d['line']}排名"),
        Sheet("催费责任人", report.collectors, ranking_cols("collector"), f"{title} · {d['collector']}排名"),
        Sheet("风险分级", risk_frame(report), RISK_COLS, f"{title} · {labels.RISK['section']}（{rule(report)}）"),
        Sheet("风险等级变化", report.risk_moves.rename({"customers": "accounts"}), RISK_MOVES_COLS,
              f"{title} · {labels.RISK['moves'].format(day=month_end(report))}"),
        Sheet("违约金敞口", penalty_frame(report), PENALTY_COLS, f"{title} · {labels.REPORT['penalty']}"),
        Sheet("欠费前列", report.top_arrears, TOP_ARREARS_COLS,
              f"{title} · 欠费前 {TOP_ARREARS} 户（{labels.MASKED}）"),
        Sheet("银行代扣不足", report.bank_shortfall, BANK_SHORTFALL_COLS,
              f"{title} · 银行代扣不足提醒（{labels.MASKED}）"),
        Sheet("在途款项", report.in_transit, IN_TRANSIT_COLS, f"{title} · 已缴未入账（在途）"),
    ]


def rule(report: DailyReport) -> str:
    return collections.rule_text(report.settings.risk)


def month_end(report: DailyReport) -> str:
    return f"{collections.last_month_end(report.view.as_of):%Y-%m-%d}"


def to_xlsx(report: DailyReport) -> bytes:
    return write_sheets(sheets(report), report.header_lines())


# --- the text for the WeChat group -----------------------------------------------------------

def _change(delta, money: bool = True) -> str:
    if delta is None:
        return ""
    return f"（{labels.COMPARE['yesterday']} {fmt.wan_signed(delta) if money else fmt.count_signed(delta)}）"


def headline_lines(report: DailyReport) -> list[str]:
    t, m = report.total, labels.METRIC
    gap = "" if t["gap_to_target"] is None else \
        f"，{m['target']} {fmt.pct(t['target'])}，{labels.COMPARE['gap']} {fmt.points(t['gap_to_target'], True)}"
    return [
        f"{m['collected']} {fmt.wan(report.today['collected'])}（昨日 {fmt.wan(report.yesterday['collected'])}），"
        f"当日新发行电费 {fmt.wan(report.today['newly_billed'])}",
        f"{report.view.year} 年{m['billed']} {fmt.wan(t['billed'])}，{m['recovered']} {fmt.wan(t['recovered'])}，"
        f"{m['recovery_rate']} {fmt.pct(t['recovery_rate'])}{gap}",
        f"{m['prior_recovery_rate']} {fmt.pct(t['prior_recovery_rate'])}"
        f"（{m['prior_opening']} {fmt.wan(t['prior_opening'])}，{m['prior_recovered']} {fmt.wan(t['prior_recovered'])}），"
        f"{m['cumulative_rate']} {fmt.pct(t['cumulative_rate'])}",
        f"{m['arrears']} {fmt.wan(t['arrears'])}{_change(t['arrears_change'])}，"
        f"其中{m['arrears_current_year']} {fmt.wan(t['arrears_current_year'])}、"
        f"{m['arrears_prior_years']} {fmt.wan(t['arrears_prior_years'])}",
        f"{m['arrears_customers']} {fmt.count(t['arrears_customers'])}"
        f"{_change(t['arrears_customers_change'], money=False)}",
        f"{labels.PROJECTION['section']}：{sentence(report.projection)}",
    ]


def _header(names: list[str]) -> str:
    return "| " + " | ".join(names) + " |"


def collector_lines(report: DailyReport) -> list[str]:
    """The collectors in ranking.sql's order: every one, or the first and the last five."""
    m, text, R = labels.METRIC, fmt.markdown_text, labels.REPORT
    first, last = fmt.ends(report.collectors, COLLECTORS_TEXT)
    out = ["", f"**{labels.DIMENSION['collector']}排名**（{labels.RANKING_ORDER}" +
           (f"；{R['ends'].format(n=COLLECTORS_TEXT, total=report.collectors.height)}）" if last.height else "）"), ""]
    if first.is_empty():
        return out + [R["no_collectors"]]
    out += [_header([col("rank").label, col("station").label, col("collector").label, col("recovery_rate").label,
                     col("gap_to_target").label, labels.named(m["arrears"], "wan"), col("arrears_customers").label]),
            "|---:|---|---|---:|---:|---:|---:|"]
    for part in (first, last):
        if part is last and last.height:
            out.append("| … | | | | | | |")
        out += [f"| {r['rank']} | {text(r['station'])} | {text(r['collector'])} | {fmt.pct(r['recovery_rate'])} | "
                f"{fmt.points(r['gap_to_target'])} | {fmt.wan(r['arrears'], unit=False)} | "
                f"{fmt.count(r['arrears_customers'], unit=None)} |" for r in part.iter_rows(named=True)]
    return out


def risk_lines(report: DailyReport) -> list[str]:
    """Customers and arrears per grade against last month's end, and how many moved."""
    R = labels.REPORT
    then_now = collections.grades_then_and_now(report.risk_moves)
    kinds = collections.moves_by_kind(report.risk_moves)
    out = ["", f"**{labels.RISK['section']}**（{R['versus_month_end'].format(day=month_end(report))}）", ""]
    for r in report.risk.iter_rows(named=True):
        then, now = then_now[r["risk_grade"]]
        out.append(f"- {labels.RISK_GRADE_WORD[r['risk_grade']]} {fmt.count(r['customers'])}"
                   f"（{fmt.versus_month_end(now, then)}），"
                   f"{labels.METRIC['arrears']} {fmt.wan(r['arrears'])}")
    out.append("- " + "，".join(f"{labels.RISK_MOVE[k]} {fmt.count(kinds[k])}" for k in ("up", "down", "new", "cleared")))
    return out


def penalty_lines(report: DailyReport) -> list[str]:
    """The penalty exposure in total (and on how many bills), then per station."""
    p = report.penalty
    stations = "、".join(f"{fmt.markdown_text(r['station'])} {fmt.wan(r['penalty_exposure'])}"
                         for r in report.penalty_stations.iter_rows(named=True))
    return ["", f"**{labels.METRIC['penalty_exposure']}** {fmt.wan(p['penalty_exposure'])}"
                f"（{fmt.count(p['penalty_bills'], 'bills')}{labels.REPORT['penalty_note']}）"
            + (f"：{stations}" if report.penalty_stations.height > 1 else "")]


def to_markdown(report: DailyReport) -> str:
    m = labels.METRIC
    text = fmt.markdown_text  # data text: cut at 40 characters, Markdown punctuation escaped
    scope = labels.STAMP["scope"].format(scope=text(report.scope_text, limit=None))
    out = [f"**{labels.APP_TITLE} · {labels.DAILY_TITLE}**", f"{scope}｜{fmt.stamp(report.view.as_of)}", ""]
    out += [f"- {line}" for line in headline_lines(report)]
    out += ["", f"**{labels.DIMENSION['station']}排名**", "",
            _header([col("rank").label, col("station").label, col("recovery_rate").label, col("gap_to_target").label,
                     labels.named(m["arrears"], "wan"), col("arrears_customers").label]),
            "|---:|---|---:|---:|---:|---:|"]
    for r in report.stations.iter_rows(named=True):
        out.append(f"| {r['rank']} | {text(r['station'])} | {fmt.pct(r['recovery_rate'])} | "
                   f"{fmt.points(r['gap_to_target'])} | {fmt.wan(r['arrears'], unit=False)} | "
                   f"{fmt.count(r['arrears_customers'], unit=None)} |")
    out += collector_lines(report) + risk_lines(report) + penalty_lines(report)
    top = report.top_arrears.head(TOP_ARREARS_TEXT)
    out += ["", f"**欠费前 {TOP_ARREARS_TEXT} 户**（个人户名已脱敏）", ""]
    if top.is_empty():
        out.append("截至当日没有欠费。")
    else:
        names = ("customer_id", "customer_name", "risk_grade", "station", "village", "collector", "arrears",
                 "days_overdue")
        out += [_header([col(n).label for n in names]), "|---|---|---|---|---|---|---:|---:|"]
        for r in top.iter_rows(named=True):
            out.append(f"| {text(r['customer_id'])} | {text(r['customer_name'])} | {r['risk_grade_label']} | "
                       f"{text(r['station'])} | {text(r['village'] or labels.UNREGISTERED)} | "
                       f"{text(r['collector'] or labels.UNASSIGNED)} | "
                       f"{fmt.yuan(r['arrears'], unit=False)} | {r['days_overdue']} |")
    if not report.bank_shortfall.is_empty():
        shortfall = sum(report.bank_shortfall["shortfall"].to_list(), Decimal(0))
        out += ["", f"银行代扣不足 {fmt.count(report.bank_shortfall['customer_id'].n_unique())}，"
                    f"共 {fmt.yuan(shortfall)}，请催费责任人提醒补缴（明细见 Excel 日报）。"]
    return "\n".join(out) + "\n"
