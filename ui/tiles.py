"""Headline tiles: a figure named as labels.METRIC names it, in 万元 / % / 户 (the unit in
the label), with its change since the previous day or its gap to target."""

from __future__ import annotations

from decimal import Decimal

from queries import labels
from reports import format as fmt

SAME, YESTERDAY, TARGET = labels.COMPARE["same"], labels.COMPARE["yesterday"], labels.COMPARE["target"]


def _color(delta, warn: bool) -> str:
    if not delta:
        return "off"  # no change reads neutral, not as a rise
    return "inverse" if warn else "normal"


def _change(delta: Decimal) -> str:
    """A change in 万元, or in 元 when it is too small to show in 万元 (not "-0.00")."""
    if fmt.wan(abs(delta), unit=False) == "0.00":
        return ("-" if delta < 0 else "+") + fmt.yuan(abs(delta))
    return fmt.wan_signed(delta, unit=True)


def _versus(delta, text: str) -> str | None:
    """The delta line of a tile: 与昨日持平 when nothing changed."""
    return None if delta is None else (SAME if not delta else f"{text} {YESTERDAY}")


def money(col, label: str, value, previous, warn: bool = False, help: str | None = None,
          year: int | None = None) -> None:
    delta = None if previous is None or value is None else Decimal(str(value)) - Decimal(str(previous))
    col.metric(labels.named(label, "wan", year), fmt.wan(value, unit=False),
               _versus(delta, _change(delta) if delta else ""), delta_color=_color(delta, warn),
               delta_arrow="off" if not delta else "auto", border=True, help=help)


def rate(col, label: str, value, previous, target=None, help: str | None = None, year: int | None = None) -> None:
    """A rate and its change since yesterday, in percentage points; with `target`, the help
    says whether it is reached."""
    delta = None if value is None or previous is None else (value - previous) * 100
    if target is not None:
        help = (help or "") + f" {labels.METRIC['target']} {fmt.pct(target)}；" + (
            "已达标。" if value is not None and value >= target else "未达标。")
    col.metric(labels.named(label, year=year), fmt.pct(value), _versus(delta, fmt.points(delta, unit=True)),
               delta_color=_color(delta, False), delta_arrow="off" if not delta else "auto", border=True, help=help)


def versus_target(col, label: str, value, target, gap=None, help: str | None = None, year: int | None = None) -> None:
    """A rate and its gap to target in percentage points: ranking.sql's gap_to_target where
    the query answers it (the year's recovery rate); for another rate, the plain difference of
    this tile's figure and the target's, by the same formula."""
    if gap is None and value is not None and target is not None:
        gap = (value - target) * 100
    col.metric(labels.named(label, year=year), fmt.pct(value),
               None if gap is None else f"{fmt.points(gap, unit=True)} {TARGET}", border=True,
               help=f"{help} {labels.METRIC['target']} {fmt.pct(target)}。")


def customers(col, label: str, value, previous, help: str | None = None, unit: str = "accounts",
              warn: bool = True) -> None:
    """A count of accounts (or, with unit="bills", of bills); a rise reads as a warning unless
    `warn` is False (a count of payments)."""
    delta = None if previous is None or value is None else int(value) - int(previous)
    col.metric(labels.named(label, unit), fmt.count(value, unit=None),
               _versus(delta, fmt.count_signed(delta, unit=None)), delta_color=_color(delta, warn),
               delta_arrow="off" if not delta else "auto", border=True, help=help)


def versus_month_end(col, label: str, value, previous, help: str | None = None) -> None:
    """A count of accounts and its change since the end of last month; a rise reads as a warning."""
    delta = None if previous is None or value is None else int(value) - int(previous)
    text = None if delta is None else (labels.COMPARE["same_month_end"] if not delta
                                       else f"{fmt.count_signed(delta, unit=None)} {labels.COMPARE['month_end']}")
    col.metric(labels.named(label, "accounts"), fmt.count(value, unit=None), text, delta_color=_color(delta, True),
               delta_arrow="off" if not delta else "auto", border=True, help=help)
