"""A second implementation of CONTRACT §3, written the plain way: bill by bill, in polars,
straight from the three tables, sharing nothing with the query layer (no SQL, no rollups).

`reference(customers, bills, payments, as_of, year)` answers the §5 `total` keys for one
scope (optionally one station, or any filter on the customer columns); `reference_groups`
answers the by_station / by_village / by_line rows, leaving out what §5 leaves out.
Money comes back as exact `Decimal`, counts as `int`, rates as `float` or `None`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

MONEY = pl.Decimal(38, 2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

MONEY_KEYS = ("billed", "recovered", "prior_opening", "prior_recovered", "arrears",
              "arrears_current_year", "arrears_prior_years")
RATE_KEYS = ("recovery_rate", "prior_recovery_rate", "cumulative_rate")
KEYS = MONEY_KEYS + RATE_KEYS + ("arrears_customers",)


def _pos(expr: pl.Expr) -> pl.Expr:
    """max(0, expr) for a money expression."""
    return pl.when(expr > 0).then(expr).otherwise(pl.lit(0).cast(MONEY))


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    """Σ of a money column; 0 for no rows (never None)."""
    if frame.height == 0:
        return ZERO
    value = frame[column].sum()
    return ZERO if value is None else Decimal(value).quantize(CENT)


def _rate(numerator: Decimal, denominator: Decimal) -> float | None:
    """numerator / denominator, null where the denominator is 0 (CONTRACT §3)."""
    return None if denominator == 0 else float(numerator) / float(denominator)


def _money(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("amount").cast(MONEY))


def load(data_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """customers, bills, payments of a data directory (a single `<table>.parquet` or a
    `<table>/` folder of Parquet files), money as DECIMAL(38,2) — a DOUBLE rounded to the fen."""

    def read(name: str) -> pl.DataFrame:
        single = data_dir / f"{name}.parquet"
        if single.exists():
            return pl.read_parquet(single)
        files = sorted((data_dir / name).rglob("*.parquet"))
        return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")

    def money(frame: pl.DataFrame) -> pl.DataFrame:
        if frame.schema["amount"].is_float():
            return frame.with_columns(pl.col("amount").round(2).cast(MONEY))
        return _money(frame)

    return read("customers"), money(read("bills")), money(read("payments"))


def default_as_of(bills: pl.DataFrame, payments: pl.DataFrame) -> dt.date | None:
    """D's default (CONTRACT §3): the date of the latest plausible posted_at — not before
    1990-01-01 and not more than 366 days after the latest issued_on (any bill of the extract)."""
    posted = payments.filter(pl.col("posted_at").is_not_null())["posted_at"].dt.date().to_list()
    latest_issue = bills["issued_on"].max() if bills.height else None
    plausible = [p for p in posted if p >= dt.date(1990, 1, 1)
                 and (latest_issue is None or p <= latest_issue + dt.timedelta(days=366))]
    return max(plausible) if plausible else None


def bill_balances(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
                  day: dt.date) -> pl.DataFrame:
    """Every bill of a known customer, with its customer's columns, paid(b, day) and
    outstanding(b, day)."""
    known = customers.select(pl.col("customer_id").unique())
    # Payments and bills whose customer is not in customers count nowhere.
    bills = _money(bills).join(known, on="customer_id", how="semi")
    payments = _money(payments).join(known, on="customer_id", how="semi")
    paid = (payments
            .filter(pl.col("bill_id").is_not_null()
                    & pl.col("posted_at").is_not_null()
                    & (pl.col("posted_at").dt.date() <= day))
            .group_by("bill_id")
            .agg(pl.col("amount").sum().cast(MONEY).alias("paid")))
    attributes = customers.drop([c for c in customers.columns if c in bills.columns and c != "customer_id"])
    return (bills
            .join(paid, on="bill_id", how="left")
            .with_columns(pl.col("paid").fill_null(ZERO).cast(MONEY))
            .with_columns(_pos(pl.col("amount") - _pos(pl.col("paid"))).cast(MONEY).alias("outstanding"))
            .join(attributes, on="customer_id", how="left"))


def reference(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
              as_of: dt.date, year: int, station: str | None = None,
              where: pl.Expr | None = None) -> dict:
    """The §5 `total` figures of CONTRACT §3 for the bills of customers in scope (the customers
    of `station`, and those `where` holds for on the customers table), as of `as_of`, year
    `year`. Also answers `bills`: how many of the scope's bills with period in Y are issued by D."""
    in_scope = customers
    if station is not None:
        in_scope = in_scope.filter(pl.col("station") == station)
    if where is not None:
        in_scope = in_scope.filter(where)
    return _scope_figures(*_balances_at_d_and_e(customers, bills, payments, as_of, year),
                          in_scope, as_of, year)


def _balances_at_d_and_e(customers, bills, payments, as_of: dt.date, year: int):
    """Every bill's balance at D and at E = 31 December of Y − 1. Payments count by their
    bill whatever known customer paid it: the scope is the bill's customer's."""
    return (bill_balances(customers, bills, payments, as_of),
            bill_balances(customers, bills, payments, dt.date(year - 1, 12, 31)))


def _scope_figures(all_at_d: pl.DataFrame, all_at_e: pl.DataFrame, in_scope: pl.DataFrame,
                   as_of: dt.date, year: int) -> dict:
    scope_ids = in_scope.select(pl.col("customer_id").unique())
    at_d = all_at_d.join(scope_ids, on="customer_id", how="semi")
    at_e = all_at_e.join(scope_ids, on="customer_id", how="semi")

    issued = at_d.filter(pl.col("issued_on") <= as_of)
    this_year = issued.filter(pl.col("period").dt.year() == year)
    billed = _sum(this_year, "amount")
    recovered = billed - _sum(this_year, "outstanding")  # Σ recovered(b, D) = Σ (amount − outstanding)

    year_end = dt.date(year - 1, 12, 31)  # E
    carried = (pl.col("period") < dt.date(year, 1, 1)) & (pl.col("issued_on") <= year_end)  # P
    prior_opening = _sum(at_e.filter(carried), "outstanding")
    prior_recovered = prior_opening - _sum(at_d.filter(carried), "outstanding")

    overdue = issued.filter(pl.col("due_on") < as_of)
    per_customer = overdue.group_by("customer_id").agg(pl.col("outstanding").sum())
    return {
        "bills": this_year.height,
        "billed": billed,
        "recovered": recovered,
        "recovery_rate": _rate(recovered, billed),
        "prior_opening": prior_opening,
        "prior_recovered": prior_recovered,
        "prior_recovery_rate": _rate(prior_recovered, prior_opening),
        "cumulative_rate": _rate(recovered + prior_recovered, billed + prior_opening),
        "arrears": _sum(overdue, "outstanding"),
        "arrears_current_year": _sum(overdue.filter(pl.col("period").dt.year() == as_of.year), "outstanding"),
        "arrears_prior_years": _sum(overdue.filter(pl.col("period").dt.year() < as_of.year), "outstanding"),
        "arrears_customers": per_customer.filter(pl.col("outstanding") > 0).height,
    }


def shown(figures: dict) -> bool:
    """CONTRACT §5: a group with no issued bill in Y, no arrears and no prior_opening is left out."""
    return figures["bills"] > 0 or figures["arrears"] != 0 or figures["prior_opening"] != 0


def _is(column: str, value) -> pl.Expr:
    return pl.col(column).is_null() if value is None else pl.col(column) == value


def reference_groups(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
                     as_of: dt.date, year: int, member: str | None = None) -> dict[tuple, dict]:
    """The by_station rows (member None) or by_village / by_line rows (member 'village' /
    'line', within each station): {(station,) or (station, member): figures}, for the groups
    §5 shows. Groups are the values the customers table has (nulls their own group)."""
    keys = ["station"] + ([member] if member else [])
    groups = customers.select(keys).unique().rows()
    balances = _balances_at_d_and_e(customers, bills, payments, as_of, year)
    out = {}
    for key in groups:
        where = pl.lit(True)
        for column, value in zip(keys, key):
            where = where & _is(column, value)
        figures = _scope_figures(*balances, customers.filter(where), as_of, year)
        if shown(figures):
            out[tuple(key)] = figures
    return out


def mismatches(got: dict, want: dict, rate_tolerance: float = 1e-12, skip: tuple[str, ...] = ()) -> list[str]:
    """Where the query layer's figures (`got`, the §5 JSON values) differ from the reference:
    money to the fen, arrears_customers exactly, rates within `rate_tolerance` (relative to
    the rate where it exceeds 1: a credit bill can make a quotient large) or both null.
    Keys in `skip` are not compared."""
    wrong = []
    for key in MONEY_KEYS:
        if key in skip:
            continue
        g = got[key]
        if g is None or Decimal(repr(float(g))).quantize(CENT) != want[key].quantize(CENT):
            wrong.append(f"{key}: got {g!r}, want {want[key]}")
    for key in RATE_KEYS:
        if key in skip:
            continue
        g, w = got[key], want[key]
        if (g is None) != (w is None) or (w is not None and abs(g - w) > rate_tolerance * max(1.0, abs(w))):
            wrong.append(f"{key}: got {g!r}, want {w!r}")
    if got["arrears_customers"] != want["arrears_customers"]:
        wrong.append(f"arrears_customers: got {got['arrears_customers']!r}, want {want['arrears_customers']!r}")
    return wrong
