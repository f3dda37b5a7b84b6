"""Reminder texts (催费提醒短信) to copy into a text message or a village chat: one per customer
of the chase list (amount owed, the bills by month, the ways to pay, the penalty rule) and one
per bill of the bank-shortfall list (owed, posted, shortfall). The wording is labels.REMINDER;
the penalty rule is the settings' row in force on the as-of date (queries/collections.toml).
Names come as the question gave them: masked unless the page asked for them whole."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import polars as pl

from queries import labels
from queries.collections import PenaltyRate, Settings

from . import format as fmt


def rate_in_force(settings: Settings, as_of: dt.date) -> PenaltyRate | None:
    """The penalty rate row in force on `as_of` (the latest effective_from on or before it)."""
    rows = [r for r in settings.penalty_rates if r.effective_from <= as_of]
    return max(rows, key=lambda r: r.effective_from) if rows else None


def permille(rate: Decimal) -> str:
    """A daily rate as ‰: 0.002 → 2‰, 0.0005 → 0.5‰."""
    return f"{(Decimal(rate) * 1000).normalize():f}‰"


def penalty_rule(settings: Settings, as_of: dt.date, category: str | None) -> str:
    """The penalty rule of a customer's category in words, as in force on `as_of`; nothing when
    no rate row is in force yet."""
    row = rate_in_force(settings, as_of)
    if row is None:
        return ""
    minimum = fmt.yuan(row.minimum, unit=False)
    if category == "residential":
        return labels.REMINDER["rule_residential"].format(residential=permille(row.residential), minimum=minimum)
    return labels.REMINDER["rule_other"].format(current_year=permille(row.current_year),
                                                cross_year=permille(row.cross_year), minimum=minimum)


def month_text(period: dt.date) -> str:
    return labels.REMINDER["month"].format(year=period.year, month=period.month)


def bills_text(bills: list[tuple[dt.date, Decimal]]) -> str:
    """The months owed: each with its amount up to labels.REMINDER_BILLS_LISTED months, else
    the first and last month and how many. `bills` are (bill month, amount owed), any order."""
    months: dict[dt.date, Decimal] = defaultdict(Decimal)
    for period, amount in bills:
        months[period] += Decimal(str(amount))
    ordered = sorted(months.items())
    if len(ordered) <= labels.REMINDER_BILLS_LISTED:
        return "、".join(labels.REMINDER["bill"].format(month=month_text(p), amount=fmt.yuan(a, unit=False))
                        for p, a in ordered)
    return labels.REMINDER["bills_many"].format(first=month_text(ordered[0][0]), last=month_text(ordered[-1][0]),
                                                n=len(ordered))


def months_column(bills: list[tuple[dt.date, Decimal]]) -> str:
    """The months owed for a table cell: 2021-03、2021-04, or 2020-01…2021-03（15 个月）."""
    months = sorted({p for p, _ in bills})
    if len(months) <= 3:
        return "、".join(f"{p:%Y-%m}" for p in months)
    return f"{months[0]:%Y-%m}…{months[-1]:%Y-%m}（{len(months)} 个月）"


def channels_text() -> str:
    names = [labels.CHANNEL[c] for c in labels.REMINDER_CHANNELS]
    return "、".join(names[:-1]) + labels.REMINDER["or"] + names[-1] if len(names) > 1 else "".join(names)


def _sign(row: dict) -> str:
    if row["collector"] is None:
        return labels.REMINDER["sign_station"].format(station=row["station"])
    return labels.REMINDER["sign"].format(station=row["station"], collector=row["collector"])


def owed_bills(bills: pl.DataFrame) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """{customer_id: [(bill month, amount owed)]} from penalty_exposure.sql's rows per bill."""
    out: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for customer_id, period, arrears in bills.select("customer_id", "period", "arrears").iter_rows():
        out[customer_id].append((period, arrears))
    return out


def with_reminders(chase: pl.DataFrame, bills: pl.DataFrame, settings: Settings, as_of: dt.date) -> pl.DataFrame:
    """The chase list (queries.collections.risk_customers) with two more columns: owed_months
    (for a table cell) and reminder (the text to copy). `bills` are penalty_exposure.sql's rows
    per bill for the same scope and date."""
    by_customer = owed_bills(bills)
    day = labels.REMINDER["day"].format(year=as_of.year, month=as_of.month, day=as_of.day)
    channels = channels_text()
    months, texts = [], []
    for row in chase.iter_rows(named=True):
        owed = by_customer.get(row["customer_id"], [])
        months.append(months_column(owed))
        texts.append(labels.REMINDER["chase"].format(
            name=row["customer_name"] or labels.REMINDER["customer"], day=day, customer_id=row["customer_id"],
            arrears=fmt.yuan(row["arrears"], unit=False), bills=bills_text(owed), channels=channels,
            rule=penalty_rule(settings, as_of, row["category"]),
            penalty=fmt.yuan(row["penalty_exposure"], unit=False), sign=_sign(row)))
    return chase.with_columns(pl.Series("owed_months", months, dtype=pl.String),
                              pl.Series("reminder", texts, dtype=pl.String))


def with_shortfall_reminders(shortfall: pl.DataFrame, settings: Settings, as_of: dt.date) -> pl.DataFrame:
    """bank_shortfall.sql's rows with a reminder per bill: owed, posted, the shortfall to pay."""
    channels = channels_text()
    texts = [labels.REMINDER["shortfall"].format(
        name=row["customer_name"] or labels.REMINDER["customer"], customer_id=row["customer_id"],
        month=month_text(row["period"]), owed=fmt.yuan(row["owed"], unit=False),
        paid=fmt.yuan(row["paid"], unit=False), shortfall=fmt.yuan(row["shortfall"], unit=False),
        days=row["days_overdue"], channels=channels, rule=penalty_rule(settings, as_of, row["category"]),
        sign=_sign(row)) for row in shortfall.iter_rows(named=True)]
    return shortfall.with_columns(pl.Series("reminder", texts, dtype=pl.String))
