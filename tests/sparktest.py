"""What the Spark tests share: they skip, saying what is missing, without pyspark, sqlglot or
Java (.ci/run installs them), and they run tiny extracts on a few shuffle partitions."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def require_spark() -> None:
    """Skip the calling test module when the Spark build cannot run here."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        pytest.skip("Spark 引擎未安装：pip install -e '.[spark]'（.ci/run 会安装）", allow_module_level=True)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("没有 Java：Spark 需要 Java 17+（Debian: openjdk-17-jre-headless，.ci/run 会安装）",
                    allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def few_partitions():
    """Tiny extracts: a few shuffle partitions, not the default 64 (same rows, less waiting).
    Imported by a test module, it applies to all its tests."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FEE_SPARK_PARTITIONS", "2")
        yield
