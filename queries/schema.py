"""The tables and columns of docs/DATA.md §2, and which stored types each may be read from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | bool | date | timestamp | double | money | integer
    nullable: bool


def _cols(*specs: tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


TABLES: dict[str, tuple[Column, ...]] = {
    "customers": _cols(
        ("customer_id", "text", False),
        ("customer_name", "text", False),
        ("phone", "text", True),
        ("station", "text", False),
        ("village", "text", True),
        ("line", "text", True),
        ("transformer", "text", True),
        ("category", "text", False),
        ("is_high_energy", "bool", False),
        ("industry", "text", True),
        ("meter_reader", "text", True),
        ("is_key_account", "bool", True),
    ),
    "bills": _cols(
        ("bill_id", "text", False),
        ("customer_id", "text", False),
        ("period", "date", False),
        ("issued_on", "date", False),
        ("due_on", "date", False),
        ("kwh", "double", False),
        ("kwh_peak", "double", True),
        ("kwh_flat", "double", True),
        ("kwh_valley", "double", True),
        ("amount", "money", False),
        ("tariff", "text", True),
    ),
    "payments": _cols(
        ("payment_id", "text", False),
        ("customer_id", "text", False),
        ("bill_id", "text", True),
        ("paid_at", "timestamp", False),
        ("posted_at", "timestamp", True),
        ("amount", "money", False),
        ("channel", "text", False),
    ),
    "targets": _cols(
        ("station", "text", False),
        ("year", "integer", False),
        ("recovery_target", "double", False),
        ("collector", "text", True),  # docs/DATA.md §6: a row with a collector is that collector's target
    ),
    # docs/DATA.md §6: the agreed parts (分次结算) of one bill
    "instalment_plans": _cols(
        ("bill_id", "text", False),
        ("due_on", "date", False),
        ("amount", "money", False),
    ),
}

REQUIRED_TABLES = ("customers", "bills", "payments")
UNIQUE_KEYS = {"customers": "customer_id", "bills": "bill_id", "payments": "payment_id"}
# What a finding's examples name a row by, where the table has no unique key of its own.
ROW_NAME = {**UNIQUE_KEYS, "instalment_plans": "bill_id"}
# Optional columns added to a table after the contract's first version: without them the
# table reads as before (no per-collector targets), which is the normal case, not a finding.
QUIET_OPTIONAL_COLUMNS = {("targets", "collector")}

CODES = {
    ("customers", "category"): ("residential", "small_power", "large_industry", "agriculture", "other"),
    ("bills", "tariff"): ("catalogue", "market", "agency"),
    ("payments", "channel"): ("counter", "bank", "wechat", "alipay", "app", "door_to_door", "other"),
}

_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
             "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE"}


def readable(kind: str, duckdb_type: str) -> bool:
    """Whether a stored column of `duckdb_type` can be read, without loss, as `kind`."""
    t = duckdb_type.upper()
    if kind == "text":
        # Numbers are refused: a numeric 户号 has already lost its leading zeros.
        return t == "VARCHAR"
    if kind == "bool":
        return t == "BOOLEAN"
    if kind == "date":
        return t == "DATE"
    if kind == "timestamp":
        return t in _TIMESTAMPS
    if kind == "integer":
        return t in _INTEGERS
    if kind == "double":
        return t in _INTEGERS or t in {"FLOAT", "DOUBLE"} or t.startswith("DECIMAL")
    if kind == "money":
        if t.startswith("DECIMAL"):
            scale = int(t.rstrip(")").split(",")[1])
            return scale <= 2
        return t in _INTEGERS or t in {"FLOAT", "DOUBLE"}
    raise ValueError(kind)


SQL_TYPE = {
    "text": "VARCHAR",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "money": "DECIMAL(18,2)",
}
