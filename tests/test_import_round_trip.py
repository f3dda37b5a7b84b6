"""The importer's round trip (issue 11, docs/DATA.md §7): the sample extract exported in the
marketing system's forms (sample_data/export.py) and imported back is the sample again —
every table row for row, and every figure of `summary --json` and `collections --json`.

Two exports: the one shipped in sample_data/export/ (one station, a few MB) against that
station of the sample, and the whole sample, exported here into a tmp dir."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from queries import importer
from queries.__main__ import main
from sample_data.export import SHIPPED_STATION, export

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "extract"
SHIPPED_EXPORT = ROOT / "sample_data" / "export"
TABLES = ("customers", "bills", "payments", "targets", "instalment_plans")
ORDER = {"customers": ["customer_id"], "bills": ["bill_id"], "payments": ["payment_id"],
         "targets": ["station", "year", "collector"], "instalment_plans": ["bill_id", "due_on"]}
AS_OF = ("2020-12-31", "2021-06-30", "2021-12-31", "2022-03-15", "2022-06-30")


def sorted_table(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    return frame.sort(ORDER[table], nulls_last=True)


def import_into(out: Path, *inputs: Path) -> str:
    said, errors = io.StringIO(), io.StringIO()
    code = importer.run([str(p) for p in inputs], str(out), stdout=said, stderr=errors)
    assert code == 0, errors.getvalue()
    return said.getvalue()


@pytest.fixture(scope="module")
def sample() -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(SAMPLE / f"{t}.parquet") for t in TABLES}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """The whole sample, exported and imported."""
    base = tmp_path_factory.mktemp("round-trip")
    export(base / "export")
    import_into(base / "data", base / "export")
    return base / "data"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> tuple[Path, str]:
    """sample_data/export/ imported, and what the import said."""
    out = tmp_path_factory.mktemp("shipped") / "data"
    return out, import_into(out, SHIPPED_EXPORT)


def cli_json(capsys, *args: str) -> dict:
    code = main([*args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("table", TABLES)
def test_whole_sample_round_trip_gives_every_row_back(whole, sample, table):
    imported = pl.read_parquet(whole / table)
    assert_frame_equal(sorted_table(imported, table), sorted_table(sample[table], table), check_exact=True)


@pytest.mark.parametrize("as_of", AS_OF)
def test_whole_sample_round_trip_gives_the_same_figures(whole, capsys, as_of):
    for command in ("summary", "collections"):
        assert cli_json(capsys, command, "--data", str(whole), "--as-of", as_of) == \
            cli_json(capsys, command, "--data", str(SAMPLE), "--as-of", as_of), command


def test_whole_sample_default_as_of_is_the_same(whole, capsys):
    assert cli_json(capsys, "summary", "--data", str(whole)) == cli_json(capsys, "summary", "--data", str(SAMPLE))


def station_rows(sample: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The sample's rows of one station, worked out from the sample itself."""
    customers = sample["customers"].filter(pl.col("station") == SHIPPED_STATION)
    ids = customers["customer_id"].implode()
    bills = sample["bills"].filter(pl.col("customer_id").is_in(ids))
    return {"customers": customers, "bills": bills,
            "payments": sample["payments"].filter(pl.col("customer_id").is_in(ids)),
            "targets": sample["targets"].filter(pl.col("station") == SHIPPED_STATION),
            "instalment_plans": sample["instalment_plans"].filter(pl.col("bill_id").is_in(bills["bill_id"].implode()))}


@pytest.mark.parametrize("table", TABLES)
def test_shipped_export_gives_the_stations_rows_back(shipped, sample, table):
    expected = station_rows(sample)[table]
    assert expected.height > 0
    imported = pl.read_parquet(shipped[0] / table)
    assert_frame_equal(sorted_table(imported, table), sorted_table(expected, table), check_exact=True)


@pytest.mark.parametrize("as_of", AS_OF)
def test_shipped_export_gives_the_stations_figures(shipped, capsys, as_of):
    for command in ("summary", "collections"):
        imported = cli_json(capsys, command, "--data", str(shipped[0]), "--as-of", as_of)
        of_station = cli_json(capsys, command, "--data", str(SAMPLE), "--as-of", as_of, "--station", SHIPPED_STATION)
        assert (imported.pop("station"), of_station.pop("station")) == (None, SHIPPED_STATION)
        assert imported == of_station, command


def test_shipped_export_mixes_the_forms(shipped):
    said = shipped[1]
    for line in ("用户档案.xlsx：用户档案（customers），Excel 工作表“用户档案”，表头在第 3 行",
                 "应收电费.csv：应收电费（bills），CSV，编码 GB18030（兼容 GBK），表头在第 2 行",
                 "实收电费.csv：实收（payments），CSV，编码 UTF-8（带 BOM），表头在第 1 行",
                 "回收目标.xlsx：回收目标（targets），Excel 工作表“回收目标”，表头在第 1 行",
                 "分次结算计划.xlsx：分次结算计划（instalment_plans），Excel 工作表“分次结算”，表头在第 2 行"):
        assert line in said
    assert "拒绝 0 行" in said and "拒绝 1" not in said
    title, header, *rows = csv.reader(io.StringIO((SHIPPED_EXPORT / "应收电费.csv").read_bytes().decode("gbk")))
    bill = dict(zip(header, rows[-1]))
    assert re.fullmatch(r"\d{6}", bill["电费年月"]) and re.fullmatch(r"\d{4}/\d{2}/\d{2}", bill["发行日期"])
    assert re.fullmatch(r"\d{8}", bill["缴费截止日期"])
    assert any("," in dict(zip(header, row))["应收金额（元）"] for row in rows)  # thousands separators
    assert (SHIPPED_EXPORT / "实收电费.csv").read_bytes().startswith(b"\xef\xbb\xbfCHARGE_ID,CONS_NO,")


def test_shipped_export_is_what_the_generator_writes(tmp_path):
    written = export(tmp_path, station=SHIPPED_STATION)
    assert sorted(p.name for p in written.values()) == sorted(p.name for p in SHIPPED_EXPORT.iterdir())
    for path in written.values():
        shipped = SHIPPED_EXPORT / path.name
        if path.suffix == ".csv":
            assert path.read_bytes() == shipped.read_bytes(), path.name
        else:  # a workbook's bytes depend on the XlsxWriter version: compare the cells
            assert_frame_equal(cells(path), cells(shipped), check_exact=True)


def cells(workbook: Path) -> pl.DataFrame:
    return pl.read_excel(workbook, engine="calamine", has_header=False, drop_empty_rows=False,
                         read_options={"dtypes": "string"})


def test_shipped_export_is_small():
    assert sum(p.stat().st_size for p in SHIPPED_EXPORT.iterdir()) < 6_000_000
