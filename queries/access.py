"""Who is looking and which rows they may see (docs/DATA.md §8).

The restriction is part of the one scope: `Access.restrict` sets the Scope's allowed rows,
and the macro scoped_segments, through which every question reads its rows, keeps only
those. The filters narrow within them; a filter value, a hand-edited URL or a stale session
never widens them. Where a role is unknown or names nothing it may see, it sees nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .extract import Scope

ROLES = ("manager", "station", "collector")


@dataclass(frozen=True)
class Access:
    """Who is looking and which rows they may see. Fail closed: a station user with no
    stations, or a collector user with no collector name, sees nothing."""
    user: str                         # the user name; "" for the local manager (no users file)
    role: str                         # "manager" | "station" | "collector"
    stations: tuple[str, ...] = ()    # role "station": its stations
    collector: str | None = None      # role "collector": its meter_reader name
    contacts: bool = True             # may this user reveal names and phones (never in presentation)
    branch_ranking: bool = False      # station role: may see branch-wide comparisons (setting, default off)

    @classmethod
    def local_manager(cls) -> "Access":
        return cls(user="", role="manager")

    @property
    def restricted(self) -> bool:
        """Whether this user sees less than the whole extract (every role but manager)."""
        return self.role != "manager"

    def restrict(self, scope: Scope) -> Scope:
        """The scope narrowed to the allowed rows. Never wider than `scope`: a scope that is
        restricted already keeps its restriction and gains this one."""
        if self.role == "manager":
            return scope
        if self.role == "station":
            allowed = tuple(s for s in dict.fromkeys(self.stations) if isinstance(s, str) and s)
            return _narrowed(scope, stations=allowed, collectors=())
        if self.role == "collector":
            name = self.collector if isinstance(self.collector, str) and self.collector.strip() else None
            return _narrowed(scope, stations=(), collectors=(name,) if name else ())
        return _nothing(scope)

    @property
    def sees_branch(self) -> bool:
        """Whether branch-wide comparisons are shown (the station ranking, a collector's rank
        in the branch): to a manager always, to a station user when the setting
        `station_branch_ranking` allows it, never to a collector user (docs/DATA.md §8)."""
        return self.role == "manager" or (self.role == "station" and self.branch_ranking is True)

    def branch(self, scope: Scope) -> Scope | None:
        """The scope of a branch-wide comparison: `scope`'s filters over the whole branch,
        without this user's restriction; None when this user may not see one. Only a ranking
        of groups (stations, collectors) is asked in it, never a list of customers."""
        if not self.sees_branch:
            return None
        if self.role == "manager":
            return scope
        return dataclasses.replace(scope, restricted=False, allowed_stations=(), allowed_collectors=())


def _nothing(scope: Scope) -> Scope:
    return dataclasses.replace(scope, restricted=True, allowed_stations=(), allowed_collectors=())


def _narrowed(scope: Scope, stations: tuple[str, ...], collectors: tuple[str, ...]) -> Scope:
    """`scope` with its allowed rows narrowed to `stations` and `collectors` (empty: that
    dimension is not limited by this role); nothing when the two restrictions share none."""
    if not stations and not collectors:
        return _nothing(scope)
    if scope.restricted:
        if not scope.allowed_stations and not scope.allowed_collectors:
            return _nothing(scope)
        stations = _both(scope.allowed_stations, stations)
        collectors = _both(scope.allowed_collectors, collectors)
        if stations is None or collectors is None:
            return _nothing(scope)
    return dataclasses.replace(scope, restricted=True, allowed_stations=stations, allowed_collectors=collectors)


def _both(before: tuple[str, ...], now: tuple[str, ...]) -> tuple[str, ...] | None:
    """The names both limits allow ('' none: no limit on that side); None when they share none."""
    if not before or not now:
        return before or now
    shared = tuple(n for n in now if n in before)
    return shared or None
