"""A data directory Spark reads by URI (docs/DATA.md §9, queries/remote.py).

`build --data URI --engine spark` reads the extract's files where they are with Spark, keeps
a copy of them beside the cache (the mirror) for the checks, the findings and every later
reader, and brings that copy up to date on each build. The URIs here are file:// ones: they go
through Hadoop's FileSystem API exactly as hdfs:// and s3a:// do (the same calls; only the
file system class behind the scheme differs), which is what a machine without a cluster can
run. The tables Spark writes go to a shared folder given by URI as well ($FEE_SPARK_WORK), and
are copied back from it.

What is compared: the build from the URI against a DuckDB build of the same folder, table for
table (tests/test_buckets.py `table_differences`) and answer for answer (`summary --json`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import queries.__main__ as cli
from queries import open_extract, remote
from test_buckets import fail_on, table_differences
from sparktest import few_partitions, require_spark  # noqa: F401  (the fixture applies here)
from tiny import bill, customer, payment, table, write_extract

require_spark()

# Columns that differ between a build of the folder and one of its URI: when and how each was
# made, where from, and the copies' modification times (kept to Hadoop's milliseconds).
HOW_BUILT = {"extract_info": ("built_at", "buckets", "build_kind", "build_note", "engine", "name", "data_dir"),
             "extract_files": ("modified",)}

CUSTOMERS = [customer("C1"), customer("C2", station="城郊供电所", village="二村"),
             customer("C3", station="城郊供电所", village="二村", line="10kV 城郊线")]
BILLS = [bill("B1", "C1", "120.00"), bill("B2", "C2", "300.00"), bill("B3", "C3", "80.00", period="2021-04-01"),
         bill("B4", "C1", "90.00", period="2021-04-01")]
DAY_ONE = [payment("P1", "C1", "B1", "120.00", "2021-03-20 09:00:00"),
           payment("P2", "C2", "B2", "100.00", "2021-03-25 10:00:00"),
           payment("P3", "C2", "B2", "50.00", "2021-04-02 10:00:00", None)]  # in transit
DAY_TWO = [payment("P4", "C3", "B3", "80.00", "2021-04-20 09:00:00"),
           payment("P5", "C2", "B2", "150.00", "2021-04-21 10:00:00", channel="counter")]



def source_folder(root: Path) -> Path:
    """The extract with its payments as a folder of daily files (payments/day1.parquet)."""
    data = write_extract(root, CUSTOMERS, BILLS, DAY_ONE)
    (data / "payments").mkdir()
    (data / "payments.parquet").rename(data / "payments" / "day1.parquet")
    return data


def build(data: str, cache: Path, capsys, *more: str) -> tuple[int, str, str]:
    code = cli.main(["build", "--data", data, "--cache", str(cache), "--engine", "spark", *more])
    out, err = capsys.readouterr()
    return code, out, err


def answers(data: str, cache: Path, capsys, monkeypatch) -> dict:
    """summary --json for the branch and for each station, as the command line gives it."""
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    found = {}
    for station in (None, "千钢供电所", "城郊供电所"):
        code = cli.main(["summary", "--data", data, "--json", *(["--station", station] if station else [])])
        out, err = capsys.readouterr()
        assert code == 0, err
        found[station] = json.loads(out)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The source folder, its URI, and the cache folder a build of the URI wrote (with the
    tables Spark wrote in a shared folder given by URI)."""
    root = tmp_path_factory.mktemp("spark-uri")
    data = source_folder(root / "source")
    shared = root / "shared"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FEE_SPARK_WORK", shared.as_uri())
        code = cli.main(["build", "--data", data.as_uri(), "--cache", str(root / "cache"), "--engine", "spark"])
    assert code == 0
    return data, data.as_uri(), root / "cache", shared


def test_a_build_from_a_uri_is_the_build_of_its_files(built, tmp_path):
    data, uri, cache, shared = built
    by_uri = open_extract(remote.mirror_dir(uri, cache), cache)
    by_duckdb = open_extract(data, tmp_path / "duckdb-cache")
    fail_on(table_differences(by_uri, by_duckdb, HOW_BUILT), "tables of the URI's build and the folder's")
    assert by_uri.query_rows("select engine, data_dir, name from extract_info") == [
        ("spark", uri, "/".join(data.parts[-2:]))]
    assert by_uri.source == uri  # what the data-quality page names
    # the mirror holds the source's files, byte for byte, and nothing else
    mirror = remote.mirror_dir(uri, cache)
    assert sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file()) == \
        ["bills.parquet", "customers.parquet", "payments/day1.parquet"]
    assert (mirror / "payments" / "day1.parquet").read_bytes() == (data / "payments" / "day1.parquet").read_bytes()
    # the source is only read; the shared folder is left empty
    assert sorted(p.name for p in data.rglob("*")) == ["bills.parquet", "customers.parquet", "day1.parquet",
                                                       "payments"]
    assert not list(shared.iterdir())


def test_every_command_reads_the_uri_through_its_copy(built, capsys, monkeypatch, tmp_path):
    data, uri, cache, _ = built
    from_uri = answers(uri, cache, capsys, monkeypatch)
    from_folder = answers(str(data), tmp_path / "duckdb-cache", capsys, monkeypatch)
    assert from_uri == from_folder
    # by hand: the default date is P2's posting, 2021-03-25; March's bills are issued by then
    # (120 + 300), April's are not; P1 and P2 are posted (120 + 100), P3 is still in transit
    assert from_uri[None]["as_of"] == "2021-03-25"
    assert from_uri[None]["total"]["billed"] == pytest.approx(420.0)
    assert from_uri[None]["total"]["recovered"] == pytest.approx(220.0)


def test_a_day_added_at_the_source_is_copied_alone_and_counted(tmp_path, capsys, monkeypatch):
    data = source_folder(tmp_path / "source")
    uri, cache = data.as_uri(), tmp_path / "cache"
    assert build(uri, cache, capsys)[0] == 0
    pq.write_table(table("payments", DAY_TWO), data / "payments" / "day2.parquet")
    code, out, _ = build(uri, cache, capsys)
    assert code == 0
    assert "复制 1 个文件" in out and "沿用 3 个" in out and "删除 0 个" in out
    day_two = answers(uri, cache, capsys, monkeypatch)
    assert day_two == answers(str(data), tmp_path / "duckdb-cache", capsys, monkeypatch)
    # 2021-04-21: every bill issued (590); B1 120, B2 100 + 150 (P3 still in transit), B3 80
    assert day_two[None]["as_of"] == "2021-04-21"
    assert day_two[None]["total"]["billed"] == pytest.approx(590.0)
    assert day_two[None]["total"]["recovered"] == pytest.approx(450.0)
    # nothing new: nothing copied, the cache is current
    code, out, _ = build(uri, cache, capsys)
    assert code == 0 and "复制 0 个文件" in out and "沿用 4 个" in out and "已是最新" in out
    # a file gone from the source goes from the copy
    (data / "payments" / "day2.parquet").unlink()
    code, out, _ = build(uri, cache, capsys)
    assert code == 0 and "删除 1 个" in out
    assert not (remote.mirror_dir(uri, cache) / "payments" / "day2.parquet").exists()
    assert answers(uri, cache, capsys, monkeypatch)[None]["total"]["recovered"] == pytest.approx(220.0)


def test_a_source_that_changes_during_the_build_fails_it(tmp_path, capsys, monkeypatch):
    from queries import spark
    data = source_folder(tmp_path / "source")
    run = spark._run

    def run_then_change(*args):
        run(*args)
        pq.write_table(table("payments", DAY_TWO), data / "payments" / "day2.parquet")

    monkeypatch.setattr(spark, "_run", run_then_change)
    code, _, err = build(data.as_uri(), tmp_path / "cache", capsys)
    assert code == 2
    assert "在建立期间有变动" in err and "Traceback" not in err
    assert not list((tmp_path / "cache").glob("*.duckdb"))


def test_a_uri_that_is_not_there_or_not_known(tmp_path, capsys):
    missing = (tmp_path / "nowhere").as_uri()
    code, _, err = build(missing, tmp_path / "cache", capsys)
    assert code == 2 and f"数据目录不存在：{missing}" in err
    # S3A without hadoop-aws: Spark has no file system for the scheme, and the message says what to add
    code, _, err = build("s3a://fee-bucket/extract", tmp_path / "cache", capsys)
    assert code == 2
    assert "s3a://" in err and "hadoop-aws" in err and "Traceback" not in err


def test_a_uri_needs_the_spark_engine_and_a_first_build(tmp_path, capsys, monkeypatch):
    uri = source_folder(tmp_path / "source").as_uri()
    code = cli.main(["build", "--data", uri, "--cache", str(tmp_path / "cache")])
    assert code == 2 and "只有 --engine spark 能读取它" in capsys.readouterr().err
    monkeypatch.setenv("FEE_CACHE_DIR", str(tmp_path / "cache"))
    code = cli.main(["summary", "--data", uri])
    err = capsys.readouterr().err
    assert code == 2 and "在本机还没有副本" in err and f"python -m queries build --data {uri} --engine spark" in err


def test_the_dashboard_opens_a_uri_through_its_copy(built, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from apptest import DASHBOARD
    _, uri, cache, _ = built
    monkeypatch.setenv("FEE_DATA_DIR", uri)
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    assert any(f"数据目录：{uri}" in m.value for m in at.markdown)
    # a URI no build has read yet: the page says how to make its copy
    monkeypatch.setenv("FEE_CACHE_DIR", str(tmp_path / "empty-cache"))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["这个数据目录还没有建立过，看板暂无数字可显示"]
    assert any(f"python -m queries build --data {uri} --engine spark" in m.value for m in at.markdown)


def test_spark_submit_runs_the_build_job(built, tmp_path, capsys, monkeypatch):
    """The job file for spark-submit (client mode, here with a local master): the same build."""
    import pyspark

    data, uri, _, _ = built
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    job = Path(cli.__file__).with_name("spark_job.py")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           "FEE_SPARK_PARTITIONS": "2"}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    done = subprocess.run([str(submit), "--master", "local[1]", "--driver-memory", "1g", str(job),
                           "--data", uri, "--cache", str(tmp_path / "cache")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "已建立数据缓存" in done.stdout
    assert answers(uri, tmp_path / "cache", capsys, monkeypatch) == answers(str(data), tmp_path / "duckdb-cache",
                                                                           capsys, monkeypatch)
