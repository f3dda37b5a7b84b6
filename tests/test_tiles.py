"""A tile's change since yesterday reads in 万元, or in 元 when it would round to 0.00 万元."""

from decimal import Decimal

from ui.tiles import _change


def test_a_small_change_reads_in_yuan_not_as_minus_zero():
    assert _change(Decimal("-20")) == "-20.00 元"
    assert _change(Decimal("49.99")) == "+49.99 元"


def test_a_larger_change_reads_in_wan():
    assert _change(Decimal("49.99")) == "+49.99 元"  # 0.004999 万元 would read 0.00
    assert _change(Decimal("50")) == "+0.01 万元"  # 0.005 万元 rounds away from zero
    assert _change(Decimal("-123456.78")) == "-12.35 万元"
