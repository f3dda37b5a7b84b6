"""A second implementation of docs/DATA.md §3, written the plain way: bill by bill, in polars,
straight from the three tables, sharing nothing with the query layer (no SQL, no rollups).

`reference(customers, bills, payments, as_of, year)` answers the §5 `total` keys for one
scope (optionally one station, or any filter on the customer columns); `reference_groups`
answers the by_station / by_village / by_line rows, leaving out what §5 leaves out.
Money comes back as exact `Decimal`, counts as `int`, rates as `float` or `None`.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl

MONEY = pl.Decimal(38, 2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

MONEY_KEYS = ("billed", "recovered", "prior_opening", "prior_recovered", "arrears",
              "arrears_current_year", "arrears_prior_years")
RATE_KEYS = ("recovery_rate", "prior_recovery_rate", "cumulative_rate")
KEYS = MONEY_KEYS + RATE_KEYS + ("arrears_customers",)


def _pos(expr: pl.Expr) -> pl.Expr:
    """max(0, expr) for a money expression."""
    return pl.when(expr > 0).then(expr).otherwise(pl.lit(0).cast(MONEY))


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    """Σ of a money column; 0 for no rows (never None)."""
    if frame.height == 0:
        return ZERO
    value = frame[column].sum()
    return ZERO if value is None else Decimal(value).quantize(CENT)


def _rate(numerator: Decimal, denominator: Decimal) -> float | None:
    """numerator / denominator, null where the denominator is 0 (docs/DATA.md §3)."""
    return None if denominator == 0 else float(numerator) / float(denominator)


def _money(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("amount").cast(MONEY))


def _read(data_dir: Path, name: str) -> pl.DataFrame:
    """One table of a data directory: a single `<table>.parquet` or a `<table>/` folder."""
    single = data_dir / f"{name}.parquet"
    if single.exists():
        return pl.read_parquet(single)
    files = sorted((data_dir / name).rglob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def _read_money(frame: pl.DataFrame) -> pl.DataFrame:
    """Money as DECIMAL(38,2): a DOUBLE rounded to the fen."""
    if frame.schema["amount"].is_float():
        return frame.with_columns(pl.col("amount").round(2).cast(MONEY))
    return _money(frame)


def load(data_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """customers, bills, payments of a data directory, money as DECIMAL(38,2) — a DOUBLE
    rounded to the fen."""
    return _read(data_dir, "customers"), _read_money(_read(data_dir, "bills")), _read_money(_read(data_dir, "payments"))


def load_plans(data_dir: Path) -> pl.DataFrame | None:
    """The optional instalment_plans table (docs/DATA.md §6), or None when the extract has none."""
    if not (data_dir / "instalment_plans.parquet").exists() and not (data_dir / "instalment_plans").is_dir():
        return None
    return _read_money(_read(data_dir, "instalment_plans"))


def default_as_of(bills: pl.DataFrame, payments: pl.DataFrame) -> dt.date | None:
    """D's default (docs/DATA.md §3): the date of the latest plausible posted_at — not before
    1990-01-01 and not more than 366 days after the latest issued_on (any bill of the extract)."""
    posted = payments.filter(pl.col("posted_at").is_not_null())["posted_at"].dt.date().to_list()
    latest_issue = bills["issued_on"].max() if bills.height else None
    plausible = [p for p in posted if p >= dt.date(1990, 1, 1)
                 and (latest_issue is None or p <= latest_issue + dt.timedelta(days=366))]
    return max(plausible) if plausible else None


def bill_balances(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
                  day: dt.date) -> pl.DataFrame:
    """Every bill of a known customer, with its customer's columns, paid(b, day) and
    outstanding(b, day)."""
    known = customers.select(pl.col("customer_id").unique())
    # Payments and bills whose customer is not in customers count nowhere.
    bills = _money(bills).join(known, on="customer_id", how="semi")
    payments = _money(payments).join(known, on="customer_id", how="semi")
    paid = (payments
            .filter(pl.col("bill_id").is_not_null()
                    & pl.col("posted_at").is_not_null()
                    & (pl.col("posted_at").dt.date() <= day))
            .group_by("bill_id")
            .agg(pl.col("amount").sum().cast(MONEY).alias("paid")))
    attributes = customers.drop([c for c in customers.columns if c in bills.columns and c != "customer_id"])
    return (bills
            .join(paid, on="bill_id", how="left")
            .with_columns(pl.col("paid").fill_null(ZERO).cast(MONEY))
            .with_columns(_pos(pl.col("amount") - _pos(pl.col("paid"))).cast(MONEY).alias("outstanding"))
            .join(attributes, on="customer_id", how="left"))


def reference(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
              as_of: dt.date, year: int, station: str | None = None,
              where: pl.Expr | None = None) -> dict:
    """The §5 `total` figures of docs/DATA.md §3 for the bills of customers in scope (the customers
    of `station`, and those `where` holds for on the customers table), as of `as_of`, year
    `year`. Also answers `bills`: how many of the scope's bills with period in Y are issued by D."""
    in_scope = customers
    if station is not None:
        in_scope = in_scope.filter(pl.col("station") == station)
    if where is not None:
        in_scope = in_scope.filter(where)
    return _scope_figures(*_balances_at_d_and_e(customers, bills, payments, as_of, year),
                          in_scope, as_of, year)


def _balances_at_d_and_e(customers, bills, payments, as_of: dt.date, year: int):
    """Every bill's balance at D and at E = 31 December of Y − 1. Payments count by their
    bill whatever known customer paid it: the scope is the bill's customer's."""
    return (bill_balances(customers, bills, payments, as_of),
            bill_balances(customers, bills, payments, dt.date(year - 1, 12, 31)))


def _scope_figures(all_at_d: pl.DataFrame, all_at_e: pl.DataFrame, in_scope: pl.DataFrame,
                   as_of: dt.date, year: int) -> dict:
    scope_ids = in_scope.select(pl.col("customer_id").unique())
    at_d = all_at_d.join(scope_ids, on="customer_id", how="semi")
    at_e = all_at_e.join(scope_ids, on="customer_id", how="semi")

    issued = at_d.filter(pl.col("issued_on") <= as_of)
    this_year = issued.filter(pl.col("period").dt.year() == year)
    billed = _sum(this_year, "amount")
    recovered = billed - _sum(this_year, "outstanding")  # Σ recovered(b, D) = Σ (amount − outstanding)

    year_end = dt.date(year - 1, 12, 31)  # E
    carried = (pl.col("period") < dt.date(year, 1, 1)) & (pl.col("issued_on") <= year_end)  # P
    prior_opening = _sum(at_e.filter(carried), "outstanding")
    prior_recovered = prior_opening - _sum(at_d.filter(carried), "outstanding")

    overdue = issued.filter(pl.col("due_on") < as_of)
    per_customer = overdue.group_by("customer_id").agg(pl.col("outstanding").sum())
    return {
        "bills": this_year.height,
        "billed": billed,
        "recovered": recovered,
        "recovery_rate": _rate(recovered, billed),
        "prior_opening": prior_opening,
        "prior_recovered": prior_recovered,
        "prior_recovery_rate": _rate(prior_recovered, prior_opening),
        "cumulative_rate": _rate(recovered + prior_recovered, billed + prior_opening),
        "arrears": _sum(overdue, "outstanding"),
        "arrears_current_year": _sum(overdue.filter(pl.col("period").dt.year() == as_of.year), "outstanding"),
        "arrears_prior_years": _sum(overdue.filter(pl.col("period").dt.year() < as_of.year), "outstanding"),
        "arrears_customers": per_customer.filter(pl.col("outstanding") > 0).height,
    }


def shown(figures: dict) -> bool:
    """docs/DATA.md §5: a group with no issued bill in Y, no arrears and no prior_opening is left out."""
    return figures["bills"] > 0 or figures["arrears"] != 0 or figures["prior_opening"] != 0


def _is(column: str, value) -> pl.Expr:
    return pl.col(column).is_null() if value is None else pl.col(column) == value


def reference_groups(customers: pl.DataFrame, bills: pl.DataFrame, payments: pl.DataFrame,
                     as_of: dt.date, year: int, member: str | None = None) -> dict[tuple, dict]:
    """The by_station rows (member None) or by_village / by_line rows (member 'village' /
    'line', within each station): {(station,) or (station, member): figures}, for the groups
    §5 shows. Groups are the values the customers table has (nulls their own group)."""
    keys = ["station"] + ([member] if member else [])
    groups = customers.select(keys).unique().rows()
    balances = _balances_at_d_and_e(customers, bills, payments, as_of, year)
    out = {}
    for key in groups:
        where = pl.lit(True)
        for column, value in zip(keys, key):
            where = where & _is(column, value)
        figures = _scope_figures(*balances, customers.filter(where), as_of, year)
        if shown(figures):
            out[tuple(key)] = figures
    return out


def mismatches(got: dict, want: dict, rate_tolerance: float = 1e-12, skip: tuple[str, ...] = ()) -> list[str]:
    """Where the query layer's figures (`got`, the §5 JSON values) differ from the reference:
    money to the fen, arrears_customers exactly, rates within `rate_tolerance` (relative to
    the rate where it exceeds 1: a credit bill can make a quotient large) or both null.
    Keys in `skip` are not compared."""
    wrong = []
    for key in MONEY_KEYS:
        if key in skip:
            continue
        g = got[key]
        if g is None or Decimal(repr(float(g))).quantize(CENT) != want[key].quantize(CENT):
            wrong.append(f"{key}: got {g!r}, want {want[key]}")
    for key in RATE_KEYS:
        if key in skip:
            continue
        g, w = got[key], want[key]
        if (g is None) != (w is None) or (w is not None and abs(g - w) > rate_tolerance * max(1.0, abs(w))):
            wrong.append(f"{key}: got {g!r}, want {w!r}")
    if got["arrears_customers"] != want["arrears_customers"]:
        wrong.append(f"arrears_customers: got {got['arrears_customers']!r}, want {want['arrears_customers']!r}")
    return wrong


# --- docs/DATA.md §6, collection operations: day by day, bill by bill -------------------------

# The contract's defaults, written out here (not read from queries/collections.toml).
PENALTY_1996 = ({"effective_from": dt.date(1996, 1, 1), "residential": Decimal("0.001"),
                 "current_year": Decimal("0.002"), "cross_year": Decimal("0.003"), "minimum": Decimal("1.00")},)
RISK_DEFAULT = {"high_days_overdue": 90, "high_arrears": Decimal("100000"), "medium_days_overdue": 30,
                "medium_average_bill_multiple": Decimal("2"), "medium_late_bills": 3}
GRADES = ("high", "medium", "low")
STATUSES = ("upcoming", "on_time", "late", "missed")


def _in_scope(customers: pl.DataFrame, station: str | None) -> pl.DataFrame:
    return customers if station is None else customers.filter(pl.col("station") == station)


def _day(value) -> dt.date | None:
    return None if value is None else (value.date() if isinstance(value, dt.datetime) else value)


def reference_posting(customers: pl.DataFrame, payments: pl.DataFrame, as_of: dt.date,
                      station: str | None = None) -> dict:
    """§6 posting: the payments of customers in scope (with or without a bill) paid from
    1 January of D's year to D, those posted the same day, and those in transit at D."""
    ids = set(_in_scope(customers, station)["customer_id"].to_list())
    payments_ytd = same_day = in_transit = 0
    in_transit_amount = ZERO
    for p in _money(payments).iter_rows(named=True):
        if p["customer_id"] not in ids or p["paid_at"] is None:
            continue
        paid, posted = _day(p["paid_at"]), _day(p["posted_at"])
        if dt.date(as_of.year, 1, 1) <= paid <= as_of:
            payments_ytd += 1
            same_day += posted is not None and posted == paid
        if paid <= as_of and (posted is None or posted > as_of):
            in_transit += 1
            in_transit_amount += p["amount"]
    return {"payments": payments_ytd, "posted_same_day": same_day,
            "same_day_posting_rate": None if payments_ytd == 0 else same_day / payments_ytd,
            "in_transit": in_transit, "in_transit_amount": in_transit_amount}


def _rate_row(day: dt.date, rates) -> dict | None:
    """The penalty rate row in force on `day`: the latest effective_from on or before it."""
    rows = [r for r in rates if r["effective_from"] <= day]
    return max(rows, key=lambda r: r["effective_from"]) if rows else None


def _owing(customers, bills, payments, as_of: dt.date, station: str | None) -> pl.DataFrame:
    """The issued, overdue bills of customers in scope still owing at D, with their customer's columns."""
    ids = _in_scope(customers, station).select("customer_id")
    return (bill_balances(customers, bills, payments, as_of)
            .join(ids, on="customer_id", how="semi")
            .filter((pl.col("issued_on") <= as_of) & (pl.col("due_on") < as_of) & (pl.col("outstanding") > 0)))


def reference_penalties(customers, bills, payments, as_of: dt.date, station: str | None = None,
                        rates=PENALTY_1996) -> dict[str, Decimal]:
    """§6 penalty(b) of every owing bill: each day from due_on + 1 to D at the rate in force that
    day (residential one rate; others the bill year's, then later years'), rounded half away
    from zero, at least the minimum in force on D."""
    in_force = _rate_row(as_of, rates)
    minimum = in_force["minimum"] if in_force else ZERO
    rows_by_day: dict[dt.date, dict | None] = {}
    out = {}
    for b in _owing(customers, bills, payments, as_of, station).iter_rows(named=True):
        total = Decimal(0)
        day = b["due_on"] + dt.timedelta(days=1)
        while day <= as_of:
            if day not in rows_by_day:
                rows_by_day[day] = _rate_row(day, rates)
            row = rows_by_day[day]
            if row is not None:
                if b["category"] == "residential":
                    total += row["residential"]
                else:
                    total += row["current_year"] if day.year <= b["period"].year else row["cross_year"]
            day += dt.timedelta(days=1)
        out[b["bill_id"]] = max(minimum, (b["outstanding"] * total).quantize(CENT, rounding=ROUND_HALF_UP))
    return out


def _months_back(month_start: dt.date, n: int) -> dt.date:
    index = month_start.year * 12 + month_start.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def reference_risk(customers, bills, payments, as_of: dt.date, station: str | None = None,
                   risk=RISK_DEFAULT) -> dict[str, tuple[str, str, Decimal]]:
    """§6 risk grade of every customer in scope with arrears: {customer_id: (grade, reason,
    arrears)}, reason naming the first clause that holds, as the query layer does."""
    owing = _owing(customers, bills, payments, as_of, station)
    known = customers.select(pl.col("customer_id").unique())
    month = dt.date(as_of.year, as_of.month, 1)
    # the bills of the 12 bill months before D's month issued by D, each with paid(b, due_on)
    window = (_money(bills).join(known, on="customer_id", how="semi")
              .filter((pl.col("period") >= _months_back(month, 12)) & (pl.col("period") < month)
                      & (pl.col("issued_on") <= as_of)))
    paid_by_due = (_money(payments).join(known, on="customer_id", how="semi")
                   .filter(pl.col("bill_id").is_not_null() & pl.col("posted_at").is_not_null())
                   .join(window.select("bill_id", "due_on"), on="bill_id")
                   .filter(pl.col("posted_at").dt.date() <= pl.col("due_on"))
                   .group_by("bill_id").agg(pl.col("amount").sum().cast(MONEY).alias("paid_by_due")))
    window = (window.join(paid_by_due, on="bill_id", how="left")
              .with_columns(pl.col("paid_by_due").fill_null(ZERO).cast(MONEY))
              .with_columns(((_pos(pl.col("amount") - _pos(pl.col("paid_by_due"))) > 0)
                             & (pl.col("due_on") < as_of)).alias("late")))
    histories = window.partition_by("customer_id", as_dict=True)
    out = {}
    for (customer_id,), rows in owing.partition_by("customer_id", as_dict=True).items():
        arrears = _sum(rows, "outstanding")
        prior = _sum(rows.filter(pl.col("period").dt.year() < as_of.year), "outstanding")
        days = max((as_of - due).days for due in rows["due_on"].to_list())
        history = histories.get((customer_id,), window.clear())
        late = int(history["late"].sum())
        months = history["period"].n_unique()
        billed = _sum(history, "amount")
        if days > risk["high_days_overdue"]:
            grade = ("high", "high_overdue")
        elif prior > 0:
            grade = ("high", "high_prior_years")
        elif arrears >= risk["high_arrears"]:
            grade = ("high", "high_amount")
        elif days > risk["medium_days_overdue"]:
            grade = ("medium", "medium_overdue")
        elif months and arrears >= risk["medium_average_bill_multiple"] * billed / months:
            grade = ("medium", "medium_average_bill")
        elif late >= risk["medium_late_bills"]:
            grade = ("medium", "medium_late_bills")
        else:
            grade = ("low", "low")
        out[customer_id] = (*grade, arrears)
    return out


def reference_instalments(customers, bills, payments, plans: pl.DataFrame | None, as_of: dt.date,
                          station: str | None = None) -> list[tuple[str, dt.date, str]]:
    """§6 status of every instalment part of a bill of a customer in scope: (bill_id, due_on,
    status) per plan row (rows with a missing value, or whose bill is unknown, count nowhere)."""
    if plans is None or plans.height == 0:
        return []
    ids = set(_in_scope(customers, station)["customer_id"].to_list())
    known = set(customers["customer_id"].to_list())
    bill_owner = {b["bill_id"]: b["customer_id"] for b in bills.iter_rows(named=True) if b["customer_id"] in known}
    plans = _money(plans).drop_nulls(["bill_id", "due_on", "amount"])
    posted = [p for p in _money(payments).iter_rows(named=True)
              if p["customer_id"] in known and p["bill_id"] is not None and p["posted_at"] is not None]

    def paid(bill_id: str, day: dt.date) -> Decimal:
        return sum((p["amount"] for p in posted if p["bill_id"] == bill_id and p["posted_at"].date() <= day), Decimal(0))

    out = []
    for row in plans.iter_rows(named=True):
        if bill_owner.get(row["bill_id"]) not in ids:
            continue
        due_by_then = sum((r["amount"] for r in plans.iter_rows(named=True)
                           if r["bill_id"] == row["bill_id"] and r["due_on"] <= row["due_on"]), Decimal(0))
        if row["due_on"] > as_of:
            status = "upcoming"
        elif paid(row["bill_id"], row["due_on"]) >= due_by_then:
            status = "on_time"
        elif paid(row["bill_id"], as_of) >= due_by_then:
            status = "late"
        else:
            status = "missed"
        out.append((row["bill_id"], row["due_on"], status))
    return out


def reference_collections(customers, bills, payments, plans: pl.DataFrame | None, as_of: dt.date,
                          station: str | None = None, rates=PENALTY_1996, risk=RISK_DEFAULT) -> dict:
    """The §6 JSON of `collections` (Decimal money, int counts), from the tables alone."""
    balances = _balances_at_d_and_e(customers, bills, payments, as_of, as_of.year)
    scope = _in_scope(customers, station)
    by_collector = []
    for name in sorted(set(scope["meter_reader"].to_list()), key=lambda n: (n is None, n or "")):
        figures = _scope_figures(*balances, scope.filter(_is("meter_reader", name)), as_of, as_of.year)
        if shown(figures):
            by_collector.append({"collector": name, **figures})
    penalties = reference_penalties(customers, bills, payments, as_of, station, rates)
    grades = reference_risk(customers, bills, payments, as_of, station, risk)
    statuses = [s for *_, s in reference_instalments(customers, bills, payments, plans, as_of, station)]
    return {
        "as_of": as_of.isoformat(),
        "station": station,
        "by_collector": by_collector,
        "posting": reference_posting(customers, payments, as_of, station),
        "penalty_exposure": sum(penalties.values(), ZERO),
        "penalty_bills": len(penalties),
        "risk": {g: {"customers": sum(1 for v in grades.values() if v[0] == g),
                     "arrears": sum((v[2] for v in grades.values() if v[0] == g), ZERO)} for g in GRADES},
        "instalments": {s: statuses.count(s) for s in STATUSES},
    }


def collections_mismatches(got: dict, want: dict) -> list[str]:
    """Where the query layer's §6 JSON (`got`) differs from reference_collections (`want`)."""
    wrong = []
    if [r["collector"] for r in got["by_collector"]] != [r["collector"] for r in want["by_collector"]]:
        wrong.append(f"by_collector: {[r['collector'] for r in got['by_collector']]} "
                     f"!= {[r['collector'] for r in want['by_collector']]}")
    else:
        for g, w in zip(got["by_collector"], want["by_collector"]):
            wrong += [f"by_collector {w['collector']}: {m}" for m in mismatches(g, w)]
    gp, wp = got["posting"], want["posting"]
    for key in ("payments", "posted_same_day", "in_transit"):
        if gp[key] != wp[key]:
            wrong.append(f"posting {key}: got {gp[key]}, want {wp[key]}")
    if (gp["same_day_posting_rate"] is None) != (wp["same_day_posting_rate"] is None) or (
            wp["same_day_posting_rate"] is not None
            and abs(gp["same_day_posting_rate"] - wp["same_day_posting_rate"]) > 1e-12):
        wrong.append(f"posting same_day_posting_rate: got {gp['same_day_posting_rate']}, want {wp['same_day_posting_rate']}")

    def money_differs(g, w) -> bool:
        return Decimal(repr(float(g))).quantize(CENT) != Decimal(w).quantize(CENT)

    if money_differs(gp["in_transit_amount"], wp["in_transit_amount"]):
        wrong.append(f"posting in_transit_amount: got {gp['in_transit_amount']}, want {wp['in_transit_amount']}")
    if money_differs(got["penalty_exposure"], want["penalty_exposure"]) or got["penalty_bills"] != want["penalty_bills"]:
        wrong.append(f"penalty: got {got['penalty_exposure']} / {got['penalty_bills']}, "
                     f"want {want['penalty_exposure']} / {want['penalty_bills']}")
    for grade in GRADES:
        g, w = got["risk"][grade], want["risk"][grade]
        if g["customers"] != w["customers"] or money_differs(g["arrears"], w["arrears"]):
            wrong.append(f"risk {grade}: got {g}, want {w}")
    if got["instalments"] != want["instalments"]:
        wrong.append(f"instalments: got {got['instalments']}, want {want['instalments']}")
    return wrong


def reference_penalty_avoided(customers, bills, payments, as_of: dt.date, station: str | None = None,
                              rates=PENALTY_1996) -> dict:
    """docs/DATA.md §6, what same-day posting saved, bill by bill and day by day: for each bill
    and day p on which payments to it paid that day were posted that day (p from 1 January of D's
    year to D), the part of the bill's balance they settled (their sum, at most the day's drop in
    outstanding) times the daily rates of the days from max(p, due_on) + 1 to the next Monday–
    Friday after p; summed exactly and rounded once, half away from zero, with no minimum."""
    known = set(customers["customer_id"].to_list())
    in_scope = set(_in_scope(customers, station)["customer_id"].to_list())
    category = dict(zip(customers["customer_id"].to_list(), customers["category"].to_list()))
    bill_of = {b["bill_id"]: b for b in _money(bills).iter_rows(named=True) if b["customer_id"] in known}
    postings: dict[str, list[tuple[dt.date, Decimal]]] = {}
    same_day: dict[tuple[str, dt.date], list[Decimal]] = {}
    for p in _money(payments).iter_rows(named=True):
        if p["bill_id"] not in bill_of or p["posted_at"] is None or p["customer_id"] not in known:
            continue
        posted_on = _day(p["posted_at"])
        postings.setdefault(p["bill_id"], []).append((posted_on, p["amount"]))
        if posted_on == _day(p["paid_at"]):
            same_day.setdefault((p["bill_id"], posted_on), []).append(p["amount"])

    def outstanding(bill: dict, day: dt.date) -> Decimal:
        paid = sum((a for posted_on, a in postings[bill["bill_id"]] if posted_on <= day), ZERO)
        return max(ZERO, bill["amount"] - max(ZERO, paid))

    one_day = dt.timedelta(days=1)
    out = {"payments": 0, "bills": 0, "settled": ZERO, "penalty_days": 0, "penalty_avoided": Decimal(0)}
    for (bill_id, paid_on), amounts in same_day.items():
        b = bill_of[bill_id]
        if not dt.date(as_of.year, 1, 1) <= paid_on <= as_of or b["customer_id"] not in in_scope:
            continue
        settled = max(ZERO, min(sum(amounts, ZERO), outstanding(b, paid_on - one_day) - outstanding(b, paid_on)))
        next_working_day = paid_on + one_day
        while next_working_day.weekday() >= 5:  # Saturday, Sunday
            next_working_day += one_day
        if settled == 0 or b["due_on"] >= next_working_day:
            continue
        total, day = Decimal(0), max(paid_on, b["due_on"]) + one_day
        while day <= next_working_day:
            row = _rate_row(day, rates)
            if row is not None:
                if category[b["customer_id"]] == "residential":
                    total += row["residential"]
                else:
                    total += row["current_year"] if day.year <= b["period"].year else row["cross_year"]
            out["penalty_days"] += 1
            day += one_day
        out["payments"] += len(amounts)
        out["bills"] += 1
        out["settled"] += settled
        out["penalty_avoided"] += settled * total
    out["penalty_avoided"] = out["penalty_avoided"].quantize(CENT, rounding=ROUND_HALF_UP)
    return out
