"""One more day of payments, as a marketing system's daily export would bring it: for timing the
refresh of an extract that grew by one file (issue 11 §2).

    python -m benchmarks.next_day --data DIR [--day YYYY-MM-DD] [--payments N] [--seed S] [--name FILE]

Writes DIR/payments/<day>.parquet (or --name) with exactly N payments (default 40,000, a
realistic day at 1 M accounts), in the schema of the extract's latest payments file:
- the day defaults to the one after the latest plausible posting date;
- most payments settle bills still owing (bill amount − its posted payments > 0), picked at
  random, one payment each: 80 % of the day's rows pay a bill's outstanding in full, 15 % a part
  of it; when fewer bills owe than that, the bills owing are all paid (in the same 80 : 15) and
  bills of the latest bill month are paid once more (an overpayment) to make up the N rows;
- 5 % are prepayments without a bill (bill_id null) of random customers;
- paid during the working day (08:00–18:00); counter, WeChat, Alipay and app payments post at
  once (posted_at = paid_at), bank and door-to-door collections at the end of the day, and 2 %
  of the day's rows, taken among those, are still in transit (posted_at null);
- payment ids are D<yyyymmdd>-<n>, a form the sample generator's all-digit ids never take (and
  the extract is checked for it); no reversals (negative amounts).

The same arguments on the same extract always write the same file. The balances come from one
DuckDB query over the extract's Parquet (read as the build reads it, queries/checks.py); the
per-row draws are numpy arrays, never a Python loop over rows.

This writes into the data directory on purpose: it plays the export that lands there.
benchmarks/run.py --phase refresh removes the file again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from queries import checks

SQL_DIR = Path(__file__).resolve().parent / "sql"
DEFAULT_PAYMENTS = 40_000
DEFAULT_SEED = 20220701


@dataclass(frozen=True)
class Mix:
    """Shares of the day's rows. Prepayments are an exact count; part payments the same share of
    the payments of bills still owing (the rest of which pay in full); in transit a share of all
    rows, taken among the end-of-day channels."""

    part: float = 0.15
    prepaid: float = 0.05
    in_transit: float = 0.02


# How the day's payments arrive, and which channels post only at the end of the day.
CHANNEL_SHARES = {"counter": 0.14, "bank": 0.24, "wechat": 0.25, "alipay": 0.13, "app": 0.17, "door_to_door": 0.07}
END_OF_DAY_CHANNELS = ("bank", "door_to_door")
WORKING_DAY = (dt.timedelta(hours=8), dt.timedelta(hours=18))
END_OF_DAY = dt.timedelta(hours=23, minutes=30)
PREPAYMENT_YUAN = np.array([50, 100, 200, 300, 500, 1000])


@dataclass(frozen=True)
class DayFile:
    path: Path
    day: dt.date
    rows: int
    bills: int  # distinct bills paid
    customers: int
    amount_fen: int
    in_full: int  # rows paying a bill's outstanding in full
    in_part: int
    overpaid: int  # rows paying a latest-month bill that owed nothing
    prepaid: int
    in_transit: int

    def describe(self) -> str:
        return (f"wrote {self.path}: {self.rows:,} payments of {self.day}, {self.bills:,} bills, "
                f"{self.customers:,} customers, {self.amount_fen / 100:,.2f} yuan "
                f"(in full {self.in_full:,}, part {self.in_part:,}, overpaying a latest-month bill "
                f"{self.overpaid:,}, prepayments {self.prepaid:,}, in transit {self.in_transit:,})")


class NextDayError(Exception):
    """The day file cannot be written (the message says why)."""


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@contextlib.contextmanager
def _extract(data_dir: Path):
    """A connection with the extract's tables as the build reads them (raw_customers, raw_bills,
    raw_payments): contract types, money to the fen. DuckDB spills to a temporary folder, never
    into the extract."""
    sources = checks.find_tables(data_dir)
    spill = Path(tempfile.mkdtemp(prefix="next-day-spill-"))
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"set memory_limit = '{os.environ.get('FEE_BUILD_MEMORY_LIMIT', '4GB')}'")
        con.execute(f"set temp_directory = {checks.sql_str(str(spill))}")
        checks.read_schemas(con, data_dir, sources)
        for name in ("customers", "bills", "payments"):
            con.execute(f"create temp view raw_{name} as {checks.raw_view_sql(sources[name])}")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _layout(data_dir: Path) -> tuple[Path, Path]:
    """The payments folder and the file whose schema the day file copies (the last by name)."""
    folder = data_dir / "payments"
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise NextDayError(f"{data_dir} has no payments/ folder of Parquet files: a day file needs the "
                           "folder layout (python -m sample_data.generate --monthly writes one)")
    return folder, files[-1]


def _cycled(available: int, start: int, n: int) -> np.ndarray:
    """Row numbers 0 … n−1 of `available` rows, where rows past the end repeat rows start … end."""
    rows = np.arange(n)
    tail = available - start
    if n > available and tail > 0:
        rows[available:] = start + (rows[available:] - available) % tail
    return rows


def _money(fen: np.ndarray) -> pa.Array:
    """Integer fen as DECIMAL(38,2) yuan: the same 128-bit integers read with two decimals."""
    whole = pa.array(fen, pa.int64()).cast(pa.decimal128(38, 0))
    return pa.Array.from_buffers(pa.decimal128(38, 2), len(whole), whole.buffers())


FULL, PART, OVERPAID = range(3)  # what a row of the day pays


def _bill_payments(bills: pa.Table, n: int, mix: Mix, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n payments of the bills on offer (owing ones first, in day_bills.sql's order): which row of
    `bills` each pays, its amount in fen and its kind (FULL, PART or OVERPAID)."""
    owing = bills["owing"].to_numpy(zero_copy_only=False).astype(bool)
    n_owing = int(owing.sum())
    # past the bills on offer, pay the latest month's bills again (or, without any, the owing ones)
    rows = _cycled(bills.num_rows, n_owing if n_owing < bills.num_rows else 0, n)
    outstanding = bills["outstanding_fen"].to_numpy()[rows]
    first = np.arange(n) < bills.num_rows  # a bill's first payment of the day
    kind = np.where(owing[rows] & first, FULL, OVERPAID)
    can_part = np.flatnonzero((kind == FULL) & (outstanding >= 2))  # a part of 1 fen would be all of it
    n_part = round(int((kind == FULL).sum()) * mix.part / (1 - mix.prepaid))  # 15 of every 95 bills owing
    kind[rng.choice(can_part, size=min(len(can_part), n_part), replace=False)] = PART
    part = np.maximum(1, np.floor(outstanding * rng.uniform(0.2, 0.9, n))).astype(np.int64)
    amount = np.select([kind == FULL, kind == PART], [outstanding, part], bills["amount_fen"].to_numpy()[rows])
    return rows, amount, kind


def _times(day: dt.date, n: int, mix: Mix, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Channel, paid_at, posted_at and in-transit flag of n payments made on `day`."""
    channel = rng.choice(np.array(list(CHANNEL_SHARES)), size=n, p=np.array(list(CHANNEL_SHARES.values())))
    start, end = (int(t.total_seconds()) for t in WORKING_DAY)
    midnight = np.datetime64(day, "us")
    paid_at = midnight + rng.integers(start, end, n).astype("timedelta64[s]")
    end_of_day = np.isin(channel, END_OF_DAY_CHANNELS)
    posted_at = np.where(end_of_day, midnight + np.timedelta64(int(END_OF_DAY.total_seconds()), "s"), paid_at)
    late = np.flatnonzero(end_of_day)
    in_transit = np.zeros(n, dtype=bool)
    in_transit[rng.choice(late, size=min(len(late), round(n * mix.in_transit)), replace=False)] = True
    return channel, paid_at, posted_at, in_transit


def write_next_day(data_dir: str | Path, day: dt.date | None = None, payments: int = DEFAULT_PAYMENTS,
                   seed: int = DEFAULT_SEED, name: str | None = None, mix: Mix = Mix()) -> DayFile:
    """Write the day file (module docstring) and say what it holds."""
    data_dir = Path(data_dir)
    if payments < 1:
        raise NextDayError("--payments must be at least 1")
    folder, model = _layout(data_dir)
    n_prepaid = round(payments * mix.prepaid)
    n_billed = payments - n_prepaid
    with _extract(data_dir) as con:
        if day is None:
            last = con.sql(_sql("day_start")).fetchall()[0][0]
            if last is None:
                raise NextDayError(f"{data_dir} has no posted payment to follow: give --day")
            day = last + dt.timedelta(days=1)
        target = folder / (name or f"{day.isoformat()}.parquet")
        if target.suffix != ".parquet" or target.parent != folder:
            raise NextDayError(f"--name must be a file name ending in .parquet, not {name}")
        if target.exists():
            raise NextDayError(f"{target} already exists: remove it, or give another --day or --name")
        prefix = f"D{day:%Y%m%d}-"
        if con.sql(_sql("day_id_clashes"), params={"prefix": prefix}).fetchall()[0][0]:
            raise NextDayError(f"{data_dir} already has payment ids starting with {prefix}")
        bills = con.sql(_sql("day_bills"), params={"day": day, "seed": seed, "limit": n_billed}).to_arrow_table()
        customers = con.sql(_sql("day_customers"), params={"seed": seed, "limit": n_prepaid}).to_arrow_table()
    if n_billed and not bills.num_rows:
        raise NextDayError(f"{data_dir} has no bill issued by {day} to pay")
    if n_prepaid and not customers.num_rows:
        raise NextDayError(f"{data_dir} has no customers")

    rng = np.random.default_rng([seed, day.toordinal()])
    rows, billed_fen, kind = _bill_payments(bills, n_billed, mix, rng)
    payers = pa.array(_cycled(customers.num_rows, 0, n_prepaid))
    prepaid_fen = rng.choice(PREPAYMENT_YUAN, size=n_prepaid) * 100
    channel, paid_at, posted_at, in_transit = _times(day, payments, mix, rng)

    order = np.argsort(paid_at, kind="stable")  # an export lists payments as they came in
    customer_id = pa.concat_arrays([bills["customer_id"].combine_chunks().take(pa.array(rows)),
                                    customers["customer_id"].combine_chunks().take(payers)])
    bill_id = pa.concat_arrays([bills["bill_id"].combine_chunks().take(pa.array(rows)), pa.nulls(n_prepaid, pa.string())])
    amount_fen = np.concatenate([billed_fen, prepaid_fen]).astype(np.int64)
    ids = np.char.add(prefix, np.char.zfill(np.arange(1, payments + 1).astype(str), len(str(payments))))
    _write_like(model, target, {
        "payment_id": pa.array(ids),
        "customer_id": customer_id.take(pa.array(order)),
        "bill_id": bill_id.take(pa.array(order)),
        "paid_at": pa.array(paid_at[order], pa.timestamp("us")),
        "posted_at": pa.array(posted_at[order], pa.timestamp("us"), mask=in_transit[order]),
        "amount": _money(amount_fen[order]),
        "channel": pa.array(channel[order]),
    })
    return DayFile(
        path=target, day=day, rows=payments, bills=len(pc.unique(bill_id.drop_null())),
        customers=len(pc.unique(customer_id)), amount_fen=int(amount_fen.sum()),
        in_full=int((kind == FULL).sum()), in_part=int((kind == PART).sum()),
        overpaid=int((kind == OVERPAID).sum()), prepaid=n_prepaid, in_transit=int(in_transit.sum()))


def _write_like(model: Path, target: Path, columns: dict[str, pa.Array]) -> None:
    """Write the columns in `model`'s schema (its column names, order and types; a column it has
    beyond the contract's is null), with the same physical storage of decimals, atomically."""
    schema = pq.read_schema(model).remove_metadata()
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(len(columns["payment_id"]), f.type)
              for f in schema]
    table = pa.Table.from_arrays(arrays, schema=schema)
    physical = {c.name: c.physical_type for c in pq.ParquetFile(model).schema}
    as_integer = any(pa.types.is_decimal(f.type) and physical.get(f.name) in ("INT32", "INT64") for f in schema)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # not *.parquet: no reader sees it half-written
    try:
        pq.write_table(table, tmp, compression="zstd", store_decimal_as_integer=as_integer)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.next_day", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="the extract (folder layout: payments/*.parquet)")
    p.add_argument("--day", type=dt.date.fromisoformat, default=None,
                   help="YYYY-MM-DD (default: the day after the latest posting)")
    p.add_argument("--payments", type=int, default=DEFAULT_PAYMENTS, help=f"rows (default {DEFAULT_PAYMENTS:,})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--name", default=None, help="file name under payments/ (default <day>.parquet)")
    args = p.parse_args(argv)
    try:
        written = write_next_day(args.data, args.day, args.payments, args.seed, args.name)
    except (NextDayError, checks.ExtractRefused) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(written.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
