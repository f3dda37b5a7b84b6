"""The scope is one value: every Scope field reaches the SQL through one STRUCT parameter
and one macro, and the collector dimension (added that way) narrows every figure.

Adding a dimension (README, "Adding a scope dimension"): a Scope field, a line in the
macro scoped_segments, and a widget (with its choices in filter_options.sql)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from apptest import open_page
from queries import Scope
from queries.extract import SQL_DIR, scope_sql_type
from reports import format as fmt


def test_every_scope_field_is_in_the_struct_and_read_by_scoped_segments():
    macros = (SQL_DIR / "_macros.sql").read_text(encoding="utf-8")
    body = macros[macros.index("create macro scoped_segments(scope)"):]
    body = body[:body.index(";")]
    for f in dataclasses.fields(Scope):
        assert re.search(rf"[(,] ?{f.name} ", scope_sql_type())
        assert f"scope['{f.name}']" in body, f"scoped_segments does not read {f.name}"
    # and no question reads a field on its own: the scope is bound whole, read in one place
    for sql in SQL_DIR.glob("*.sql"):
        if sql.name != "_macros.sql":
            assert not re.search(r"scope\['", sql.read_text(encoding="utf-8")), sql.name


def test_a_collector_scope_is_that_collectors_customers(sample):
    d = sample.default_as_of
    options = sample.query("filter_options", stations=["城郊供电所"]).filter(dimension="collector")["value"]
    name = options[0]
    one = sample.query("recovery_summary", Scope(collectors=(name,)), as_of=d, year=d.year, group_by="total")
    grouped = sample.query("recovery_summary", Scope(), as_of=d, year=d.year, group_by="collector")
    mine = grouped.filter(member=name)
    for key in ("billed", "recovered", "arrears", "arrears_customers", "prior_opening"):
        assert one[key][0] == mine[key].sum(), key


@pytest.mark.usefixtures("sample_env")
def test_the_collector_filter_narrows_the_home_tiles(sample):
    at = open_page("pages/home.py")
    at.sidebar.multiselect(key="station").set_value(["城郊供电所"]).run()
    name = at.sidebar.multiselect(key="collector").options[0]
    at.sidebar.multiselect(key="collector").set_value([name]).run()
    assert not at.exception
    d = sample.default_as_of
    now = sample.query("recovery_summary", Scope(stations=("城郊供电所",), collectors=(name,)),
                       as_of=d, year=d.year, group_by="total").row(0, named=True)
    assert at.metric[0].value == fmt.wan(now["billed"], unit=False)
    assert name in " ".join(m.value for m in at.markdown)  # the header names the scope
