"""Headline tiles: value in 万元 / % / 户, with the change since the previous day."""

from __future__ import annotations

from decimal import Decimal

from reports import format as fmt

SAME = "与昨日持平"


def _color(delta, warn: bool) -> str:
    if not delta:
        return "off"  # no change reads neutral, not as a rise
    return "inverse" if warn else "normal"


def _change(delta: Decimal) -> str:
    """A change in 万元, or in 元 when it is too small to show in 万元 (not "-0.00")."""
    if fmt.wan(abs(delta), unit=False) == "0.00":
        return ("-" if delta < 0 else "+") + fmt.yuan(abs(delta))
    return fmt.wan_signed(delta, unit=True)


def money(col, label: str, value, previous, warn: bool = False, help: str | None = None) -> None:
    delta = None if previous is None or value is None else Decimal(str(value)) - Decimal(str(previous))
    text = None if delta is None else (SAME if not delta else f"{_change(delta)} 较昨日")
    col.metric(f"{label}（万元）", fmt.wan(value, unit=False), text, delta_color=_color(delta, warn),
               delta_arrow="off" if not delta else "auto", border=True, help=help)


def rate(col, label: str, value, previous, target=None, help: str | None = None) -> None:
    delta = None if value is None or previous is None else value - previous
    text = None if delta is None else (SAME if not delta else f"{fmt.pct_points(delta)} 较昨日")
    if target is not None:
        help = (help or "") + f" 目标 {fmt.pct(target)}；" + ("已达标。" if value is not None and value >= target else "未达标。")
    col.metric(label, fmt.pct(value), text, delta_color=_color(delta, False),
               delta_arrow="off" if not delta else "auto", border=True, help=help)


def customers(col, label: str, value, previous, help: str | None = None, unit: str = "户") -> None:
    """A count of accounts (or, with unit="笔", of bills); a rise reads as a warning."""
    delta = None if previous is None or value is None else int(value) - int(previous)
    text = None if delta is None else (SAME if not delta else f"{fmt.count_signed(delta, unit='')} 较昨日")
    col.metric(f"{label}（{unit}）", fmt.count(value, unit=""), text, delta_color=_color(delta, True),
               delta_arrow="off" if not delta else "auto", border=True, help=help)
