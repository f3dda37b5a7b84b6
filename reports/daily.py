"""The manager's daily brief (日报, DOMAIN): today's collections and new bills, the year to
date in the three scopes, arrears with the change since yesterday, rankings with the gap to
target, and the lists to chase, for one view (as-of date, year, scope). Built from
query-layer calls only: the gaps and changes come from ranking.sql. Rendered as an .xlsx for
filing and as compact Markdown for pasting into a WeChat group. Personal data stays masked:
no call here asks for show_personal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from queries import Extract, View, labels

from . import format as fmt
from .columns import Col, col
from .style import points
from .xlsx import Sheet, write_sheets

TOP_ARREARS = 50        # rows of the 欠费前列 sheet
TOP_ARREARS_TEXT = 10   # rows of the Markdown list


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
    top_arrears: pl.DataFrame
    bank_shortfall: pl.DataFrame
    in_transit: pl.DataFrame

    @property
    def scope_text(self) -> str:
        return fmt.scope_text(self.view.scope)

    def header_lines(self) -> list[str]:
        v = self.view
        return [f"范围：{self.scope_text}",
                f"数据截至 {fmt.date_cn(v.as_of)}（统计年度 {v.year}；较昨日指与 {fmt.date_cn(v.yesterday)} 相比）",
                f"数据：{self.view.extract_name}"]


# --- building ------------------------------------------------------------------------------

def ranking(ex: Extract, view: View, group_by: str, as_of: dt.date | None = None) -> pl.DataFrame:
    """ranking.sql for the view (at `as_of`, default the view's date); a line's or a
    collector's name in a column of its own."""
    df = ex.query("ranking", view.scope, as_of=as_of or view.as_of, year=view.year, group_by=group_by)
    if group_by == "line":
        return df.with_columns(pl.col("member").alias("line"))
    if group_by == "collector":
        return df.with_columns(pl.col("member").fill_null(labels.UNREGISTERED).alias("collector"))
    return df


def build(ex: Extract, view: View) -> DailyReport:
    """The brief of a view: its scope, as of its date, for its year."""
    days = ex.query("collections_daily", view.scope, date_from=view.yesterday, date_to=view.as_of)
    by_day = {r["day"]: r for r in days.to_dicts()}
    return DailyReport(
        view=view,
        total=ranking(ex, view, "total").row(0, named=True),
        total_before=ranking(ex, view, "total", as_of=view.yesterday).row(0, named=True),
        today=by_day[view.as_of],
        yesterday=by_day[view.yesterday],
        stations=ranking(ex, view, "station"),
        lines=ranking(ex, view, "line"),
        collectors=ranking(ex, view, "collector"),
        top_arrears=ex.query("arrears_accounts", view.scope, as_of=view.as_of, show_personal=False,
                             limit=TOP_ARREARS),
        bank_shortfall=ex.query("bank_shortfall", view.scope, as_of=view.as_of, show_personal=False),
        in_transit=ex.query("payments_in_transit", view.scope, as_of=view.as_of, show_personal=False),
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
        r = {"row": label, "collected": day["collected"], "newly_billed": day["newly_billed"]}
        r.update({k: total[k] for k in SUMMARY_MONEY[2:] + SUMMARY_RATES + ("gap_to_target", "arrears_customers")})
        return r

    now = row(f"截至 {report.view.as_of:%Y-%m-%d}（当日）", report.total, report.today)
    before = row(f"截至 {report.view.yesterday:%Y-%m-%d}（昨日）", report.total_before, report.yesterday)
    # the sheet's own third row: each column of the first row less the second
    change = {"row": "较昨日（比率为百分点）"}
    for key in now:
        if key != "row":
            change[key] = _diff(now[key], before[key])
    money = {k: pl.Decimal(38, 2) for k in SUMMARY_MONEY}
    floats = {k: pl.Float64 for k in SUMMARY_RATES + ("gap_to_target",)}
    return pl.DataFrame([now, before, change], schema={"row": pl.Utf8, **money, **floats,
                                                       "arrears_customers": pl.Int64}, orient="row") \
        .select("row", *SUMMARY_MONEY[:2], "billed", "recovered", "recovery_rate", "target", "gap_to_target",
                "prior_opening", "prior_recovered", "prior_recovery_rate", "cumulative_rate",
                "arrears", "arrears_current_year", "arrears_prior_years", "arrears_customers")


def summary_cols(year: int) -> list[Col]:
    return [
        col("row", "口径"),
        col("collected", f"{labels.METRIC['collected']}（元）", "money"),
        col("newly_billed", "当日新发行电费（元）", "money"),
        col("billed", f"{year} 年{labels.METRIC['billed']}（元）"),
        col("recovered", f"{year} 年{labels.METRIC['recovered']}（元）"),
        col("recovery_rate", f"{year} 年{labels.METRIC['recovery_rate']}"),
        col("target"), col("gap_to_target"),
        col("prior_opening"), col("prior_recovered"), col("prior_recovery_rate"), col("cumulative_rate"),
        col("arrears"), col("arrears_current_year"), col("arrears_prior_years"), col("arrears_customers"),
    ]


def ranking_cols(member: str | None) -> list[Col]:
    keys = [col("station")] + ([col(member)] if member else [])
    return [
        col("rank", "名次", "int"), *keys,
        col("recovery_rate"), col("target"), col("gap_to_target"),
        col("rate_change", "回收率较昨日（百分点）", "share"),
        col("billed"), col("recovered"), col("cumulative_rate"),
        col("arrears"), col("arrears_change", "欠费较昨日（元）", "money"),
        col("arrears_customers"), col("arrears_customers_change", "欠费户数较昨日", "int"),
    ]


TOP_ARREARS_COLS = [
    col("customer_id"), col("customer_name"), col("phone"), col("station"), col("village"), col("line"),
    col("category"), col("collector"), col("arrears"), col("arrears_current_year"), col("arrears_prior_years"),
    col("arrears_bills"), col("oldest_period"), col("days_overdue"),
]
BANK_SHORTFALL_COLS = [
    col("customer_id"), col("customer_name"), col("phone"), col("station"), col("village"), col("collector"),
    col("bill_id", "电费单号"), col("period"), col("paid", "银行已扣（元）", "money"),
    col("shortfall", "不足金额（元）", "money"), col("days_overdue"),
]
IN_TRANSIT_COLS = [
    col("payment_id", "付款流水号"), col("customer_id"), col("customer_name"), col("station"), col("village"),
    col("collector"), col("channel", "缴费渠道"), col("paid_at", "缴费日期", "date"), col("amount", "金额（元）", "money"),
    col("days_in_transit", "在途天数", "days"),
]


def sheets(report: DailyReport) -> list[Sheet]:
    title = f"电费回收日报（{report.view.as_of:%Y-%m-%d}）"
    return [
        Sheet("汇总", summary_frame(report), summary_cols(report.view.year), f"{title} · 汇总"),
        Sheet("供电所", report.stations, ranking_cols(None), f"{title} · 供电所排名"),
        Sheet("线路", report.lines, ranking_cols("line"), f"{title} · 10kV 线路排名"),
        Sheet("催费责任人", report.collectors, ranking_cols("collector"), f"{title} · 抄表催费责任人排名"),
        Sheet("欠费前列", report.top_arrears, TOP_ARREARS_COLS,
              f"{title} · 欠费前 {TOP_ARREARS} 户（个人户名、电话已脱敏）"),
        Sheet("银行代扣不足", report.bank_shortfall, BANK_SHORTFALL_COLS,
              f"{title} · 银行代扣不足提醒（个人户名、电话已脱敏）"),
        Sheet("在途款项", report.in_transit, IN_TRANSIT_COLS, f"{title} · 已缴未入账（在途）"),
    ]


def to_xlsx(report: DailyReport) -> bytes:
    return write_sheets(sheets(report), report.header_lines())


# --- the text for the WeChat group -----------------------------------------------------------

def _change(delta, money: bool = True) -> str:
    if delta is None:
        return ""
    return f"（较昨日 {fmt.wan_signed(delta) if money else fmt.count_signed(delta)}）"


def headline_lines(report: DailyReport) -> list[str]:
    t, m = report.total, labels.METRIC
    gap = "" if t["gap_to_target"] is None else \
        f"，{m['target']} {fmt.pct(t['target'])}，差 {points(t['gap_to_target'])} 个百分点"
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
    ]


def to_markdown(report: DailyReport) -> str:
    m = labels.METRIC
    text = fmt.markdown_text  # data text: cut at 40 characters, Markdown punctuation escaped
    out = [f"**{labels.APP_TITLE} · 电费回收日报**",
           f"范围：{text(report.scope_text, limit=None)}｜数据截至 {fmt.date_cn(report.view.as_of)}", ""]
    out += [f"- {line}" for line in headline_lines(report)]
    out += ["", "**供电所排名**", "",
            f"| 名次 | 供电所 | {m['recovery_rate']} | 与目标差（百分点） | {m['arrears']}（万元） | {m['arrears_customers']} |",
            "|---:|---|---:|---:|---:|---:|"]
    for r in report.stations.iter_rows(named=True):
        out.append(f"| {r['rank']} | {text(r['station'])} | {fmt.pct(r['recovery_rate'])} | "
                   f"{points(r['gap_to_target'])} | {fmt.wan(r['arrears'], unit=False)} | "
                   f"{fmt.count(r['arrears_customers'], unit='')} |")
    top = report.top_arrears.head(TOP_ARREARS_TEXT)
    out += ["", f"**欠费前 {TOP_ARREARS_TEXT} 户**（个人户名已脱敏）", ""]
    if top.is_empty():
        out.append("截至当日没有欠费。")
    else:
        out += ["| 户号 | 户名 | 供电所 | 村/社区 | 催费责任人 | 欠费（元） | 逾期天数 |",
                "|---|---|---|---|---|---:|---:|"]
        for r in top.iter_rows(named=True):
            out.append(f"| {text(r['customer_id'])} | {text(r['customer_name'])} | {text(r['station'])} | "
                       f"{text(r['village'] or labels.UNREGISTERED)} | "
                       f"{text(r['collector'] or labels.UNREGISTERED)} | "
                       f"{fmt.yuan(r['arrears']).removesuffix(' 元')} | {r['days_overdue']} |")
    if not report.bank_shortfall.is_empty():
        shortfall = sum(report.bank_shortfall["shortfall"].to_list(), Decimal(0))
        out += ["", f"银行代扣不足 {fmt.count(report.bank_shortfall['customer_id'].n_unique())}，"
                    f"共 {fmt.yuan(shortfall)}，请催费责任人提醒补缴（明细见 Excel 日报）。"]
    return "\n".join(out) + "\n"
