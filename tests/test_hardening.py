"""Inputs that once gave a traceback or a silently wrong figure (issue: hardening), each as a
class: numbers that cannot be money, empty tables, implausible dates, dates outside the
data, and faults of the cache directory. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from apptest import DASHBOARD
from conftest import SAMPLE
from queries import CacheUnavailable, ExtractRefused, open_extract
from queries import extract as extract_module
from queries.summary import summary
from tiny import bill, customer, d, payment, write_extract

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/home.py", "pages/recovery.py", "pages/arrears.py", "pages/high_energy.py",
         "pages/collectors.py", "pages/data_quality.py"]


def small(root: Path, payments: list[dict] | None = None, **kw) -> Path:
    """One customer, one 2021-03 bill of 100.00 due 2021-03-20, paid 40.00 on 2021-04-01."""
    if payments is None:
        payments = [payment("p1", "001", "b1", "40.00", "2021-04-01 09:00:00")]
    return write_extract(root, [customer("001")], [bill("b1", "001", "100.00")], payments, **kw)


# --- numbers that cannot be money are refused (docs/DATA.md §4) --------------------------------

@pytest.mark.parametrize("value, shown", [
    (float("nan"), "NaN"), (float("inf"), "inf"), (float("-inf"), "-inf"), (1e17, "1e+17"), (1e12, "1e+12"),
])
def test_a_bill_amount_that_is_not_money_is_refused_naming_file_column_and_row(tmp_path, value, shown):
    root = write_extract(tmp_path / "x", [customer("001")],
                         [bill("b1", "001", 10.0), bill("b2", "001", value, period="2021-04-01")],
                         [], types={"bills": {"amount": pa.float64()}})
    with pytest.raises(ExtractRefused) as exc:
        open_extract(root)
    message = str(exc.value)
    assert "bills.parquet" in message and "amount" in message and "共 1 行不符合" in message
    assert "10^12" in message


def test_a_decimal_or_integer_amount_of_a_trillion_yuan_is_refused(tmp_path):
    root = write_extract(tmp_path / "x", [customer("001")], [bill("b1", "001", "10.00")],
                         [payment("p1", "001", "b1", "1000000000000.00", "2021-03-10 09:00:00")],
                         types={"payments": {"amount": pa.decimal128(38, 2)}})
    with pytest.raises(ExtractRefused, match="payments.parquet 的列 amount"):
        open_extract(root)
    ok = write_extract(tmp_path / "y", [customer("001")], [bill("b1", "001", "10.00")],
                       [payment("p1", "001", "b1", "999999999999.99", "2021-03-10 09:00:00")],
                       types={"payments": {"amount": pa.decimal128(38, 2)}})
    open_extract(ok)  # just under 10^12 is money


def test_nan_kwh_is_refused_rather_than_poisoning_every_sum(tmp_path):
    root = write_extract(tmp_path / "x", [customer("001")], [bill("b1", "001", "10.00", kwh=float("nan"))], [])
    with pytest.raises(ExtractRefused, match="kwh"):
        open_extract(root)


def test_the_cli_refuses_a_nan_amount_with_exit_2_and_no_traceback(tmp_path):
    root = write_extract(tmp_path / "x", [customer("001")], [bill("b1", "001", float("nan"))], [],
                         types={"bills": {"amount": pa.float64()}})
    run = subprocess.run([sys.executable, "-m", "queries", "summary", "--data", str(root), "--as-of",
                          "2021-12-31", "--json"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "FEE_CACHE_DIR": str(tmp_path / "cache")})
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "amount" in run.stderr and run.stdout == ""


# --- implausible dates (docs/DATA.md §3) --------------------------------------------------------

def test_a_posting_dated_9999_is_a_finding_and_does_not_become_the_default_date(tmp_path):
    root = small(tmp_path / "x", payments=[
        payment("p1", "001", "b1", "40.00", "2021-04-01 09:00:00"),
        payment("p2", "001", "b1", "10.00", "2021-04-02 09:00:00", posted_at="9999-12-31 00:00:00"),
        payment("p3", "001", "b1", "5.00", "1989-12-31 09:00:00"),
    ])
    ex = open_extract(root)
    assert ex.default_as_of == d("2021-04-01")  # not 9999-12-31, nor 1989-12-31
    findings = ex.query("data_findings").filter(rule=extract_module.labels.RULE["implausible_date"])
    assert dict(zip(findings["column_name"], findings["rows"])) == {"paid_at": 1, "posted_at": 2}
    # the payments still count by their dates: p3 (posted 1989) is paid by D, p2 is not
    total = summary(ex)["total"]
    assert (total["billed"], total["recovered"], total["arrears"]) == (100.0, 45.0, 55.0)
    late = summary(ex, as_of=d("9999-12-31"))["total"]
    assert late["arrears"] == 45.0 and late["arrears_prior_years"] == 45.0 and late["billed"] == 0.0


def test_a_posting_more_than_366_days_after_the_last_issue_is_implausible(tmp_path):
    # the bill is issued 2021-03-05: 2022-03-06 is day 366 after it, 2022-03-07 day 367
    root = small(tmp_path / "x", payments=[
        payment("p1", "001", "b1", "40.00", "2022-03-06 09:00:00"),
        payment("p2", "001", "b1", "10.00", "2022-03-07 09:00:00"),
    ])
    assert open_extract(root).default_as_of == d("2022-03-06")


# --- every year and every as-of date (docs/DATA.md §3) -----------------------------------------

def test_prior_opening_holds_for_years_after_the_last_bill(sample):
    """At 2024-01-01 nothing was posted since 2023-12-31 and every bill is long overdue, so the
    arrears carried in (prior_opening) are exactly the arrears on earlier years' bills."""
    for as_of in (d("2024-01-01"), d("2031-06-30")):
        total = summary(sample, as_of=as_of)["total"]
        assert total["prior_opening"] > 2_000_000
        assert total["prior_opening"] == total["arrears_prior_years"] == total["arrears"]
        assert total["prior_recovered"] == 0.0 and total["billed"] == 0.0
        assert total["prior_recovery_rate"] == 0.0 and total["recovery_rate"] is None


def test_a_date_before_the_first_bill_reads_zero_everywhere(sample):
    total = summary(sample, as_of=d("2001-01-01"))["total"]
    assert total == {"billed": 0.0, "recovered": 0.0, "recovery_rate": None, "prior_opening": 0.0,
                     "prior_recovered": 0.0, "prior_recovery_rate": None, "cumulative_rate": None,
                     "arrears": 0.0, "arrears_current_year": 0.0, "arrears_prior_years": 0.0,
                     "arrears_customers": 0}


def test_a_date_outside_the_data_is_answered_with_a_note(sample):
    assert sample.outside_dates(sample.default_as_of) is None
    note = sample.outside_dates(d("2030-01-01"))
    assert "2030-01-01" in note and "不在数据的日期范围" in note
    assert sample.outside_dates(d("2001-01-01")) is not None


def test_the_page_notes_a_date_outside_the_data(sample_env):
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.sidebar.date_input(key="as_of").set_value(dt.date(2030, 1, 1)).run()
    assert not at.exception
    assert any("不在数据的日期范围" in w.value for w in at.warning)
    assert at.metric  # answered all the same


# --- empty tables (docs/DATA.md §4: an empty state, not a crash) -------------------------------

def _empty_cases(root: Path) -> dict[str, Path]:
    return {
        "no payments": small(root / "no-payments", payments=[]),
        "no rows at all": write_extract(root / "nothing", [], [], []),
        "customers only": write_extract(root / "customers-only", [customer("001")], [], []),
        "payments but no bills": write_extract(
            root / "no-bills", [customer("001")], [],
            [payment("p1", "001", None, "40.00", "2021-04-01 09:00:00")]),
    }


@pytest.fixture(scope="module")
def empty_dirs(tmp_path_factory) -> dict[str, Path]:
    return _empty_cases(tmp_path_factory.mktemp("empty"))


@pytest.mark.parametrize("case", ["no payments", "no rows at all", "customers only", "payments but no bills"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_an_empty_state_for_empty_tables(empty_dirs, case, page, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(empty_dirs[case]))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if page != "pages/data_quality.py":
        assert at.info or at.success, "an empty state (or 'no arrears') says why nothing is shown"


def test_with_no_posting_a_chosen_date_is_answered(empty_dirs, monkeypatch):
    monkeypatch.setenv("FEE_DATA_DIR", str(empty_dirs["no payments"]))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert "无法确定截至日期" in at.info[0].value
    at.sidebar.date_input(key="as_of").set_value(dt.date(2021, 12, 31)).run()
    assert not at.exception
    values = [m.value for m in at.metric]
    assert values[0] == "0.01" and values[1] == "0.00"  # billed 100.00 元, nothing recovered (万元)


def test_the_cli_asks_for_a_date_when_no_payment_was_posted(empty_dirs, capsys):
    from queries.__main__ import main

    assert main(["summary", "--data", str(empty_dirs["no payments"]), "--json"]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert main(["summary", "--data", str(empty_dirs["no payments"]), "--as-of", "2021-12-31", "--json"]) == 0


# --- the cache directory --------------------------------------------------------------------

def test_an_unwritable_cache_directory_gives_a_chinese_message_naming_it(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    root = small(tmp_path / "x")
    with pytest.raises(CacheUnavailable) as exc:
        open_extract(root, cache_dir=blocker / "cache")
    assert str(blocker / "cache") in str(exc.value) and "缓存目录" in str(exc.value)


def test_a_full_disk_says_so(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise duckdb.IOException('IO Error: Could not write file "x.tmp": No space left on device')

    monkeypatch.setattr(extract_module.duckdb, "connect", full)
    with pytest.raises(CacheUnavailable, match="空间不足") as exc:
        open_extract(small(tmp_path / "x"), cache_dir=tmp_path / "cache")
    assert str(tmp_path / "cache") in str(exc.value)


def test_the_page_shows_a_cache_fault_and_recovers_once_it_is_gone(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("FEE_DATA_DIR", str(small(tmp_path / "x")))
    monkeypatch.setenv("FEE_CACHE_DIR", str(blocker / "inner"))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    assert "无法建立或读取数据缓存" in at.error[0].value
    assert str(blocker / "inner") in " ".join(m.value for m in at.markdown)
    blocker.unlink()  # the cause is gone: the next run builds, without a restart
    at.run()
    assert not at.exception and not at.error and at.metric


def test_a_truncated_cache_file_is_detected_and_built_again(tmp_path):
    root, cache = small(tmp_path / "x"), tmp_path / "cache"
    first = open_extract(root, cache_dir=cache)
    expected = summary(first)
    with open(first.cache_file, "r+b") as f:
        f.truncate(first.cache_file.stat().st_size // 3)
    again = open_extract(root, cache_dir=cache)
    assert again is not first and summary(again) == expected


def test_a_cache_file_truncated_while_the_app_runs_is_rebuilt_on_the_next_run(tmp_path, monkeypatch):
    root = small(tmp_path / "x")
    monkeypatch.setenv("FEE_DATA_DIR", str(root))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    tiles = [m.value for m in at.metric]
    cache_file = open_extract(root).cache_file
    with open(cache_file, "r+b") as f:
        f.truncate(4096)
    at.run()
    assert not at.exception and [m.value for m in at.metric] == tiles


def test_a_corrupt_cache_file_is_built_again(tmp_path):
    root, cache = small(tmp_path / "x"), tmp_path / "cache"
    target = extract_module.cache_file_for(root, cache)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a duckdb file" * 100)
    assert summary(open_extract(root, cache_dir=cache))["total"]["recovered"] == 40.0


def test_a_build_killed_with_kill_9_leaves_nothing_behind_once_built_again(tmp_path):
    cache = tmp_path / "cache"
    code = (f"from queries import open_extract; open_extract({str(SAMPLE)!r}, cache_dir={str(cache)!r})")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(cache.glob("*.tmp")):
        time.sleep(0.02)
    assert list(cache.glob("*.tmp")), "the build did not start"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(cache.glob("*.tmp")) and not list(cache.glob("*.duckdb"))
    removed = extract_module.remove_abandoned_builds(cache)
    assert removed
    assert not list(cache.glob("*.tmp")) and not list(cache.glob("*.tmp.wal")) and not list(cache.glob("spill-*"))


def test_a_build_of_a_live_process_is_left_alone(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    mine = cache / f"extract-a-b.{os.getpid()}.1.tmp"
    mine.write_bytes(b"")
    assert extract_module.remove_abandoned_builds(cache) == [] and mine.exists()


def test_the_extract_stays_read_only(tmp_path):
    root = small(tmp_path / "x")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in root.iterdir())
    ex = open_extract(root, cache_dir=tmp_path / "cache")
    summary(ex)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in root.iterdir()) == before


def test_an_empty_typed_table_reads_as_no_rows(tmp_path):
    root = small(tmp_path / "x")
    pq.write_table(pa.table({"station": pa.array([], pa.string()), "year": pa.array([], pa.int32()),
                             "recovery_target": pa.array([], pa.float64())}), root / "targets.parquet")
    assert summary(open_extract(root, cache_dir=tmp_path / "cache"))["total"]["billed"] == 100.0
