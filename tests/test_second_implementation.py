"""The second implementation of docs/DATA.md §3 (tests/reference.py: bill by bill, in polars,
straight from the Parquet files) against the query layer's rollups on the shipped sample:
for several as-of dates — year ends, mid-month, the day before — years and scopes.
tests/test_properties.py runs the same comparison on random small extracts."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SAMPLE
from queries import Scope
from queries.summary import summary
from reference import load, mismatches, reference

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


@pytest.fixture(scope="module")
def tables():
    return load(SAMPLE)


@pytest.mark.parametrize("as_of, year", CASES, ids=[f"{d}-{y}" for d, y in CASES])
def test_rollups_agree_with_a_bill_by_bill_implementation(tables, sample, as_of, year):
    got = summary(sample, as_of=as_of, year=year)["total"]
    assert mismatches(got, reference(*tables, as_of, year)) == []


@pytest.mark.parametrize("station", ["千钢供电所", "城郊供电所"])
def test_a_station_scope_agrees_too(tables, sample, station):
    as_of = dt.date(2022, 3, 15)
    got = summary(sample, as_of=as_of, year=2022, scope=Scope(stations=(station,)))["total"]
    assert mismatches(got, reference(*tables, as_of, 2022, station)) == []


def test_the_2021_headline_matches_the_branch_report(sample):
    """The branch closed 2021 with 15,220 万元 collected at a rate shown as 99.99 %."""
    from reports.format import pct

    total = summary(sample, as_of=dt.date(2021, 12, 31), year=2021)["total"]
    assert total["recovered"] == pytest.approx(152_200_000, rel=0.005)
    assert pct(total["recovery_rate"]) == "99.99 %"
