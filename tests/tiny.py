"""Hand-made extracts for tests: a few rows, written with the exact types of docs/DATA.md §2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MONEY = pa.decimal128(18, 2)

TYPES = {
    "customers": {
        "customer_id": pa.string(), "customer_name": pa.string(), "phone": pa.string(),
        "station": pa.string(), "village": pa.string(), "line": pa.string(),
        "transformer": pa.string(), "category": pa.string(), "is_high_energy": pa.bool_(),
        "industry": pa.string(), "meter_reader": pa.string(), "is_key_account": pa.bool_(),
    },
    "bills": {
        "bill_id": pa.string(), "customer_id": pa.string(), "period": pa.date32(),
        "issued_on": pa.date32(), "due_on": pa.date32(), "kwh": pa.float64(),
        "kwh_peak": pa.float64(), "kwh_flat": pa.float64(), "kwh_valley": pa.float64(),
        "amount": MONEY, "tariff": pa.string(),
    },
    "payments": {
        "payment_id": pa.string(), "customer_id": pa.string(), "bill_id": pa.string(),
        "paid_at": pa.timestamp("us"), "posted_at": pa.timestamp("us"), "amount": MONEY,
        "channel": pa.string(),
    },
    "targets": {"station": pa.string(), "year": pa.int32(), "recovery_target": pa.float64(),
                "collector": pa.string()},
    "instalment_plans": {"bill_id": pa.string(), "due_on": pa.date32(), "amount": MONEY},
}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def customer(customer_id: str, station: str = "千钢供电所", village: str | None = "一村",
             line: str | None = "10kV甲线", category: str = "residential", **extra) -> dict:
    row = {"customer_id": customer_id, "customer_name": "张三明", "phone": "18812348912",
           "station": station, "village": village, "line": line, "transformer": "1#台区",
           "category": category, "is_high_energy": False, "industry": None,
           "meter_reader": "李催费", "is_key_account": None}
    row.update(extra)
    return row


def bill(bill_id: str, customer_id: str, amount: str | float, period: str = "2021-03-01",
         issued_on: str | None = None, due_on: str | None = None, kwh: float = 100.0, **extra) -> dict:
    p = d(period)
    issued = d(issued_on) if issued_on else p.replace(day=5)
    row = {"bill_id": bill_id, "customer_id": customer_id, "period": p, "issued_on": issued,
           "due_on": d(due_on) if due_on else issued + dt.timedelta(days=15), "kwh": kwh,
           "kwh_peak": None, "kwh_flat": None, "kwh_valley": None,
           "amount": Decimal(str(amount)) if not isinstance(amount, float) else amount,
           "tariff": "catalogue"}
    row.update(extra)
    return row


def payment(payment_id: str, customer_id: str, bill_id: str | None, amount: str | float,
            paid_at: str, posted_at: str | None = "same", channel: str = "wechat") -> dict:
    paid = ts(paid_at)
    posted = paid if posted_at == "same" else (ts(posted_at) if posted_at else None)
    return {"payment_id": payment_id, "customer_id": customer_id, "bill_id": bill_id,
            "paid_at": paid, "posted_at": posted,
            "amount": Decimal(str(amount)) if not isinstance(amount, float) else amount,
            "channel": channel}


def part(bill_id: str, due_on: str, amount: str | float) -> dict:
    """One row of an instalment plan (分次结算): the part of `bill_id` due on `due_on`."""
    return {"bill_id": bill_id, "due_on": d(due_on),
            "amount": Decimal(str(amount)) if not isinstance(amount, float) else amount}


def table(name: str, rows: list[dict], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    schema = dict(TYPES[name])
    if types:
        schema.update(types)
    columns = list(rows[0].keys()) if rows else list(schema)
    fields = [pa.field(c, schema.get(c, pa.string())) for c in columns]
    data = {c: [r.get(c) for r in rows] for c in columns}
    for f in fields:  # money given as Decimal but written as DOUBLE
        if pa.types.is_floating(f.type):
            data[f.name] = [float(v) if isinstance(v, Decimal) else v for v in data[f.name]]
    return pa.table(data, schema=pa.schema(fields))


def write_extract(root: Path, customers: list[dict], bills: list[dict], payments: list[dict],
                  targets: list[dict] | None = None, types: dict[str, dict] | None = None,
                  instalment_plans: list[dict] | None = None) -> Path:
    """Single-file layout: <root>/<table>.parquet; an optional table only when given."""
    root.mkdir(parents=True, exist_ok=True)
    types = types or {}
    for name, rows in (("customers", customers), ("bills", bills), ("payments", payments),
                       ("targets", targets), ("instalment_plans", instalment_plans)):
        if rows is not None:
            pq.write_table(table(name, rows, types.get(name)), root / f"{name}.parquet")
    return root
