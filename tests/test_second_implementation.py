"""A second implementation of CONTRACT §3, written the plain way (bill by bill, in polars,
straight from the Parquet files), against the query layer's rollups on the shipped sample:
for several as-of dates — year ends, mid-month, the day before — years and scopes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from conftest import SAMPLE
from queries import Scope
from queries.summary import summary

CASES = [
    # as_of, year
    (dt.date(2021, 12, 31), 2021),
    (dt.date(2022, 6, 30), 2022),
    (dt.date(2022, 6, 29), 2022),
    (dt.date(2021, 6, 15), 2021),
    (dt.date(2022, 1, 10), 2022),
    (dt.date(2022, 6, 30), 2021),   # a past year seen from today
    (dt.date(2021, 3, 1), 2022),    # a year that has not started: E lies after D
]


def _pos(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr > 0).then(expr).otherwise(pl.lit(0).cast(pl.Decimal(38, 2)))


@pytest.fixture(scope="module")
def tables():
    customers = pl.read_parquet(SAMPLE / "customers.parquet")
    bills = pl.read_parquet(SAMPLE / "bills.parquet").with_columns(pl.col("amount").cast(pl.Decimal(38, 2)))
    payments = pl.read_parquet(SAMPLE / "payments.parquet").with_columns(pl.col("amount").cast(pl.Decimal(38, 2)))
    return customers, bills, payments


def reference(tables, as_of: dt.date, year: int, station: str | None = None) -> dict:
    customers, bills, payments = tables
    if station:
        customers = customers.filter(pl.col("station") == station)
    known = customers.select("customer_id")
    bills = bills.join(known, on="customer_id")  # bills of unknown customers count nowhere
    posted = payments.join(known, on="customer_id").filter(  # so do payments of unknown customers
        pl.col("bill_id").is_not_null() & pl.col("posted_at").is_not_null())

    def balances(day: dt.date) -> pl.DataFrame:
        paid = (posted.filter(pl.col("posted_at").dt.date() <= day)
                .group_by("bill_id").agg(pl.col("amount").sum().alias("paid")))
        return (bills.join(paid, on="bill_id", how="left")
                .with_columns(pl.col("paid").fill_null(Decimal(0)).cast(pl.Decimal(38, 2)))
                .with_columns(_pos(pl.col("amount") - _pos(pl.col("paid"))).alias("outstanding")))

    at_d = balances(as_of)
    issued = at_d.filter(pl.col("issued_on") <= as_of)
    this_year = issued.filter(pl.col("period").dt.year() == year)
    billed = this_year["amount"].sum()
    recovered = billed - this_year["outstanding"].sum()

    year_end = dt.date(year - 1, 12, 31)
    carried = (pl.col("period") < dt.date(year, 1, 1)) & (pl.col("issued_on") <= year_end)
    prior_opening = balances(year_end).filter(carried)["outstanding"].sum()
    prior_recovered = prior_opening - at_d.filter(carried)["outstanding"].sum()

    overdue = issued.filter((pl.col("due_on") < as_of) & (pl.col("outstanding") > 0))
    return {
        "billed": float(billed),
        "recovered": float(recovered),
        "prior_opening": float(prior_opening),
        "prior_recovered": float(prior_recovered),
        "arrears": float(overdue["outstanding"].sum()),
        "arrears_current_year": float(overdue.filter(pl.col("period").dt.year() == as_of.year)["outstanding"].sum()),
        "arrears_prior_years": float(overdue.filter(pl.col("period").dt.year() < as_of.year)["outstanding"].sum()),
        "arrears_customers": overdue["customer_id"].n_unique(),
    }


@pytest.mark.parametrize("as_of, year", CASES, ids=[f"{d}-{y}" for d, y in CASES])
def test_rollups_agree_with_a_bill_by_bill_implementation(tables, sample, as_of, year):
    got = summary(sample, as_of=as_of, year=year)["total"]
    want = reference(tables, as_of, year)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=0.005), key


@pytest.mark.parametrize("station", ["千钢供电所", "城郊供电所"])
def test_a_station_scope_agrees_too(tables, sample, station):
    as_of = dt.date(2022, 3, 15)
    got = summary(sample, as_of=as_of, year=2022, scope=Scope(stations=(station,)))["total"]
    want = reference(tables, as_of, 2022, station)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=0.005), key


def test_the_2021_headline_matches_the_branch_report(sample):
    """The branch closed 2021 with 15,220 万元 collected at a rate shown as 99.99 %."""
    from reports.format import pct

    total = summary(sample, as_of=dt.date(2021, 12, 31), year=2021)["total"]
    assert total["recovered"] == pytest.approx(152_200_000, rel=0.005)
    assert pct(total["recovery_rate"]) == "99.99 %"
