"""benchmarks/next_day.py (one more day of payments for the refresh benchmark) and the refresh
phase of benchmarks/run.py, which must leave the extract and its cache as they were.

The day file's rules are checked against balances worked out by hand on a tiny extract, and
against a second implementation (polars) on a generated one."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from benchmarks import run
from benchmarks.next_day import Mix, NextDayError, write_next_day
from queries import open_extract
from sample_data.generate import generate
from tiny import bill, customer, payment, table, write_extract

DAY = dt.date(2021, 5, 11)  # the day after the latest plausible posting of the tiny extract
INSTANT = {"counter", "wechat", "alipay", "app"}


def _tiny(root: Path) -> Path:
    """Folder layout. Worked by hand: b1 owes 100 − 30 = 70.00; b2 owes 50.00 (its 20.00 is in
    transit); b8 owes 33.33 − 3.33 = 30.00; b3 (80 paid, reversed, paid again), b6 (overpaid) and
    the credit b5 owe nothing; b7's customer is unknown; b10 is issued after the day. The latest
    bill month issued by the day is 2021-04: b4 (60.00) and b9 (12.00) are paid in full."""
    customers = [customer("C1"), customer("C2"), customer("C3")]
    bills = [
        bill("b1", "C1", "100.00", period="2021-03-01"),
        bill("b2", "C2", "50.00", period="2021-03-01"),
        bill("b3", "C1", "80.00", period="2021-03-01"),
        bill("b6", "C3", "40.00", period="2021-03-01"),
        bill("b7", "C9", "25.00", period="2021-03-01"),
        bill("b4", "C2", "60.00", period="2021-04-01"),
        bill("b5", "C3", "-10.00", period="2021-04-01"),
        bill("b8", "C3", "33.33", period="2021-04-01"),
        bill("b9", "C1", "12.00", period="2021-04-01"),
        bill("b10", "C1", "70.00", period="2021-05-01", issued_on="2021-05-20"),
    ]
    march = [
        payment("1001", "C1", "b1", "30.00", "2021-03-20 09:00:00"),
        payment("1002", "C2", "b2", "20.00", "2021-03-21 10:00:00", posted_at=None, channel="bank"),
        payment("1003", "C1", "b3", "80.00", "2021-03-22 11:00:00"),
        payment("1004", "C1", "b3", "-80.00", "2021-03-23 11:00:00"),
        payment("1005", "C1", "b3", "80.00", "2021-03-24 11:00:00"),
        payment("1006", "C3", "b6", "50.00", "2021-03-25 12:00:00"),
        payment("1007", "C1", None, "100.00", "2021-03-26 12:00:00"),
    ]
    april_may = [
        payment("2001", "C2", "b4", "60.00", "2021-04-20 09:00:00"),
        payment("2002", "C3", "b8", "3.33", "2021-04-21 09:00:00"),
        payment("2003", "C1", "b9", "12.00", "2021-05-10 13:00:00", posted_at="2021-05-10 14:00:00", channel="bank"),
        # implausible (more than 366 days after the latest issue): not the extract's last day
        payment("2004", "C3", None, "10.00", "2021-05-01 09:00:00", posted_at="2099-01-01 09:00:00"),
    ]
    write_extract(root, customers, bills, [])
    (root / "payments.parquet").unlink()
    (root / "payments").mkdir()
    pq.write_table(table("payments", march), root / "payments" / "2021-03.parquet")
    pq.write_table(table("payments", april_may), root / "payments" / "2021-04.parquet")
    return root


def _day_file(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path)


def _existing_ids(root: Path, day_file: Path) -> set[str]:
    return {i for f in (root / "payments").glob("*.parquet") if f != day_file
            for i in pl.read_parquet(f)["payment_id"].to_list()}


def _physical(path: Path) -> list[tuple[str, str, str]]:
    schema = pq.ParquetFile(path).schema
    return [(c.name, c.physical_type, str(c.logical_type)) for c in schema]


def test_tiny_extract_pays_each_owing_bill_its_outstanding_then_the_latest_month(tmp_path):
    root = _tiny(tmp_path / "x")
    written = write_next_day(root, payments=20, mix=Mix(part=0, prepaid=0.10, in_transit=0.10))
    assert written.path == root / "payments" / "2021-05-11.parquet" and written.day == DAY
    day = _day_file(written.path)
    assert day.height == 20
    by_bill = day.filter(pl.col("bill_id").is_not_null()).group_by("bill_id").agg(
        pl.col("amount").unique().alias("amounts"), pl.len().alias("n"), pl.col("customer_id").unique().alias("who"))
    got = {r["bill_id"]: (sorted(r["amounts"]), r["n"], r["who"]) for r in by_bill.to_dicts()}
    # the bills owing, once each, in full
    assert got["b1"] == ([Decimal("70.00")], 1, ["C1"])
    assert got["b2"] == ([Decimal("50.00")], 1, ["C2"])
    assert got["b8"] == ([Decimal("30.00")], 1, ["C3"])
    # the other 20 − 2 prepayments − 3 = 15 rows: the latest issued month's bills, their whole amount
    assert set(got) == {"b1", "b2", "b8", "b4", "b9"}
    assert got["b4"][0] == [Decimal("60.00")] and got["b4"][2] == ["C2"]
    assert got["b9"][0] == [Decimal("12.00")] and got["b9"][2] == ["C1"]
    assert got["b4"][1] + got["b9"][1] == 15 and min(got["b4"][1], got["b9"][1]) == 7
    prepaid = day.filter(pl.col("bill_id").is_null())
    assert prepaid.height == 2
    assert set(prepaid["customer_id"]) <= {"C1", "C2", "C3"} and (prepaid["amount"] > 0).all()
    assert (written.in_full, written.in_part, written.overpaid, written.prepaid) == (3, 0, 15, 2)


def test_day_file_rules_on_the_tiny_extract(tmp_path):
    root = _tiny(tmp_path / "x")
    written = write_next_day(root, payments=50)
    day = _day_file(written.path)
    assert day.height == 50
    assert (day["paid_at"].dt.date() == DAY).all()
    assert day["payment_id"].n_unique() == 50
    assert not set(day["payment_id"]) & _existing_ids(root, written.path)
    assert (day["amount"] > 0).all()
    instant = day.filter(pl.col("channel").is_in(INSTANT))
    assert (instant["posted_at"] == instant["paid_at"]).all()
    late = day.filter(~pl.col("channel").is_in(INSTANT))
    assert set(late["channel"]) <= {"bank", "door_to_door"}
    posted = late.filter(pl.col("posted_at").is_not_null())
    assert (posted["posted_at"].dt.date() == DAY).all() and (posted["posted_at"] >= posted["paid_at"]).all()
    assert day["posted_at"].null_count() == 1 == written.in_transit  # 2 % of 50
    assert day.filter(pl.col("bill_id").is_null()).height == 2 == written.prepaid  # 5 % of 50 (rounded)
    # the schema of the extract's payments files, down to the Parquet storage
    existing = root / "payments" / "2021-04.parquet"
    assert pq.read_schema(written.path).remove_metadata() == pq.read_schema(existing).remove_metadata()
    assert _physical(written.path) == _physical(existing)


def test_same_seed_same_file_other_seed_other_file(tmp_path):
    a, b, c = (_tiny(tmp_path / name) for name in "abc")
    fa, fb = write_next_day(a, payments=30, seed=7).path, write_next_day(b, payments=30, seed=7).path
    fc = write_next_day(c, payments=30, seed=8).path
    assert _day_file(fa).equals(_day_file(fb))
    assert not _day_file(fa).equals(_day_file(fc))


def test_refuses_what_it_cannot_write(tmp_path):
    root = _tiny(tmp_path / "x")
    first = write_next_day(root, payments=5)
    # the next call follows the new day; the same day again would overwrite it
    assert write_next_day(root, payments=5).day == DAY + dt.timedelta(days=1)
    with pytest.raises(NextDayError, match="already exists"):
        write_next_day(root, day=first.day, payments=5)
    with pytest.raises(NextDayError, match=".parquet"):
        write_next_day(root, payments=5, name="../escape.parquet")
    single = write_extract(tmp_path / "single", [customer("C1")], [bill("b1", "C1", "1.00")],
                           [payment("1", "C1", "b1", "1.00", "2021-03-20 09:00:00")])
    with pytest.raises(NextDayError, match="payments/"):
        write_next_day(single, payments=5)
    assert not (single / "payments").exists()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("next-day") / "extract"
    generate(root, accounts=2000, monthly=True)
    return root


def _owing(root: Path, day: dt.date) -> pl.DataFrame:
    """A second implementation of the balances: every bill issued by `day` of a known customer,
    with its amount less its posted payments (a negative sum counts as nothing paid)."""
    bills = pl.read_parquet(root / "bills")
    payments = pl.read_parquet(root / "payments")
    customers = pl.read_parquet(root / "customers.parquet", columns=["customer_id"])
    paid = (payments.filter(pl.col("posted_at").is_not_null() & pl.col("bill_id").is_not_null())
            .group_by("bill_id").agg(pl.col("amount").sum().alias("paid")))
    return (bills.filter(pl.col("issued_on") <= day).join(customers, on="customer_id", how="semi")
            .join(paid, on="bill_id", how="left")
            .with_columns(outstanding=pl.col("amount") - pl.max_horizontal(pl.col("paid").fill_null(0), 0)))


def _copy(root: Path, to: Path) -> Path:
    shutil.copytree(root, to)
    return to


def test_generated_extract_mix_of_full_part_and_prepayments(generated, tmp_path):
    root = _copy(generated, tmp_path / "extract")
    day = pl.read_parquet(root / "payments")["posted_at"].max().date() + dt.timedelta(days=1)
    owing = _owing(root, day).filter(pl.col("outstanding") > 0)  # before the day file joins the payments
    written = write_next_day(root, payments=400)
    assert written.day == day
    assert owing.height > 400  # enough bills owe for every payment to settle one
    day = _day_file(written.path)
    billed = day.filter(pl.col("bill_id").is_not_null()).join(
        owing.select("bill_id", pl.col("customer_id").alias("bill_customer"), "outstanding"), on="bill_id", how="left")
    assert billed.height == 380 and billed["bill_id"].n_unique() == 380
    assert billed["outstanding"].null_count() == 0  # every one a bill still owing
    assert (billed["customer_id"] == billed["bill_customer"]).all()
    full = billed.filter(pl.col("amount") == pl.col("outstanding"))
    part = billed.filter(pl.col("amount") < pl.col("outstanding"))
    assert (full.height, part.height) == (320, 60)  # 80 % and 15 % of the 400 rows
    assert (part["amount"] > 0).all()
    assert day.filter(pl.col("bill_id").is_null()).height == 20  # 5 %
    assert day["posted_at"].null_count() == 8  # 2 %
    assert not set(day["payment_id"]) & _existing_ids(root, written.path)


def test_generated_extract_more_rows_than_bills_owing(generated, tmp_path):
    root = _copy(generated, tmp_path / "extract")
    day = pl.read_parquet(root / "payments")["posted_at"].max().date() + dt.timedelta(days=1)
    balances = _owing(root, day)
    owing = balances.filter(pl.col("outstanding") > 0)
    n = owing.height + 2000
    written = write_next_day(root, payments=n)
    day = _day_file(written.path)
    assert day.height == n
    billed = day.filter(pl.col("bill_id").is_not_null())
    first = billed.join(owing.select("bill_id", "outstanding"), on="bill_id")
    assert set(first["bill_id"]) == set(owing["bill_id"]) and first.height == owing.height  # each once
    assert (first["amount"] <= first["outstanding"]).all()
    latest = balances.filter((pl.col("period") == balances["period"].max()) & (pl.col("amount") > 0)
                             & (pl.col("outstanding") <= 0))
    rest = billed.join(owing, on="bill_id", how="anti").join(latest.select("bill_id", pl.col("amount").alias("bill")),
                                                            on="bill_id", how="left")
    assert rest.height == billed.height - owing.height and rest["bill"].null_count() == 0
    assert (rest["amount"] == rest["bill"]).all()  # paid once more, in full: an overpayment


def _snapshot(*folders: Path) -> dict[str, tuple[int, int, str]]:
    return {str(f): (f.stat().st_size, f.stat().st_mtime_ns, hashlib.sha256(f.read_bytes()).hexdigest())
            for folder in folders for f in sorted(folder.rglob("*")) if f.is_file()}


@pytest.fixture
def built(generated, tmp_path):
    root = _copy(generated, tmp_path / "extract")
    cache = tmp_path / "cache"
    open_extract(root, cache_dir=cache)
    return root, cache


def test_refresh_phase_leaves_extract_and_cache_as_they_were(built):
    root, cache = built
    before = _snapshot(root, cache)
    result = run.refresh_phase(root, cache, [300])
    assert _snapshot(root, cache) == before
    (only,) = result["runs"]
    assert "error" not in only and only["restored"]
    assert "build" not in result  # it was built already
    # the refreshed cache answers as of the new day (the phase's answers come back as JSON)
    day = dt.date.fromisoformat(only["after"]["as_of"])
    assert day == only["day"] == dt.date.fromisoformat(only["before"]["as_of"]) + dt.timedelta(days=1)
    assert only["build_kind"] in (None, "full", "refresh")


def test_refresh_phase_restores_even_when_the_refresh_fails(built, monkeypatch):
    root, cache = built
    before = _snapshot(root, cache)
    files = len(list((root / "payments").glob("*.parquet")))
    real = run._phase

    def failing(name, data, cache_dir, *options):
        if name == "refresh_open":
            assert len(list((data / "payments").glob("*.parquet"))) == files + 1  # the day file is there
            raise subprocess.CalledProcessError(1, "refresh", stderr="Traceback …\nboom")
        return real(name, data, cache_dir, *options)

    monkeypatch.setattr(run, "_phase", failing)
    result = run.refresh_phase(root, cache, [100])
    assert _snapshot(root, cache) == before
    assert result["runs"][0]["error"][-1] == "boom" and result["runs"][0]["restored"]
    assert "failed" in "\n".join(run._refresh_report(result))
