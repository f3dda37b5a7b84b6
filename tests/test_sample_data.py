"""The shipped sample extract: reproducible, conforming to docs/DATA.md §2, calibrated to 2021."""

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from reference import reference_instalments
from sample_data.generate import generate

SHIPPED = Path(__file__).resolve().parent.parent / "sample_data" / "extract"
TABLES = ("customers", "bills", "payments", "targets", "instalment_plans")

# docs/DATA.md §2, as DuckDB reads the files.
CONTRACT_TYPES = {
    "customers": {
        "customer_id": "VARCHAR", "customer_name": "VARCHAR", "phone": "VARCHAR", "station": "VARCHAR",
        "village": "VARCHAR", "line": "VARCHAR", "transformer": "VARCHAR", "category": "VARCHAR",
        "is_high_energy": "BOOLEAN", "industry": "VARCHAR", "meter_reader": "VARCHAR",
        "is_key_account": "BOOLEAN",
    },
    "bills": {
        "bill_id": "VARCHAR", "customer_id": "VARCHAR", "period": "DATE", "issued_on": "DATE",
        "due_on": "DATE", "kwh": "DOUBLE", "kwh_peak": "DOUBLE", "kwh_flat": "DOUBLE",
        "kwh_valley": "DOUBLE", "amount": "DECIMAL(18,2)", "tariff": "VARCHAR",
    },
    "payments": {
        "payment_id": "VARCHAR", "customer_id": "VARCHAR", "bill_id": "VARCHAR", "paid_at": "TIMESTAMP",
        "posted_at": "TIMESTAMP", "amount": "DECIMAL(18,2)", "channel": "VARCHAR",
    },
    "targets": {"station": "VARCHAR", "year": "INTEGER", "recovery_target": "DOUBLE", "collector": "VARCHAR"},
    "instalment_plans": {"bill_id": "VARCHAR", "due_on": "DATE", "amount": "DECIMAL(18,2)"},
}
NOT_NULL = {
    "customers": ["customer_id", "customer_name", "station", "category", "is_high_energy"],
    "bills": ["bill_id", "customer_id", "period", "issued_on", "due_on", "kwh", "amount"],
    "payments": ["payment_id", "customer_id", "paid_at", "amount", "channel"],
    "targets": ["station", "year", "recovery_target"],
    "instalment_plans": ["bill_id", "due_on", "amount"],
}
CODES = {
    ("customers", "category"): {"residential", "small_power", "large_industry", "agriculture", "other"},
    ("bills", "tariff"): {"catalogue", "market", "agency"},
    ("payments", "channel"): {"counter", "bank", "wechat", "alipay", "app", "door_to_door", "other"},
}


def read(data_dir: Path, table: str) -> pl.DataFrame:
    folder = data_dir / table
    if folder.is_dir():
        return pl.read_parquet(sorted(folder.glob("*.parquet")))
    return pl.read_parquet(data_dir / f"{table}.parquet")


@pytest.fixture(scope="module")
def shipped() -> dict[str, pl.DataFrame]:
    return {t: read(SHIPPED, t) for t in TABLES}


@pytest.fixture(scope="module")
def monthly_extract(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("monthly")
    generate(out, accounts=2000, monthly=True)
    return out


def test_shipped_extract_is_what_the_generator_writes(shipped, tmp_path):
    generate(tmp_path)
    for table in TABLES:
        assert_frame_equal(read(tmp_path, table), shipped[table], check_exact=True)


def test_shipped_extract_is_small_enough_for_git():
    size = sum(f.stat().st_size for f in SHIPPED.glob("*.parquet"))
    assert size < 5_000_000


@pytest.mark.parametrize("table", TABLES)
def test_column_types_follow_the_contract(table):
    described = duckdb.sql(f"describe select * from read_parquet('{SHIPPED / table}.parquet')").fetchall()
    assert {name: kind for name, kind, *_ in described} == CONTRACT_TYPES[table]


@pytest.mark.parametrize("table", TABLES)
def test_required_columns_have_no_nulls(shipped, table):
    nulls = shipped[table].select(NOT_NULL[table]).null_count().row(0, named=True)
    assert nulls == {c: 0 for c in NOT_NULL[table]}


@pytest.mark.parametrize(("table", "column"), list(CODES))
def test_codes_are_known_and_all_used(shipped, table, column):
    assert set(shipped[table][column].drop_nulls().unique()) == CODES[(table, column)]


def test_ids_are_unique_and_customer_ids_are_12_digits_starting_with_0(shipped):
    customers, bills, payments = shipped["customers"], shipped["bills"], shipped["payments"]
    assert customers["customer_id"].is_unique().all()
    assert bills["bill_id"].is_unique().all()
    assert payments["payment_id"].is_unique().all()
    for frame in (customers, bills, payments):
        assert frame["customer_id"].str.contains(r"^0\d{11}$").all()


def test_bill_dates(shipped):
    bills = shipped["bills"]
    assert (bills["period"].dt.day() == 1).all()
    assert bills["period"].min() == dt.date(2020, 1, 1)
    assert bills["period"].max() == dt.date(2022, 6, 1)
    assert (bills["due_on"] >= bills["issued_on"]).all()
    issued_month = bills["issued_on"].dt.truncate("1mo")
    assert (issued_month == bills["period"]).all()
    assert (bills["kwh"] >= 0).all()


def test_payments_end_on_2022_06_30(shipped):
    payments = shipped["payments"]
    assert payments["posted_at"].max().date() == dt.date(2022, 6, 30)
    assert payments["paid_at"].max().date() <= dt.date(2022, 6, 30)
    assert (payments.drop_nulls("posted_at").select(pl.col("posted_at") >= pl.col("paid_at")).to_series()).all()


def test_deliberate_data_quality_findings(shipped):
    customers, bills, payments = shipped["customers"], shipped["bills"], shipped["payments"]
    assert bills.join(customers, on="customer_id", how="anti").height == 1
    assert payments.join(customers, on="customer_id", how="anti").height == 2
    tou = bills.drop_nulls("kwh_peak")
    gap = (tou["kwh_peak"] + tou["kwh_flat"] + tou["kwh_valley"] - tou["kwh"]).abs()
    assert (gap > 1).sum() == 1
    assert (gap > 0.01).sum() == 1


def test_qiangang_station_structure(shipped):
    qiangang = shipped["customers"].filter(pl.col("station") == "千钢供电所")
    villages = qiangang["village"].drop_nulls().unique()
    assert villages.len() == 17
    assert villages.str.ends_with("工业园区").sum() == 1
    assert villages.str.ends_with("农业园区").sum() == 1
    assert villages.str.contains("(村|嘎查|社区)$").sum() == 15
    assert qiangang["line"].drop_nulls().n_unique() == 17
    assert qiangang["line"].drop_nulls().str.starts_with("10kV").all()
    assert qiangang["transformer"].drop_nulls().n_unique() == 86


def test_accounts_mix(shipped):
    customers = shipped["customers"]
    high_energy = customers.filter(pl.col("is_high_energy"))
    assert 20 <= high_energy.height <= 40
    assert (high_energy["category"] == "large_industry").all()
    assert customers.filter((pl.col("category") == "large_industry") & ~pl.col("is_high_energy")).height > 0
    assert 5 <= customers["is_key_account"].sum() <= 15
    plain = customers["category"].is_in(["residential", "small_power"]).sum()
    assert plain / customers.height > 0.8
    assert 5_000 <= customers.height <= 8_000


def test_2021_headline_as_of_year_end(shipped):
    """docs/DATA.md §3 written out plainly: the branch recovered 15,220 万元 at 99.99 % in 2021."""
    as_of = dt.date(2021, 12, 31)
    customers, bills, payments = shipped["customers"], shipped["bills"], shipped["payments"]
    paid = (
        payments.filter(
            pl.col("bill_id").is_not_null()
            & pl.col("posted_at").is_not_null()
            & (pl.col("posted_at").dt.date() <= as_of)
        )
        .group_by("bill_id")
        .agg(paid=pl.col("amount").sum())
    )
    scope = (
        bills.filter((pl.col("period").dt.year() == 2021) & (pl.col("issued_on") <= as_of))
        .join(customers.select("customer_id"), on="customer_id", how="semi")
        .join(paid, on="bill_id", how="left")
        .with_columns(pl.col("paid").fill_null(0))
        .with_columns(
            outstanding=pl.max_horizontal(pl.lit(0), pl.col("amount") - pl.max_horizontal(pl.lit(0), pl.col("paid")))
        )
    )
    billed = float(scope["amount"].sum())
    recovered = billed - float(scope["outstanding"].sum())
    assert recovered == pytest.approx(152_200_000, rel=0.005)
    assert 0.9999 <= recovered / billed < 1.0


def test_monthly_layout_has_one_file_per_month(monthly_extract):
    months = [f"{y}-{m:02d}" for y in (2020, 2021, 2022) for m in range(1, 13)][:30]
    assert (monthly_extract / "customers.parquet").is_file()
    assert (monthly_extract / "targets.parquet").is_file()
    for table, column in (("bills", "period"), ("payments", "paid_at")):
        files = sorted(p.stem for p in (monthly_extract / table).glob("*.parquet"))
        assert files == months
        for month in months:
            frame = pl.read_parquet(monthly_extract / table / f"{month}.parquet")
            assert frame.height > 0
            assert set(frame[column].dt.strftime("%Y-%m").unique()) == {month}
    assert read(monthly_extract, "customers").height == 2000


def test_instalment_plans_show_every_status_as_of_2022_06_30(shipped):
    """The plans are of key accounts' bills, their parts add up to the bill, and as of the
    sample's as-of date (docs/DATA.md §6, by the second implementation) some part is upcoming,
    some paid on time, some late and some missed."""
    customers, bills, payments, plans = (shipped[t] for t in ("customers", "bills", "payments", "instalment_plans"))
    planned = plans.group_by("bill_id").agg(pl.col("amount").sum().alias("parts")).join(bills, on="bill_id")
    assert planned.height == plans["bill_id"].n_unique()  # every plan's bill exists
    assert (planned["parts"] == planned["amount"]).all()
    owners = customers.join(planned.select("customer_id").unique(), on="customer_id", how="semi")
    assert owners["is_key_account"].all() and owners.height == 4
    statuses = [s for *_, s in reference_instalments(customers, bills, payments, plans, dt.date(2022, 6, 30))]
    # by the generator's design: the squeezed account misses the third part of its May plan
    # (due 06-20); its fourth (07-20) and three of its June plan's four parts are to come
    assert (statuses.count("missed"), statuses.count("upcoming")) == (1, 4)
    assert statuses.count("on_time") > 0 and statuses.count("late") > 0


def test_two_high_energy_accounts_pay_later_month_by_month(shipped):
    """Written out plainly: the day each bill of 2022-03 … 2022-05 was paid in full (its posted
    payments reached its amount), in days after its due date, and the 2022-06 bill still owing
    on 2022-06-30. Two high-energy accounts, one of them key, go 1, 4, 8 days late and then
    leave June's bill owing."""
    customers, bills, payments = shipped["customers"], shipped["bills"], shipped["payments"]
    large = customers.filter(pl.col("is_high_energy") | pl.col("is_key_account").fill_null(False))
    months = bills.join(large.select("customer_id"), on="customer_id", how="semi").filter(
        (pl.col("period") >= dt.date(2022, 3, 1)) & (pl.col("amount") > 0))
    posted = (payments.filter(pl.col("posted_at").is_not_null() & (pl.col("posted_at").dt.date() <= dt.date(2022, 6, 30)))
              .with_columns(pl.col("posted_at").dt.date().alias("posted_on"))
              .group_by("bill_id", "posted_on").agg(pl.col("amount").sum())
              .sort("posted_on")
              .with_columns(pl.col("amount").cum_sum().over("bill_id").alias("paid")))
    paid_in_full = (posted.join(months.select("bill_id", "amount"), on="bill_id", suffix="_bill")
                    .filter(pl.col("paid") >= pl.col("amount_bill"))
                    .group_by("bill_id").agg(pl.col("posted_on").min()))
    late: dict[str, list] = {}
    for row in months.join(paid_in_full, on="bill_id", how="left").sort("period").iter_rows(named=True):
        days = None if row["posted_on"] is None else (row["posted_on"] - row["due_on"]).days
        late.setdefault(row["customer_id"], []).append((row["period"].month, days))
    slipping = [c for c, months_late in late.items() if months_late == [(3, 1), (4, 4), (5, 8), (6, None)]]
    flags = customers.filter(pl.col("customer_id").is_in(slipping))
    assert flags.height == 2 and flags["is_high_energy"].all() and flags["is_key_account"].sum() == 1


def test_some_collectors_have_targets_of_their_own(shipped):
    targets, customers = shipped["targets"], shipped["customers"]
    own = targets.filter(pl.col("collector").is_not_null())
    assert own.height > 0 and targets.filter(pl.col("collector").is_null()).height == 12
    # each is a collector of that station's customers, so none is a data-quality finding
    known = customers.select("station", pl.col("meter_reader").alias("collector")).unique()
    assert own.join(known, on=["station", "collector"], how="anti").is_empty()
