"""How figures read: 万元 on tiles, 元 with two decimals in tables, rates truncated (CONTRACT §3)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from queries import Scope, labels

DASH = "—"


def truncated_rate(rate: float | Decimal | None) -> Decimal | None:
    """A rate as a percentage truncated (not rounded) to two decimals: 0.99996 → 99.99."""
    if rate is None:
        return None
    # repr() gives the shortest decimal that round-trips, so 0.9999 stays 0.9999, not 0.99989….
    exact = rate if isinstance(rate, Decimal) else Decimal(repr(float(rate)))
    return (exact * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def pct(rate: float | Decimal | None) -> str:
    value = truncated_rate(rate)
    return DASH if value is None else f"{value:.2f} %"


def pct_points(delta: float | None) -> str:
    """A change of rate in percentage points, signed, truncated like the rates."""
    if delta is None:
        return DASH
    value = truncated_rate(abs(delta))
    sign = "-" if delta < 0 else "+"
    return f"{sign}{value:.2f} 个百分点"


def wan(yuan: float | Decimal | None, digits: int = 2, unit: bool = True) -> str:
    """Money for tiles: 15,220.35 万元."""
    if yuan is None:
        return DASH
    return f"{Decimal(str(yuan)) / Decimal(10000):,.{digits}f}" + (" 万元" if unit else "")


def wan_signed(yuan: float | Decimal | None, unit: bool = True) -> str:
    if yuan is None:
        return DASH
    text = wan(abs(Decimal(str(yuan))), unit=unit)
    return ("-" if yuan < 0 else "+") + text


def yuan(value: float | Decimal | None) -> str:
    """Money for tables and lists: 1,234.50 元."""
    if value is None:
        return DASH
    return f"{Decimal(str(value)):,.2f} 元"


def count(n: int | None, unit: str = "户") -> str:
    return DASH if n is None else f"{int(n):,} {unit}".rstrip()


def count_signed(n: int | None, unit: str = "户") -> str:
    if n is None:
        return DASH
    return f"{int(n):+,} {unit}".rstrip()


def date_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月 {day.day} 日"


def month_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月"


def scope_text(scope: Scope) -> str:
    """The scope in words, as the dashboard's header shows it."""
    parts = ["、".join(scope.stations) if scope.stations else "全部供电所"]
    if scope.villages:
        parts.append("、".join(v or labels.UNREGISTERED for v in scope.villages))
    if scope.lines:
        parts.append("、".join(v or labels.UNREGISTERED for v in scope.lines))
    if scope.categories:
        parts.append("、".join(labels.CATEGORY.get(c, c) for c in scope.categories))
    if scope.high_energy_only:
        parts.append("仅高耗能")
    if scope.key_accounts_only:
        parts.append("仅重点客户")
    return " · ".join(parts)
