"""Column specs for tables: a column's header is its name in queries/labels.py with the unit
of its kind (reports/format.py: 元 for money, 百分点 for points, …), so the screen, the Excel
file and the CSV all show it the same way. Pages, the daily report and the tests ask for a
column by its name alone: col("billed") is 应收电费（元） everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from queries import labels

from .format import CUT, KINDS, cut_column, percent, truncated_points


@dataclass(frozen=True)
class Col:
    name: str   # the frame's column
    label: str  # the header: name and unit
    kind: str = "text"  # a key of format.KINDS
    cut: int | None = CUT  # text on screen: characters shown before … (docs/DATA.md §4); None: whole


# Each column's kind (format.KINDS); its header is labels.named(the name in labels.METRIC,
# DIMENSION or COLUMN, the kind's unit).
KIND = {
    # the scope's dimensions
    "station": "text", "village": "text", "line": "text", "transformer": "text", "category": "text",
    "collector": "text", "industry": "text", "period": "month",
    # the figures of docs/DATA.md §3 (recovery_summary.sql, ranking.sql) and ranking.sql's comparisons
    "billed": "money", "recovered": "money", "recovery_rate": "rate", "target": "rate",
    "prior_opening": "money", "prior_recovered": "money", "prior_recovery_rate": "rate",
    "cumulative_rate": "rate", "arrears": "money", "arrears_current_year": "money",
    "arrears_prior_years": "money", "arrears_customers": "int", "arrears_bills": "int",
    "collected": "money", "newly_billed": "money", "basis": "text",
    "rank": "int", "gap_to_target": "points", "rate_change": "points", "arrears_change": "money",
    "arrears_customers_change": "int",
    # accounts, bills and payments
    "customer_id": "text", "customer_name": "text", "phone": "text", "is_high_energy": "bool",
    "is_key_account": "bool", "oldest_period": "month", "days_overdue": "days",
    "payment_id": "text", "bill_id": "text", "channel": "text", "paid_at": "time", "posted_at": "time",
    "payment_amount": "money", "days_in_transit": "days", "paid": "money", "shortfall": "money",
    # risk grades (docs/DATA.md §6): the grade and its reason in words (queries/collections.with_risk_words);
    # per grade, customers and arrears (collections.grade_table); moves since last month's end
    "risk_grade": "text", "risk_reason": "text", "penalty_exposure": "money", "penalty_bills": "int",
    "customers_high": "int", "customers_medium": "int", "customers_low": "int",
    "arrears_high": "money", "arrears_medium": "money", "arrears_low": "money",
    "grade_then": "text", "grade_now": "text", "move": "text", "arrears_then": "money", "arrears_now": "money",
    # energy and price
    "kwh": "kwh", "amount": "money", "price_per_kwh": "price", "accounts": "int", "amounts_12m": "spark",
    "latest_period": "month", "latest_amount": "money", "latest_kwh": "kwh",
    "latest_price_per_kwh": "price", "amount_ytd": "money",
    # the extract's files and findings
    "table_name": "text", "table_label": "text", "column_name": "text", "rule": "text", "rows": "int",
    "files": "int", "file": "text", "kilobytes": "kb", "examples": "text",
    # posting and penalties (docs/DATA.md §6)
    "paid_month": "month", "paid_day": "date", "latency_days": "days", "payments": "int", "posted_same_day": "int",
    "same_day_posting_rate": "rate", "due_on": "date", "rate_sum": "rate", "timing": "text",
    "penalty_avoided": "money",
    "settled_same_day": "money", "penalty_days_avoided": "int", "effective_from": "date",
    "rate_residential": "text", "rate_current_year": "text", "rate_cross_year": "text",
    "penalty_minimum": "money",
    # the collectors page: ranks, the chase list (risk_customers.sql, queries.collections.with_risk_words),
    # reminders (reports/reminders.py), bank shortfalls
    "rank_in_branch": "int", "rank_in_station": "int",
    "owed_months": "text", "last_paid_at": "time", "last_payment_amount": "money",
    "last_payment_channel": "text", "reminder": "text", "owed": "money",
    # key and high-energy accounts (key_accounts.sql, payment_slippage.sql) and instalment parts
    "outstanding": "money", "days_to_due": "days", "bill_status": "text",
    "plan_parts": "int", "next_part_due_on": "date", "next_part_amount": "money", "parts_missed": "int",
    "days_late_trend": "spark", "days_late_text": "text", "latest_days_late": "days",
    "bill_amount": "money", "part_due_on": "date", "part_amount": "money", "due_by_then": "money",
    "paid_by_due": "money", "paid_now": "money", "instalment_status": "text",
    # the year-end projection (queries/projection.py) in the daily report's sheet 年底预测
    "projected_rate": "rate", "projected_low": "rate", "projected_high": "rate", "projection_years": "text",
    "projected_billed": "money", "days_left": "days", "needed_daily": "money", "projection_note": "text",
    # the audit log (queries/audit.py, pages/audit.py)
    "audit_id": "int", "audit_at": "text", "audit_user": "text", "audit_role": "text", "audit_action": "text",
    "audit_page": "text", "audit_scope": "text", "audit_rows": "int", "audit_detail": "text",
}
SOURCE = {  # the frame's column, where it is not the name
    "payment_amount": "amount", "settled_same_day": "settled", "penalty_days_avoided": "penalty_days",
    "rate_residential": "residential", "rate_current_year": "current_year", "rate_cross_year": "cross_year",
    "penalty_minimum": "minimum",
    "rank_in_branch": "rank", "risk_grade": "risk_grade_label", "risk_reason": "risk_reason_text",
    "part_due_on": "due_on", "part_amount": "amount", "instalment_status": "status",
    **{f"audit_{f}": f for f in ("id", "at", "user", "role", "action", "page", "scope", "rows", "detail")},
}
SHOWN = {"rule": None, "file": 120, "examples": 5 * 60}  # characters on screen, where not CUT
CHANNELS = ("channel", "last_payment_channel")  # columns of channel codes, shown as labels.CHANNEL


def bare(name: str) -> str:
    """A column's name without its unit, for a slide whose title gives the units."""
    for names in (labels.METRIC, labels.DIMENSION, labels.COLUMN):
        if name in names:
            return names[name]
    raise KeyError(f"no label for column {name!r}: add it to queries/labels.py")


def col(name: str, year: int | None = None) -> Col:
    """The column `name`; with `year`, the figure of that 统计年度: 2021 年应收电费（元）."""
    kind = KIND[name]
    return Col(SOURCE.get(name, name), labels.named(bare(name), KINDS[kind].unit, year), kind,
               SHOWN.get(name, CUT))


def display_frame(df: pl.DataFrame, cols: list[Col], screen: bool = False) -> pl.DataFrame:
    """The columns in order, codes turned into Chinese labels, numbers as floats for display,
    rates as truncated percentages (so 99.996 % reads 99.99 %) and percentage points truncated
    the same way. On `screen`, text is cut at each column's `cut` (downloads keep it whole)."""
    out = []
    for c in cols:
        s = df.get_column(c.name)
        if c.name == "category":
            s = s.replace_strict(labels.CATEGORY, default=s, return_dtype=pl.Utf8)
        elif c.name in CHANNELS:
            s = s.replace_strict(labels.CHANNEL, default=s, return_dtype=pl.Utf8)
        elif c.name in ("grade_then", "grade_now"):
            s = s.replace_strict({**labels.RISK_GRADE, "none": labels.RISK_GRADE_NONE}, default=s,
                                 return_dtype=pl.Utf8)
        elif c.name == "move":
            s = s.replace_strict(labels.RISK_MOVE, default=s, return_dtype=pl.Utf8)
        elif c.name in ("village", "line"):
            s = s.fill_null(labels.UNREGISTERED)
        elif c.name == "collector":
            s = s.fill_null(labels.UNASSIGNED)
        if c.kind == "rate":
            s = pl.Series(c.name, [percent(v) for v in s.to_list()], dtype=pl.Float64)
        elif c.kind == "points":
            s = pl.Series(c.name, [None if v is None else float(truncated_points(v)) for v in s.to_list()],
                          dtype=pl.Float64)
        elif c.kind in ("money", "kwh", "price", "kb"):
            s = s.cast(pl.Float64)
        elif screen:
            s = cut_column(s, c.cut)
        out.append(s.alias(c.label))
    return pl.DataFrame(out)
