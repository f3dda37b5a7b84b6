"""docs/DATA.md §9: `python -m queries build --data DIR [--cache DIR] [--engine duckdb|spark]`
builds the cache ahead of time (exit 0), says when it is already current, refuses a refused
extract (exit 1) and names a cache it cannot write (exit 2); and the build's progress, stage by
stage, on a terminal and in a log (queries/progress.py)."""

from __future__ import annotations

import io
import os
import re

import duckdb
import pytest

import queries.extract as extract_module
from queries import labels
from queries.__main__ import main
from queries.extract import cache_file_for
from queries.progress import StderrBar
from tiny import bill, customer, payment, write_extract

# One line per finished stage when stderr is not a terminal: share done, stage, seconds.
LOG_LINE = re.compile(r"^建立数据缓存 +(\d+)%  (.+)  用时 (\d+\.\d) 秒$")
STAGE_NAMES = ((set(labels.BUILD_STEP.values()) | set(labels.ROLLUP_STAGE.values()) | {labels.ROLLUP_STAGE_MACROS})
               - {labels.BUILD_STEP["done"]})


def stage_lines(err: str) -> list[tuple[int, str]]:
    """(percent, stage) of each progress line of a build on a non-terminal stderr; every line
    must be one."""
    lines = err.splitlines()
    parsed = [LOG_LINE.match(line) for line in lines]
    assert all(parsed), lines
    return [(int(m.group(1)), m.group(2)) for m in parsed]


def check_stages(err: str) -> None:
    """The stages of a whole build: each named once, in the build's own words, the share done
    growing to 100 %."""
    stages = stage_lines(err)
    names = [name for _, name in stages]
    assert stages and len(names) == len(set(names)) and set(names) <= STAGE_NAMES, names
    shares = [p for p, _ in stages]
    assert shares == sorted(shares) and shares[-1] == 100


def small(root):
    """One customer, one 2021-03 bill of 100.00, 40.00 of it posted on 2021-04-01."""
    return write_extract(root, [customer("001")], [bill("b1", "001", "100.00")],
                         [payment("p1", "001", "b1", "40.00", "2021-04-01 09:00:00")])


def build(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["build", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- the progress, with a clock that moves only when told ----------------------------------

class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(text: str) -> list[str]:
    """What a terminal shows: each line as its last carriage return left it, ESC[K erased."""
    return [line.rsplit("\r", 1)[-1].replace("\033[K", "") for line in text.split("\n")]


def feed(bar: StderrBar, clock: Clock, calls) -> None:
    for at, i, n, what in calls:
        clock.now = at
        bar(i, n, what)


# 检查数据 from 0 to 1.5 s, 汇总 (two steps) from 1.5 to 4.5 s, 保存 from 4.5 to 5 s, then done.
BUILD = [(0.0, 0, 4, "检查数据"), (1.5, 1, 4, "汇总"), (2.0, 2, 4, "汇总"), (4.5, 3, 4, "保存"), (5.0, 4, 4, "完成")]


def test_a_log_gets_one_line_per_stage_with_its_seconds():
    clock, log = Clock(), io.StringIO()
    bar = StderrBar(log, clock)
    feed(bar, clock, BUILD)
    bar.end()
    assert log.getvalue().splitlines() == [
        "建立数据缓存  25%  检查数据  用时 1.5 秒",   # the check ended at step 1 of 4
        "建立数据缓存  75%  汇总  用时 3.0 秒",
        "建立数据缓存 100%  保存  用时 0.5 秒",
    ]


def test_a_terminal_keeps_each_finished_stage_and_redraws_the_bar_in_place():
    clock, term = Clock(), Terminal()
    bar = StderrBar(term, clock, ticking=False)
    feed(bar, clock, BUILD[:3])
    assert screen(term.getvalue()) == [
        "✓ 检查数据  1.5 秒",
        "建立数据缓存 [##########..........]  50%  汇总  0.5 秒（共 2.0 秒）",  # step 2 of 4
    ]
    feed(bar, clock, BUILD[3:])
    bar.end()
    assert screen(term.getvalue()) == ["✓ 检查数据  1.5 秒", "✓ 汇总  3.0 秒", "✓ 保存  0.5 秒", ""]


def test_a_build_stopped_inside_a_stage_names_it():
    clock, log = Clock(), io.StringIO()
    bar = StderrBar(log, clock)
    feed(bar, clock, BUILD[:3])
    clock.now = 7.0
    bar.end()  # say the disk filled up during 汇总
    assert log.getvalue().splitlines()[-1] == "建立数据缓存未完成：汇总  已用 5.5 秒"


# --- the command --------------------------------------------------------------------------

def test_build_writes_the_cache_and_a_second_run_says_it_is_current(tmp_path, capsys):
    root, cache = small(tmp_path / "x"), tmp_path / "cache"
    code, out, err = build(capsys, "--data", str(root), "--cache", str(cache))
    assert code == 0, err
    target = cache_file_for(root, cache)
    assert target.exists()
    assert "已建立数据缓存" in out and "数据截至 2021-04-01" in out and str(target) in out
    check_stages(err)

    code, out, err = build(capsys, "--data", str(root), "--cache", str(cache))
    assert (code, err) == (0, "")  # nothing built: no progress at all
    assert "已是最新" in out and str(target) in out


def test_after_the_build_the_first_question_waits_for_nothing(tmp_path, capsys, monkeypatch):
    root, cache = small(tmp_path / "x"), tmp_path / "cache"
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))  # the build's default, as the dashboard's
    assert build(capsys, "--data", str(root))[0] == 0
    assert cache_file_for(root, cache).exists()
    assert main(["summary", "--data", str(root), "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_new_files_are_built_again(tmp_path, capsys):
    root, cache = small(tmp_path / "x"), tmp_path / "cache"
    assert build(capsys, "--data", str(root), "--cache", str(cache))[0] == 0
    old = cache_file_for(root, cache)
    write_extract(root, [customer("001")], [bill("b1", "001", "100.00")],
                  [payment("p1", "001", "b1", "40.00", "2021-04-01 09:00:00"),
                   payment("p2", "001", "b1", "60.00", "2021-04-02 09:00:00")])
    code, out, err = build(capsys, "--data", str(root), "--cache", str(cache))
    assert code == 0 and "已建立数据缓存" in out and "数据截至 2021-04-02" in out
    check_stages(err)
    assert cache_file_for(root, cache).exists() and not old.exists()  # the superseded cache is gone


def test_a_refused_extract_exits_1_with_its_message_and_builds_nothing(tmp_path, capsys):
    root = write_extract(tmp_path / "x", [customer("001"), customer("001")], [bill("b1", "001", "100.00")], [])
    cache = tmp_path / "cache"
    code, out, err = build(capsys, "--data", str(root), "--cache", str(cache))
    assert (code, out) == (1, "")
    assert "customers.parquet" in err and "customer_id" in err and "001" in err, err
    assert "Traceback" not in err
    assert not list(cache.glob("*.duckdb"))


def test_a_cache_folder_under_a_file_exits_2_naming_it(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    code, out, err = build(capsys, "--data", str(small(tmp_path / "x")), "--cache", str(blocker / "cache"))
    assert (code, out) == (2, "")
    assert "缓存目录" in err and str(blocker / "cache") in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_cache_folder_exits_2_with_the_chinese_message(tmp_path, capsys):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        code, out, err = build(capsys, "--data", str(small(tmp_path / "x")), "--cache", str(cache))
    finally:
        cache.chmod(0o755)
    assert (code, out) == (2, "")
    assert "没有写入权限" in err and str(cache) in err


def test_a_cache_denied_by_the_file_system_exits_2_with_the_chinese_message(tmp_path, capsys, monkeypatch):
    """The same as a read-only folder, where the tests run as root: DuckDB's own error."""
    def denied(path, *args, **kwargs):
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(extract_module.duckdb, "connect", denied)
    cache = tmp_path / "cache"
    code, out, err = build(capsys, "--data", str(small(tmp_path / "x")), "--cache", str(cache))
    assert (code, out) == (2, "")
    assert "没有写入权限" in err and str(cache) in err and "FEE_CACHE_DIR" in err


@pytest.mark.parametrize("missing", ["pyspark", "sqlglot", "java"])
def test_without_spark_installed_the_spark_engine_says_what_to_install(tmp_path, capsys, monkeypatch, missing):
    """pyspark and sqlglot come with the .[spark] extra, Java from the system (docs/DATA.md §9):
    whichever is missing, the build says so and writes nothing (tests/test_spark.py builds with it)."""
    import importlib.util
    import shutil

    if missing == "java":
        monkeypatch.setattr(shutil, "which", lambda name: None)
        monkeypatch.delenv("JAVA_HOME", raising=False)
    else:
        find = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == missing else find(name, *a))
    cache = tmp_path / "cache"
    code, out, err = build(capsys, "--data", str(small(tmp_path / "x")), "--cache", str(cache), "--engine", "spark")
    assert (code, out) == (2, "")
    assert ("找不到 Java" if missing == "java" else "pip install -e '.[spark]'") in err
    assert not cache.exists()


def test_a_master_needs_the_spark_engine(tmp_path, capsys):
    code, out, err = build(capsys, "--data", str(small(tmp_path / "x")), "--cache", str(tmp_path / "c"),
                           "--master", "local[2]")
    assert (code, out) == (2, "")
    assert "--master 只与 --engine spark 同用" in err


@pytest.mark.parametrize("argv", [["--data", "{missing}"], ["--engine", "hadoop", "--data", "{x}"], []])
def test_bad_arguments_exit_2(tmp_path, capsys, argv):
    x = small(tmp_path / "x")
    argv = [a.format(missing=tmp_path / "missing", x=x) for a in argv]
    code, out, err = build(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.strip() and "Traceback" not in err


def test_the_help_points_at_the_project_documentation(capsys):
    for argv in (["--help"], ["build", "--help"]):
        assert main(argv) == 0
        assert "docs/DATA.md" in capsys.readouterr().out


def test_the_page_bar_names_the_stage_under_way_and_the_stages_done():
    from queries.progress import Stages
    from ui.data import _build_text

    clock = Clock()
    stages = Stages(clock)
    for at, i, n, what in BUILD[:3]:
        clock.now = at
        stages.update(i, n, what)
    clock.now = 2.5
    assert stages.fraction == 0.5
    assert _build_text(stages).split("  \n") == [
        "**正在检查数据并建立数据缓存（数据更新后只需一次）**",
        "第 2 步：汇总，已用 1.0 秒（共 2.5 秒）",
        "已完成：检查数据 1.5 秒",
    ]


def test_every_table_the_build_creates_names_its_progress_stage():
    """A new rollup table gets its place in the progress stages (labels.ROLLUP_STAGE), so the
    bar and the nightly log say what the build is doing instead of folding it into another."""
    import re
    from queries import labels
    from queries.extract import sql_text
    build = "".join(sql_text(name) for name in ("_rollups", "_rollups_buckets", "_rollups_after"))
    created = re.findall(r"^create (?:or replace )?(?:temp )?(?:table|view) (\w+)", build, re.MULTILINE)
    assert created and set(created) <= set(labels.ROLLUP_STAGE), set(created) - set(labels.ROLLUP_STAGE)
