"""Presentation mode (演示模式) hides the controls and masks every personal field: no real
name or phone number of an account appears on any page."""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from conftest import SAMPLE

PAGES = ["pages/home.py", "pages/recovery.py", "pages/arrears.py", "pages/high_energy.py",
         "pages/collectors.py", "pages/key_accounts.py", "pages/data_quality.py"]


@pytest.fixture(scope="module")
def personal() -> tuple[set[str], set[str]]:
    """Real names of people (organisations are not personal data) and real phone numbers.
    Collectors are shown by name on purpose (the per-person ranking), so a customer who
    shares a collector's name cannot be told apart and is left out."""
    customers = pl.read_parquet(SAMPLE / "customers.parquet")
    people = customers.filter(pl.col("category") != "large_industry")
    collectors = set(customers["meter_reader"].drop_nulls().to_list())
    names = {n for n in people["customer_name"].to_list() if n and len(n) >= 2} - collectors
    phones = {p for p in customers["phone"].to_list() if p}
    return names, phones


def _texts(at: AppTest) -> list[str]:
    texts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    texts += [m.value for m in at.metric] + [m.label for m in at.metric]
    for df in at.dataframe:
        value = df.value
        texts += [str(v) for col in value.columns for v in value[col].tolist()]
    texts += [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_presentation_mode_masks_every_personal_field(page, personal, sample_env):
    at = AppTest.from_file("../dashboard.py", default_timeout=120)
    at.run()
    at.sidebar.toggle(key="present").set_value(True).run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.session_state["present"] is True
    names, phones = personal
    texts = _texts(at)
    assert texts, "the page shows something"
    leaked_phones = [p for p in phones if any(p in t for t in texts)]
    leaked_names = [n for n in names if any(t == n for t in texts)]
    assert not leaked_phones and not leaked_names


def test_presentation_mode_offers_a_way_back(sample_env):
    at = AppTest.from_file("../dashboard.py", default_timeout=120).run()
    at.sidebar.toggle(key="present").set_value(True).run()
    at.button(key="leave_presentation").click().run()
    assert at.session_state["present"] is False


@pytest.mark.parametrize("dimension", ["village", "collector"])
def test_presentation_mode_masks_the_risk_grades_and_the_graded_list(dimension, personal, sample_env):
    """The arrears page's 风险分级 by village or collector and its list filtered by grade:
    collectors are named, no customer's real name or phone shows."""
    at = AppTest.from_file("../dashboard.py", default_timeout=120)
    at.run()
    at.sidebar.toggle(key="present").set_value(True).run()
    at.switch_page("pages/arrears.py").run()
    at.segmented_control(key="risk_dimension").set_value(dimension).run()
    at.multiselect(key="arrears_grades").set_value(["high", "low"]).run()
    assert not at.exception
    names, phones = personal
    texts = _texts(at)
    assert any("高" == t for t in texts) and any("有欠费逾期超过" in t for t in texts)  # the graded list is there
    assert not [p for p in phones if any(p in t for t in texts)]
    assert not [n for n in names if any(t == n for t in texts)]
