"""Tiny extracts whose earlier years follow a known curve, for the year-end projection
(tests/test_projection.py works the method out by hand on them; the daily report's and the
deck's tests reuse them).

Each year has two bills of 100.00 (times `scale`) for customer C1 (千钢供电所, collected by
李催费): A, January's, issued 5 January, and B, July's, issued 5 July; what is paid and when
differs by curve. With s the unpaid share (1 − rate) on a day:
- P1 (`slow`): on 30 June s = 0.4, at 31 December s = 0.25;
- P2 (`full`): on 30 June s = 0.4, at 31 December s = 0;
- D's year so far (`this_year`): on 30 June billed 100, recovered 80, s = 0.2.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from queries import Scope, View, open_extract
from queries.projection import year_end_projection
from tiny import bill, customer, d, payment, write_extract

QIANGANG, CHENGJIAO = "千钢供电所", "城郊供电所"
JUNE_30_TO_DEC_31 = 184  # calendar days after 30 June up to 31 December


def money(amount: str, scale: int) -> str:
    return f"{Decimal(amount) * scale:.2f}"


def year_bills(year: int, customer_id: str = "C1", july: bool = True, scale: int = 1) -> list[dict]:
    rows = [bill(f"{customer_id}A{year}", customer_id, money("100.00", scale), period=f"{year}-01-01",
                 issued_on=f"{year}-01-05")]
    if july:
        rows.append(bill(f"{customer_id}B{year}", customer_id, money("100.00", scale), period=f"{year}-07-01",
                         issued_on=f"{year}-07-05"))
    return rows


def paid(year: int, bill_letter: str, amount: str, day: str, customer_id: str = "C1", scale: int = 1) -> dict:
    """A payment of `amount` (times `scale`) on the bill of `year`, posted the day it is made
    (`day`: MM-DD)."""
    return payment(f"P{customer_id}{bill_letter}{year}-{day}", customer_id, f"{customer_id}{bill_letter}{year}",
                   money(amount, scale), f"{year}-{day} 10:00:00")


def slow(year: int, customer_id: str = "C1", scale: int = 1) -> list[dict]:
    """Curve P1: A 60 on 10 March and 40 on 28 July; B 50 on 20 July, the rest never.
    On 30 June: billed 100, unpaid 40 (s = 0.4). On 31 December: billed 200, unpaid 50 (s = 0.25)."""
    return [paid(year, "A", "60.00", "03-10", customer_id, scale), paid(year, "A", "40.00", "07-28", customer_id, scale),
            paid(year, "B", "50.00", "07-20", customer_id, scale)]


def full(year: int, customer_id: str = "C1", scale: int = 1) -> list[dict]:
    """Curve P2: as P1, but B is paid whole on 20 July. On 30 June s = 0.4; on 31 December s = 0."""
    return [paid(year, "A", "60.00", "03-10", customer_id, scale), paid(year, "A", "40.00", "07-28", customer_id, scale),
            paid(year, "B", "100.00", "07-20", customer_id, scale)]


def this_year(year: int = 2022, customer_id: str = "C1", scale: int = 1) -> list[dict]:
    """D's year so far: A paid 80 on 10 March (on 30 June: billed 100, recovered 80, s = 0.2)."""
    return [paid(year, "A", "80.00", "03-10", customer_id, scale)]


def open_years(root: Path, bills: list[dict], payments: list[dict], targets: list[dict] | None = None,
               customers: list[dict] | None = None, cache_dir: Path | None = None):
    return open_extract(write_extract(root, customers or [customer("C1")], bills, payments, targets=targets),
                        cache_dir=cache_dir)


def project(ex, as_of: str, scope: Scope = Scope()):
    day = d(as_of)
    return year_end_projection(ex, View(as_of=day, year=day.year, scope=scope))


def target(year: int, value: float, station: str = QIANGANG, collector: str | None = None) -> dict:
    return {"station": station, "year": year, "recovery_target": value, "collector": collector}


def band_extract(root: Path, scale: int = 1, cache_dir: Path | None = None):
    """2020 follows P1, 2021 P2, 2022 so far `this_year`, with a target of 95 % for 2022. As of
    30 June 2022: 2020 gives 1 − 0.2 × 0.25 ÷ 0.4 = 87.5 %, 2021 gives 100 %: the projection is
    93.75 % (their mean), the band 87.5 % – 100 %, from July's month end on; projected billed
    200 (100 × 200 ÷ 100 in both years); needed (0.95 × 200 − 80) ÷ 184 a day (all × scale)."""
    bills = [*year_bills(2020, scale=scale), *year_bills(2021, scale=scale), *year_bills(2022, july=False, scale=scale)]
    payments = [*slow(2020, scale=scale), *full(2021, scale=scale), *this_year(scale=scale)]
    return open_years(root, bills, payments, targets=[target(2022, 0.95)], cache_dir=cache_dir)
