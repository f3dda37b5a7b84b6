"""Every question of queries/sql with realistic parameters, for tests that ask them all: the
access tests (every question under a user's View) and the refresh tests (every question of a
refreshed cache against a full build).

A caller checks `sorted(parameter_sets(ex)) == question_names()`, so a new .sql file fails
those tests until it is given its parameters here."""

from __future__ import annotations

import datetime as dt

from queries import Extract, Scope
from queries.collections import load_settings

# Two stations of the shipped sample, for filter_options' station choices.
QIANGANG, CHENGJIAO = "千钢供电所", "城郊供电所"


def parameter_sets(ex: Extract, as_of: dt.date | None = None) -> dict[str, list[dict]]:
    """Each question's parameters as of `as_of` (default: the extract's default as-of date);
    a question with a grouping is asked once per grouping. The key accounts asked about one by
    one (account_monthly) are those of `ex` on that day."""
    day = as_of or ex.default_as_of
    settings = load_settings().params()
    base = dict(as_of=day, year=day.year, show_personal=True, limit=0, **settings)
    key_accounts = ex.query("key_accounts", Scope(), as_of=day, show_personal=False)["customer_id"].to_list()

    def groups(*names: str) -> list[dict]:
        return [dict(base, group_by=g) for g in names]

    return {
        "account_monthly": [dict(base, customer_id=c) for c in key_accounts],
        "arrears_accounts": [base, dict(base, grades=["high"]), dict(base, grades=["medium", "low"])],
        "arrears_aging": [base],
        "arrears_by_group": groups("total", "station", "village", "line"),
        "bank_shortfall": [base],
        "collections_by_channel": [dict(base, month=None), dict(base, month=day.replace(day=1))],
        "collections_daily": [dict(date_from=day.replace(month=1, day=1), date_to=day)],
        "data_findings": [{}],
        "extract_tables": [{}],
        "filter_options": [dict(stations=[]), dict(stations=[QIANGANG]), dict(stations=[CHENGJIAO])],
        "high_energy_by_industry": [base],
        "high_energy_customers": [base],
        "high_energy_monthly": [base],
        "in_transit_aging": [base],
        "instalment_parts": [base],
        "instalment_status": [base],
        "key_accounts": [base],
        "payment_slippage": [base],
        "payments_in_transit": [base],
        "penalty_accounts": groups("customer", "bill"),
        "penalty_avoided_by_same_day_posting": groups("total", "station", "channel", "timing"),
        "penalty_exposure": groups("total", "station", "village", "collector", "customer", "bill"),
        "posting_latency": [base],
        "posting_same_day": groups("total", "channel", "station", "collector", "month"),
        "posting_summary": [base],
        "ranking": groups("total", "station", "village", "line", "transformer", "category", "collector",
                          "collector_name"),
        "recovery_by_month": [base],
        "recovery_curve_daily": [dict(as_of=day, period_from=dt.date(day.year, 1, 1),
                                      period_to=dt.date(day.year, 12, 1)),
                                 dict(as_of=day, period_from=day.replace(day=1), period_to=day.replace(day=1))],
        "recovery_projection": [base],
        "recovery_summary": groups("total", "station", "village", "line", "transformer", "category", "collector",
                                   "collector_name"),
        "risk_customers": [base],
        "risk_grade_moves": [base],
        "risk_grade_summary": groups("total", "station", "village", "collector"),
    }
