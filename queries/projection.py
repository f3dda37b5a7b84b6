"""Will the year make its target? The year-end projection of a view (recovery_projection.sql;
the method is in docs/DATA.md §6 and the README) as plain values, with the reason in Chinese
when there is none. The sentence the home page, the daily report and the deck show with it is
reports/projection.py's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from . import labels
from .extract import Extract
from .view import View


@dataclass(frozen=True)
class EarlierYear:
    """One earlier year of the extract and what the projection made of it."""

    year: int
    status: str                       # 'used', or why not (labels.PROJECTION_YEAR_STATUS)
    matched_day: dt.date              # the day matching D in that year (29 February → 28 February)
    rate_on_matched_day: float | None  # that year's rate on that day
    year_end_rate: float | None       # that year's own rate on its 31 December
    projected_rate: float | None      # D's year's year-end rate projected from this year


@dataclass(frozen=True)
class Projection:
    as_of: dt.date
    year: int                         # D's year
    days_left: int                    # calendar days after D up to 31 December
    billed: Decimal                   # D's year so far, as recovery_summary
    recovered: Decimal
    recovery_rate: float | None
    target: float | None              # the scope's target for the year (None: nothing billed)
    projected_rate: float | None      # the median of the years used; None: `reason` says why
    low_rate: float | None            # the band, lowest and highest: two years used or more
    high_rate: float | None
    projected_billed: float | None    # 元, billed by 31 December (median of the years used)
    needed_daily: float | None        # 元 a calendar day from D + 1 to reach the target; 0 if reached
    years: tuple[EarlierYear, ...]    # every earlier year of the extract, oldest first
    path: pl.DataFrame                # day, rate, low, high: D and each month end after it
    reason: str | None                # in Chinese, when there is no projection

    @property
    def years_used(self) -> list[int]:
        return [y.year for y in self.years if y.status == "used"]

    @property
    def has_band(self) -> bool:
        return self.low_rate is not None and self.high_rate is not None


def year_end_projection(ex: Extract, view: View) -> Projection:
    """The projection of D's year for the view's scope (D = view.as_of; view.year is not used:
    a past year needs no projection)."""
    return from_frame(ex.query("recovery_projection", view.scope, as_of=view.as_of))


def from_frame(frame: pl.DataFrame) -> Projection:
    """A Projection from the one row recovery_projection.sql returns (pages run the query
    through their cache and read it here)."""
    row = frame.row(0, named=True)
    years = tuple(EarlierYear(**y) for y in row["years"])
    path = pl.DataFrame(row["path"], schema={"day": pl.Date, "rate": pl.Float64, "low": pl.Float64,
                                             "high": pl.Float64})
    return Projection(
        as_of=row["as_of"], year=row["year"], days_left=row["days_left"], billed=row["billed"],
        recovered=row["recovered"], recovery_rate=row["recovery_rate"], target=row["target"],
        projected_rate=row["projected_rate"], low_rate=row["low_rate"], high_rate=row["high_rate"],
        projected_billed=row["projected_billed"], needed_daily=row["needed_daily"], years=years, path=path,
        reason=_reason(row["reason"], row["year"], years),
    )


def _reason(code: str | None, year: int, years: tuple[EarlierYear, ...]) -> str | None:
    words = labels.PROJECTION
    if code is None:
        return None
    if code == "nothing_billed_yet":
        return words["nothing_billed_yet"].format(year=year)
    if not years:
        why = words["no_earlier_year"].format(year=year)
    else:
        why = "；".join(words["year_not_used"].format(year=y.year, why=labels.PROJECTION_YEAR_STATUS[y.status])
                       for y in reversed(years))
    return f"{words['no_history']}：{why}。"

