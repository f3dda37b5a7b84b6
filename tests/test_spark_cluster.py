"""The Spark build on a cluster (`--master spark://…`, docs/DATA.md §9): a standalone Spark
cluster of one master and one worker started on this machine, whose executors are JVMs of their
own, as on any cluster. The build runs as the command a user types, and its cache must hold what
a DuckDB build of the same files holds, table by table: the checks, the rollups and the findings
all ran on the executors.

Needs pyspark and Java 17+ (.ci/run installs them); without them these tests skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sparktest import require_spark
from test_buckets import fail_on, table_differences
from test_spark_checks import FINDINGS, findings_extract

require_spark()

from queries import open_extract  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOW_BUILT = {"extract_info": ("built_at", "buckets", "build_kind", "build_note", "engine")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, text: str, process: subprocess.Popen, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"the standalone cluster did not start ({text!r} not in {log}):\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """spark://127.0.0.1:<port>: a master and a worker of 2 cores and 1 GB, stopped afterwards."""
    import pyspark

    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    logs = tmp_path_factory.mktemp("spark-cluster")
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    started = []
    try:
        for name, args, ready in (
            ("master", ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                        "--webui-port", str(free_port())], "I have been elected leader"),
            ("worker", ["org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "2",
                        "--memory", "1g", "--webui-port", str(free_port()), "--work-dir", str(logs / "work")],
             "Successfully registered with master"),
        ):
            log = logs / f"{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen([str(spark_class), *args], stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True)
            started.append(process)
            _wait_for(log, ready, process)
        yield url, logs
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_a_build_on_a_standalone_cluster_is_the_duckdb_build(cluster, tmp_path):
    url, logs = cluster
    data = findings_extract(tmp_path / "data")
    run = subprocess.run(
        [sys.executable, "-m", "queries", "build", "--data", str(data), "--cache", str(tmp_path / "spark-cache"),
         "--engine", "spark", "--master", url],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "FEE_SPARK_PARTITIONS": "2", "FEE_SPARK_DRIVER_MEMORY": "1g"})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    # the executors ran in the worker's own JVMs, not in this process
    assert "Asked to launch executor" in (logs / "worker.log").read_text()
    by_spark = open_extract(data, tmp_path / "spark-cache")
    by_duckdb = open_extract(data, tmp_path / "duckdb-cache")
    assert by_spark.query_rows("select engine from extract_info") == [("spark",)]
    fail_on(table_differences(by_spark, by_duckdb, HOW_BUILT), "tables of the cluster's build and DuckDB's")
    found = by_spark.query_rows("select table_name, column_name, rows, examples from findings where rows > 0")
    # the hand-worked findings of tests/test_spark_checks.py, found on the cluster
    assert sorted((t, c, n, list(e)) for t, c, n, e in found) == sorted(
        (t, c, n, e) for (t, c, _), (n, e) in FINDINGS.items())
