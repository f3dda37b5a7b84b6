"""Display rules: rates and percentage points truncated (docs/DATA.md §3), money in 万元 / 元,
personal data masked."""

from decimal import Decimal

import pytest

from queries import open_extract
from reports import format as fmt
from tiny import bill, customer, write_extract


@pytest.mark.parametrize("rate, shown", [
    (0.99996, "99.99 %"),      # truncated, not rounded
    (0.9999, "99.99 %"),       # a float just below 0.9999 must not become 99.98
    (1.0, "100.00 %"),
    (0.853, "85.30 %"),
    (2 / 3, "66.66 %"),
    (Decimal("152199999.99") / Decimal("152200000.00"), "99.99 %"),
    (None, "—"),
])
def test_rate_is_truncated_to_two_decimals(rate, shown):
    assert fmt.pct(rate) == shown


def test_money_on_tiles_is_in_wan_yuan_and_in_tables_in_yuan():
    assert fmt.wan(152_203_456.78) == "15,220.35 万元"
    assert fmt.wan(Decimal("-12345.00"), unit=False) == "-1.23"
    assert fmt.yuan(Decimal("1234.5")) == "1,234.50 元"
    assert fmt.wan_signed(-5000) == "-0.50 万元"


def test_money_rounds_halves_away_from_zero():
    # 250 元 = 0.025 万元: an accountant reads 0.03, not the 0.02 that rounding to even gives
    assert fmt.wan(250) == "0.03 万元"
    assert fmt.wan(-250, unit=False) == "-0.03"
    assert fmt.wan(150) == "0.02 万元"  # 0.015 → 0.02 (to even would agree here)
    assert fmt.wan_numbers([250, -250], places=2) == [0.03, -0.03]
    assert fmt.yuan(Decimal("0.125")) == "0.13 元"


@pytest.mark.parametrize("gap, shown", [
    (-27.215189873417714, "-27.21"),   # ranking.sql's gap: truncated like the rates, not -27.22
    (7.999999999999996, "+8.00"),      # float noise does not truncate a hundredth away
    (0.010000000000000009, "+0.01"),
    (0.0, "+0.00"),
    (None, "—"),
])
def test_percentage_points_are_truncated_and_signed(gap, shown):
    assert fmt.points(gap) == shown


def test_points_in_running_text_and_in_a_table_read_the_same_number():
    assert fmt.points(-27.215, unit=True) == "-27.21 个百分点"
    assert float(fmt.truncated_points(-27.215)) == -27.21  # the number a table or Excel cell holds


def test_wan_numbers_are_the_numbers_wan_writes():
    assert fmt.wan_numbers([Decimal("152203456.78"), None], places=2) == [15220.35, None]
    assert fmt.wan(Decimal("152203456.78"), unit=False) == "15,220.35"


@pytest.fixture(scope="module")
def macros(tmp_path_factory):
    """Evaluate one SQL expression with the macros an extract's cache carries."""
    root = tmp_path_factory.mktemp("x")
    ex = open_extract(write_extract(root / "extract", [customer("001")], [bill("b1", "001", "1.00")], []))
    return lambda query, params: ex.query_rows(query, params)[0][0]


@pytest.mark.parametrize("name, category, masked", [
    ("张三明", "residential", "张*明"),
    ("欧阳小明", "residential", "欧**明"),
    ("李四", "small_power", "李*"),
    ("王", "agriculture", "*"),
    ("乌海市某某铁合金有限责任公司", "large_industry", "乌海市某某铁合金有限责任公司"),
])
def test_names_are_masked_except_organisations(macros, name, category, masked):
    assert macros("select mask_name($n, $c)", {"n": name, "c": category}) == masked


@pytest.mark.parametrize("phone, masked", [
    ("18812348912", "188****8912"),
    ("04733456789", "047****6789"),
    ("3456789", "***6789"),
    (None, None),
])
def test_phones_are_masked(macros, phone, masked):
    assert macros("select mask_phone($p)", {"p": phone}) == masked
