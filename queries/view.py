"""What a page, a report, the deck or the command line is looking at: one frozen value
passed whole, so they all mean the same dates by the same words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .extract import Scope


@dataclass(frozen=True)
class View:
    as_of: dt.date
    year: int
    scope: Scope = field(default_factory=Scope)
    presentation: bool = False   # shown to a room: personal data never appears
    extract_name: str = ""
    note: str | None = None      # e.g. the as-of date lies outside the extract's dates

    @property
    def yesterday(self) -> dt.date:
        """The day before as_of: every "较昨日" compares with it."""
        return self.as_of - dt.timedelta(days=1)

    @property
    def last_year(self) -> dt.date:
        """The same day a year earlier (29 February → 28 February): every "去年同期"."""
        return same_day_a_year_earlier(self.as_of)


def same_day_a_year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
