"""Collection operations (docs/DATA.md §6): the settings the questions are asked with (penalty
rates, risk thresholds and the watch list's, queries/collections.toml or the file FEE_SETTINGS
names), the Chinese reason of a risk grade, and the §6 JSON of `python -m queries collections`."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path

import polars as pl

from . import labels
from .extract import Extract, Scope
from .summary import _values, default_view
from .view import View

SETTINGS_FILE = Path(__file__).with_name("collections.toml")
SETTINGS_ENV = "FEE_SETTINGS"
GRADES = ("high", "medium", "low")
MOVES = ("up", "down", "new", "cleared", "same")  # risk_grade_moves.sql's kinds of move
INSTALMENT_STATUSES = ("upcoming", "on_time", "late", "missed")


class SettingsError(ValueError):
    """A settings file that cannot be used; str(exc) is the Chinese message naming file and key."""


@dataclass(frozen=True)
class PenaltyRate:
    """One row of daily penalty rates, in force from effective_from until the next row's."""
    effective_from: dt.date
    residential: Decimal
    current_year: Decimal
    cross_year: Decimal
    minimum: Decimal


@dataclass(frozen=True)
class RiskThresholds:
    high_days_overdue: int
    high_arrears: Decimal
    medium_days_overdue: int
    medium_average_bill_multiple: Decimal
    medium_late_bills: int


@dataclass(frozen=True)
class WatchThresholds:
    """When a key or high-energy account's payments are slipping (the watch list, 关注名单)."""
    rises: int          # its latest `rises` bill months each paid later than the month before
    min_rise_days: int  # by at least this many days


@dataclass(frozen=True)
class Settings:
    penalty_rates: tuple[PenaltyRate, ...]
    risk: RiskThresholds
    watch: WatchThresholds
    source: str  # the file(s) read, for messages

    def params(self) -> dict[str, object]:
        """The query parameters: $penalty_rates (a list of structs), $risk and $watch (structs).
        Decimals travel as text and are cast in SQL, so every row has the same struct type."""
        return {
            "penalty_rates": [{f.name: _bound(getattr(r, f.name)) for f in fields(PenaltyRate)}
                              for r in self.penalty_rates],
            "risk": {f.name: _bound(getattr(self.risk, f.name)) for f in fields(RiskThresholds)},
            "watch": {f.name: getattr(self.watch, f.name) for f in fields(WatchThresholds)},
        }


def _bound(value):
    return str(value) if isinstance(value, Decimal) else value


def load_settings(path: str | Path | None = None) -> Settings:
    """The shipped settings, overlaid by the file at `path`, else by the file the environment
    variable FEE_SETTINGS names: its keys replace the shipped ones, a [[penalty.rates]] list
    replaces the whole list. Read on every call (a few microseconds), so an edit counts at once."""
    merged = _read(SETTINGS_FILE)
    override = path or os.environ.get(SETTINGS_ENV) or None
    sources = [str(SETTINGS_FILE)]
    if override:
        extra = _read(Path(override))
        for section, values in extra.items():
            if isinstance(values, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **values}
            else:
                merged[section] = values
        sources.append(str(override))
    return _parse(merged, " + ".join(sources))


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f, parse_float=Decimal)
    except OSError as exc:
        raise SettingsError(labels.SETTINGS["unreadable"].format(file=path, error=exc.strerror or exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(labels.SETTINGS["not_toml"].format(file=path, error=exc)) from None


def _parse(data: dict, source: str) -> Settings:
    def bad(key: str, rule: str) -> SettingsError:
        return SettingsError(labels.SETTINGS["bad_value"].format(file=source, key=key, rule=rule))

    def known_keys(table: dict, allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:  # a misspelt key would otherwise go unnoticed
                raise bad(f"{where}{key}", labels.SETTINGS["unknown"].format(allowed="、".join(allowed)))

    def number(table: dict, key: str, where: str, high: int, integer: bool = False, low: int = 0) -> Decimal | int:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or (integer and not isinstance(value, int)) \
                or (isinstance(value, Decimal) and not value.is_finite()) or not low <= value < high:
            rule = labels.SETTINGS["whole_number" if integer else "number"].format(low=low, high=f"{high:,}")
            raise bad(f"{where}{key}", rule)
        return value if integer else Decimal(value)

    known_keys(data, ("penalty", "risk", "watch"), "")
    penalty = data.get("penalty")
    rows = penalty.get("rates") if isinstance(penalty, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        raise bad("penalty.rates", labels.SETTINGS["no_rates"])
    known_keys(penalty, ("rates",), "penalty.")
    rates = []
    for i, row in enumerate(rows, start=1):
        where = f"penalty.rates[{i}]."
        known_keys(row, tuple(f.name for f in fields(PenaltyRate)), where)
        day = row.get("effective_from")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise bad(f"{where}effective_from", labels.SETTINGS["date"])
        # a daily rate is a fraction of the amount owed; a minimum is money (under 10^12 元)
        rates.append(PenaltyRate(day, *(number(row, k, where, 1) for k in ("residential", "current_year", "cross_year")),
                                 number(row, "minimum", where, 10**12)))
    rates.sort(key=lambda r: r.effective_from)
    days = [r.effective_from for r in rates]
    if len(set(days)) < len(days):
        raise bad("penalty.rates", labels.SETTINGS["same_day"])
    risk = data.get("risk")
    if not isinstance(risk, dict):
        raise bad("risk", labels.SETTINGS["missing"])
    known_keys(risk, tuple(f.name for f in fields(RiskThresholds)), "risk.")
    thresholds = RiskThresholds(
        high_days_overdue=number(risk, "high_days_overdue", "risk.", 100_000, integer=True),
        high_arrears=number(risk, "high_arrears", "risk.", 10**12),
        medium_days_overdue=number(risk, "medium_days_overdue", "risk.", 100_000, integer=True),
        medium_average_bill_multiple=number(risk, "medium_average_bill_multiple", "risk.", 1_000_000),
        medium_late_bills=number(risk, "medium_late_bills", "risk.", 100_000, integer=True),
    )
    watch = data.get("watch")
    if not isinstance(watch, dict):
        raise bad("watch", labels.SETTINGS["missing"])
    known_keys(watch, tuple(f.name for f in fields(WatchThresholds)), "watch.")
    # at least one rise of at least a day: an account paying equally late every month is not slipping
    watch_list = WatchThresholds(rises=number(watch, "rises", "watch.", 100, integer=True, low=1),
                                 min_rise_days=number(watch, "min_rise_days", "watch.", 100_000, integer=True, low=1))
    return Settings(tuple(rates), thresholds, watch_list, source)


# --- risk grades in words -----------------------------------------------------------------

def _yuan(value) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _plain(value) -> str:
    return f"{Decimal(str(value)).normalize():,f}"


def reason_text(row: dict, risk: RiskThresholds) -> str:
    """The Chinese reason of a risk_grades row (its risk_reason clause, with the figures)."""
    return labels.RISK_REASON[row["risk_reason"]].format(
        days_overdue=row["days_overdue"],
        arrears=_yuan(row["arrears"]),
        arrears_prior_years=_yuan(row["arrears_prior_years"]),
        average_monthly_bill=_yuan(row["average_monthly_bill"] or 0),
        late_bills=row["late_bills_12m"],
        high_days_overdue=risk.high_days_overdue,
        high_arrears=_plain(risk.high_arrears),
        medium_days_overdue=risk.medium_days_overdue,
        multiple=_plain(risk.medium_average_bill_multiple),
        medium_late_bills=risk.medium_late_bills,
    )


def with_risk_words(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """A frame of risk_customers (or risk_grades rows) with the grade and its reason in
    Chinese: columns risk_grade_label (高 / 中 / 低) and risk_reason_text."""
    return frame.with_columns(
        pl.col("risk_grade").replace_strict(labels.RISK_GRADE, return_dtype=pl.String).alias("risk_grade_label"),
        pl.Series("risk_reason_text", [reason_text(r, settings.risk) for r in frame.iter_rows(named=True)],
                  dtype=pl.String),
    )


def rule_text(risk: RiskThresholds) -> str:
    """The default rule of docs/DATA.md §6 in words, with the thresholds in force."""
    return labels.RISK["rule"].format(
        high_days_overdue=risk.high_days_overdue, high_arrears=_plain(risk.high_arrears),
        medium_days_overdue=risk.medium_days_overdue, multiple=_plain(risk.medium_average_bill_multiple),
        medium_late_bills=risk.medium_late_bills)


def rate_in_force(settings: Settings, day: dt.date) -> PenaltyRate | None:
    """The penalty rate row in force on `day` (None before the first)."""
    rows = [r for r in settings.penalty_rates if r.effective_from <= day]
    return rows[-1] if rows else None


def grade_table(summary: pl.DataFrame) -> pl.DataFrame:
    """risk_grade_summary's rows (a group and a grade each) as one row per group, in its order:
    customers and arrears per grade (customers_high, arrears_high, …) and in all
    (arrears_customers, arrears, penalty_exposure)."""
    def of(grade: str, column: str) -> pl.Expr:
        return pl.col(column).filter(pl.col("risk_grade") == grade).sum().alias(f"{column}_{grade}")

    return summary.group_by("station", "member", maintain_order=True).agg(
        *(of(g, "customers") for g in GRADES), *(of(g, "arrears") for g in GRADES),
        pl.col("customers").sum().alias("arrears_customers"), pl.col("arrears").sum(),
        pl.col("penalty_exposure").sum())


def last_month_end(as_of: dt.date) -> dt.date:
    """The day risk_grade_moves compares D with: the last day of the month before D's."""
    return as_of.replace(day=1) - dt.timedelta(days=1)


def moves_summary(moves: pl.DataFrame) -> pl.DataFrame:
    """risk_grade_moves' rows per kind of move, every kind in the order of MOVES: customers,
    their arrears at the end of last month and at D."""
    kinds = moves.group_by("move").agg(pl.col("customers", "arrears_then", "arrears_now").sum())
    return pl.DataFrame({"move": MOVES}).join(kinds, on="move", how="left", maintain_order="left") \
        .with_columns(pl.col("customers").fill_null(0), pl.col("arrears_then", "arrears_now").fill_null(0))


def moves_by_kind(moves: pl.DataFrame) -> dict[str, int]:
    """Customers per kind of move (up, down, new, cleared, same) in risk_grade_moves' rows."""
    summary = moves_summary(moves)
    return {m: int(n) for m, n in zip(summary["move"], summary["customers"])}


def grades_then_and_now(moves: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """Customers per grade at the end of last month and at D, from risk_grade_moves' rows."""
    def per(key: str) -> dict:
        return dict(moves.group_by(key).agg(pl.col("customers").sum()).iter_rows())

    then, now = per("grade_then"), per("grade_now")
    return {g: (int(then.get(g) or 0), int(now.get(g) or 0)) for g in GRADES}


def risk_customers(ex: Extract, view: View, show_personal: bool = False, settings: Settings | None = None,
                   limit: int = 0) -> pl.DataFrame:
    """The chase list of a view (risk_customers.sql) with the grade and reason in Chinese;
    names and phones masked unless asked for, and always when the view is presented."""
    settings = settings or load_settings()
    frame = ex.query("risk_customers", view.scope, as_of=view.as_of,
                     show_personal=show_personal and not view.presentation, limit=limit, **settings.params())
    return with_risk_words(frame, settings)


# --- the §6 command-line answer -----------------------------------------------------------

def collections(ex: Extract, view: View | None = None, *, as_of: dt.date | None = None,
                scope: Scope | None = None, settings: Settings | None = None) -> dict:
    """docs/DATA.md §6 as plain Python values: money rounded to 0.01, rates unrounded or None.
    by_collector uses D's year, one row per collector name (null last)."""
    view = view or default_view(ex, as_of, None, scope)
    params = (settings or load_settings()).params()
    d, scope = view.as_of, view.scope

    collectors = ex.query("recovery_summary", scope, as_of=d, year=d.year, group_by="collector_name").to_dicts()
    collectors.sort(key=lambda r: (r["member"] is None, r["member"] or ""))
    posting = ex.query("posting_summary", scope, as_of=d).to_dicts()[0]
    penalty = ex.query("penalty_exposure", scope, as_of=d, group_by="total", **params).to_dicts()[0]
    grades = {r["risk_grade"]: r for r in
              ex.query("risk_grade_summary", scope, as_of=d, group_by="total", **params).to_dicts()}
    statuses = {r["status"]: r["parts"] for r in ex.query("instalment_status", scope, as_of=d).to_dicts()}

    stations = scope.stations
    return {
        "as_of": d.isoformat(),
        "station": stations[0] if len(stations) == 1 else None,
        "by_collector": [{"collector": r["member"], **_values(r)} for r in collectors],
        "posting": {
            "payments": int(posting["payments"]),
            "posted_same_day": int(posting["posted_same_day"]),
            "same_day_posting_rate": posting["same_day_posting_rate"],
            "in_transit": int(posting["in_transit"]),
            "in_transit_amount": _money(posting["in_transit_amount"]),
        },
        "penalty_exposure": _money(penalty["penalty_exposure"]),
        "penalty_bills": int(penalty["penalty_bills"]),
        "risk": {g: {"customers": int(grades.get(g, {}).get("customers") or 0),
                     "arrears": _money(grades.get(g, {}).get("arrears"))} for g in GRADES},
        "instalments": {s: int(statuses.get(s) or 0) for s in INSTALMENT_STATUSES},
    }


def _money(value) -> float:
    return round(float(value or 0), 2)
