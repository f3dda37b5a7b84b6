"""Who is looking and which rows they may see (CONTRACT §8).

The shape here is the interface of issue 10 (/work/wt/ISSUE10.md); the `access` branch owns
this file and its `restrict`, which the lead keeps at merge. This copy lets the login side
(queries/users.py, ui/auth.py) be written and tested against exactly that shape."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .extract import Scope

NOTHING = "\x00"  # a station or collector no extract has: a scope of no rows


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

    def restrict(self, scope: Scope) -> Scope:
        """The scope narrowed to the allowed rows."""
        if self.role == "manager":
            return scope
        if self.role == "station":
            allowed = [s for s in (scope.stations or self.stations) if s in self.stations]
            return replace(scope, stations=tuple(allowed) or (NOTHING,))
        if self.role == "collector" and self.collector:
            return replace(scope, collectors=(self.collector,) if self.collector in (scope.collectors or (self.collector,))
                           else (NOTHING,))
        return replace(scope, stations=(NOTHING,))
