"""The year-end projection (queries/projection.py) in words: the sentence the home page shows
under its curve, the daily report in its text and sheet, and the deck on its slide."""

from __future__ import annotations

import datetime as dt

from queries import labels
from queries.projection import Projection

from . import format as fmt


def projected(p: Projection) -> bool:
    """Whether there is a path to 31 December to draw: a projection, and days left to project."""
    return p.projected_rate is not None and p.days_left > 0


def sentence(p: Projection) -> str:
    """The projection in one sentence: the projected rate, its band (or that one year gave it),
    the years used and the collection needed a day to reach the target; or why there is none."""
    words = labels.PROJECTION
    if p.reason:
        return p.reason
    if p.days_left == 0:
        return words["year_end"].format(rate=fmt.pct(p.recovery_rate))
    text = words["projected"].format(years=years_text(p), year=p.year, rate=fmt.pct(p.projected_rate))
    if p.has_band:
        text += words["band_range"].format(low=fmt.pct(p.low_rate), high=fmt.pct(p.high_rate))
    else:
        text += words["one_year"]
    if p.needed_daily is not None and p.target is not None:
        if p.needed_daily > 0:
            text += words["needed"].format(target=fmt.pct(p.target), start=fmt.date_cn(p.as_of + dt.timedelta(days=1)),
                                           days=p.days_left, daily=fmt.wan(p.needed_daily))
        else:
            text += words["reached"].format(target=fmt.pct(p.target))
    return text + "。"


def years_text(p: Projection) -> str:
    """The earlier years the projection rests on: 2020、2021."""
    return labels.PROJECTION["per_year"].join(str(y) for y in p.years_used)
