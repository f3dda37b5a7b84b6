"""The CONTRACT §5 summary: total and by station, village and line, as plain Python values."""

from __future__ import annotations

import datetime as dt


from .extract import Extract, Scope

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


def summary(ex: Extract, as_of: dt.date | None = None, year: int | None = None,
            scope: Scope | None = None) -> dict:
    as_of = as_of or ex.default_as_of
    year = year or as_of.year
    scope = scope or Scope()

    def rows(group_by: str) -> list[dict]:
        return ex.query("recovery_summary", scope, as_of=as_of, year=year, group_by=group_by).to_dicts()

    total = rows("total")
    result: dict = {
        "as_of": as_of.isoformat(),
        "year": year,
        "station": scope.stations[0] if len(scope.stations) == 1 else None,
        "total": _values(total[0]),
    }
    for key, (group_by, member) in GROUPS.items():
        result[key] = [
            {"station": r["station"], **({member: r["member"]} if member else {}), **_values(r)}
            for r in rows(group_by)
        ]
    return result
