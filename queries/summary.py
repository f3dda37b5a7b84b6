"""The docs/DATA.md §5 summary: total and by station, village and line, as plain Python values."""

from __future__ import annotations

import datetime as dt

from .extract import Extract, Scope
from .view import View

METRICS = ("billed", "recovered", "recovery_rate", "prior_opening", "prior_recovered",
           "prior_recovery_rate", "cumulative_rate", "arrears", "arrears_current_year",
           "arrears_prior_years", "arrears_customers")
MONEY = {"billed", "recovered", "prior_opening", "prior_recovered", "arrears",
         "arrears_current_year", "arrears_prior_years"}
GROUPS = {"by_station": ("station", None), "by_village": ("village", "village"), "by_line": ("line", "line")}


def _values(row: dict) -> dict:
    out = {}
    for key in METRICS:
        value = row.get(key)
        if key in MONEY:
            out[key] = round(float(value or 0), 2)
        elif key == "arrears_customers":
            out[key] = int(value or 0)
        else:
            out[key] = None if value is None else float(value)
    return out


def default_view(ex: Extract, as_of: dt.date | None = None, year: int | None = None,
                 scope: Scope | None = None) -> View:
    """The view the command line means when it is given less: the extract's latest posting
    date, that date's year, the whole extract."""
    as_of = as_of or ex.default_as_of
    if as_of is None:
        raise ValueError("数据中没有已入账的付款，无法确定截至日期；请指定截至日期。")
    return View(as_of=as_of, year=year or as_of.year, scope=scope or Scope(), extract_name=ex.name,
                note=ex.outside_dates(as_of))


def summary(ex: Extract, view: View | None = None, *, as_of: dt.date | None = None, year: int | None = None,
            scope: Scope | None = None) -> dict:
    """The summary of a view; without one, of the default_view of as_of, year and scope."""
    view = view or default_view(ex, as_of, year, scope)

    def rows(group_by: str) -> list[dict]:
        return ex.query("recovery_summary", view.scope, as_of=view.as_of, year=view.year,
                        group_by=group_by).to_dicts()

    stations = view.scope.stations
    result: dict = {
        "as_of": view.as_of.isoformat(),
        "year": view.year,
        "station": stations[0] if len(stations) == 1 else None,
        "total": _values(rows("total")[0]),
    }
    for key, (group_by, member) in GROUPS.items():
        result[key] = [
            {"station": r["station"], **({member: r["member"]} if member else {}), **_values(r)}
            for r in rows(group_by)
        ]
    return result
