"""How figures look wherever they are drawn, on a page (ui/charts.py) or a slide
(reports/deck.py): one palette, money as numbers of 万元 for a chart's axis, and gaps in
percentage points as text."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal

from .format import DASH

# Calm colours: recovery reads good, arrears reads as a warning.
GOOD = "#2E8B6E"        # recovered, on target
WARN = "#D9822B"        # arrears
ALERT = "#B83B3B"       # old arrears, below target
NEUTRAL = "#4F7CAC"     # billed, energy
MUTED = "#A7B6C6"       # last year, context
TARGET = "#6B7785"      # target lines
SEQUENCE = [NEUTRAL, GOOD, WARN, "#8E6BB0", "#C9A227", ALERT, "#3AA3B5", MUTED]
INK = "#1F2A36"         # text on a slide
GREY = "#51606E"        # secondary text
TILE = "#F3F6F9"        # a tile's or a table row's background


def wan_numbers(amounts: Iterable, places: int | None = None) -> list[float | None]:
    """Amounts in 元 as numbers of 万元 for a chart: exact, or rounded (half to even) to
    `places` decimals, the number reports.format.wan writes; None stays None (a gap)."""
    out: list[float | None] = []
    for amount in amounts:
        if amount is None:
            out.append(None)
            continue
        wan = Decimal(str(amount)) / 10000
        out.append(float(wan if places is None else round(wan, places)))
    return out


def points(gap: float | None) -> str:
    """A gap or change already in percentage points (ranking.sql), signed and truncated to
    two decimals like the rates, without the unit. Rounded to 9 places first, so float noise
    (7.999999999999996) does not truncate a whole hundredth away."""
    if gap is None:
        return DASH
    value = Decimal(repr(round(abs(gap), 9))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{'-' if gap < 0 else '+'}{value:.2f}"
