"""The frame every page shares: a refused extract shows its message instead of figures on
every page; a scope with nothing in it shows a friendly empty state; the question
connection is a sandbox (read-only, no files outside the cache)."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from apptest import DASHBOARD
from queries import open_extract
from tiny import bill, customer, payment, write_extract

PAGES = ["pages/home.py", "pages/recovery.py", "pages/arrears.py", "pages/high_energy.py",
         "pages/collectors.py", "pages/data_quality.py"]


@pytest.fixture(scope="module")
def refused_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("refused") / "x"
    # the same 户号 twice: docs/DATA.md §4 refuses the extract
    return write_extract(root, [customer("001"), customer("001")], [bill("b1", "001", "10.00")], [])


@pytest.mark.parametrize("page", PAGES)
def test_a_refused_extract_shows_its_message_on_every_page(page, refused_dir, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(refused_dir))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.switch_page(page).run()
    assert not at.exception
    assert "数据提取未通过检查" in at.error[0].value
    message = " ".join(m.value for m in at.markdown)
    assert "customers.parquet" in message and "customer_id" in message and "共 2 行不符合" in message
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("small") / "x"
    return write_extract(root, [customer("001", category="residential")],
                         [bill("b1", "001", "10.00", period="2022-01-01")],
                         [payment("p1", "001", "b1", "10.00", "2022-01-10 09:00:00")])


def test_a_scope_with_nothing_in_it_shows_an_empty_state(small_dir, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(small_dir))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert at.metric  # the one account shows
    at.sidebar.toggle(key="high_energy").set_value(True).run()  # no high-energy account at all
    assert not at.exception
    assert not at.metric
    assert "没有数据" in at.info[0].value


def test_questions_cannot_write_or_read_outside_the_cache(small_dir, tmp_path):
    ex = open_extract(small_dir)
    for statement in (f"copy (select 1) to '{tmp_path / 'out.csv'}'",
                      "select * from read_csv('/etc/passwd')",
                      f"select * from read_parquet('{small_dir / 'customers.parquet'}')",
                      "create table t as select 1",
                      "set enable_external_access = true"):
        with pytest.raises(duckdb.Error):
            ex.query_rows(statement)
    assert not (tmp_path / "out.csv").exists()
