"""docs/DATA.md §5: python -m queries summary --data DIR [--as-of] [--year] [--station] --json; and
the shared option checks, messages and exit codes of python -m reports daily-report."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from queries import labels
import queries.__main__ as cli
import reports.__main__ as reports_cli
from queries.__main__ import _width, main
from test_build import check_stages
from tiny import bill, customer, payment, write_extract

REPO = Path(__file__).resolve().parent.parent
QIAN, WAN = "千钢供电所", "万家供电所"  # code points: 万 U+4E07 < 千 U+5343
METRICS = {"billed", "recovered", "recovery_rate", "prior_opening", "prior_recovered",
           "prior_recovery_rate", "cumulative_rate", "arrears", "arrears_current_year",
           "arrears_prior_years", "arrears_customers"}
MONEY = {"billed", "recovered", "prior_opening", "prior_recovered", "arrears",
         "arrears_current_year", "arrears_prior_years"}
RATES = {"recovery_rate", "prior_recovery_rate", "cumulative_rate"}
THIRD = 1 / 3


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Three customers in two stations; every rate comes out at exactly one third.

    B0 (C3, 2020-12, 90.00) paid 30 on 2021-02-01; B1 (C1, 2021-03, 300.00) paid 100;
    B2 (C2, 2021-03, 0.30) paid 0.10, posted 2021-04-02 23:30 — the latest posting.
    P9 is in transit, paid on 2021-04-05: it neither counts nor moves D.
    """
    return write_extract(
        tmp_path / "extract",
        [customer("C1", station=QIAN, village="一村", line="10kV甲线"),
         customer("C2", station=QIAN, village="二村", line="10kV乙线"),
         customer("C3", station=WAN, village=None, line=None)],
        [bill("B0", "C3", "90.00", period="2020-12-01"),
         bill("B1", "C1", "300.00", period="2021-03-01"),
         bill("B2", "C2", "0.30", period="2021-03-01")],
        [payment("P0", "C3", "B0", "30.00", "2021-02-01 10:00:00"),
         payment("P1", "C1", "B1", "100.00", "2021-03-10 10:00:00"),
         payment("P2", "C2", "B2", "0.10", "2021-04-01 23:00:00", posted_at="2021-04-02 23:30:00"),
         payment("P9", "C1", "B1", "50.00", "2021-04-05 10:00:00", posted_at=None)])


BUILDING = "建立数据缓存"  # a first open's progress lines on stderr (tests/test_build.py)


PROG = {"summary": "python -m queries", "daily-report": "python -m reports"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr; stderr without the progress of building the cache. The
    daily report is `python -m reports daily-report`, everything else `python -m queries`."""
    code = (reports_cli.main if argv[:1] == ("daily-report",) else main)(list(argv))
    out, err = capsys.readouterr()
    return code, out, "".join(line for line in err.splitlines(keepends=True) if not line.startswith(BUILDING))


def summary_json(capsys, data_dir: Path, *extra: str) -> dict:
    code, out, err = run(capsys, "summary", "--data", str(data_dir), *extra, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_has_exactly_the_contract_shape(capsys, data_dir):
    result = summary_json(capsys, data_dir)
    assert set(result) == {"as_of", "year", "station", "total", "by_station", "by_village", "by_line"}
    assert isinstance(result["as_of"], str)
    assert type(result["year"]) is int
    assert result["station"] is None
    assert set(result["total"]) == METRICS
    rows = {"by_station": {"station"}, "by_village": {"station", "village"}, "by_line": {"station", "line"}}
    for key, keys in rows.items():
        assert result[key], key
        for row in result[key]:
            assert set(row) == keys | METRICS, key
    for values in [result["total"], *result["by_station"], *result["by_village"], *result["by_line"]]:
        for k in MONEY:
            assert type(values[k]) is float and round(values[k], 2) == values[k], k
        for k in RATES:
            assert values[k] is None or type(values[k]) is float, k
        assert type(values["arrears_customers"]) is int


def test_defaults_as_of_latest_posting_and_its_year_with_hand_computed_totals(capsys, data_dir):
    result = summary_json(capsys, data_dir)
    # latest posted_at is P2's 2021-04-02 23:30 (P9's later paid_at is in transit).
    assert result["as_of"] == "2021-04-02"
    assert result["year"] == 2021
    t = result["total"]
    # billed 300 + 0.30; recovered 100 + 0.10; B0: 90 outstanding on 2020-12-31, 60 now.
    assert (t["billed"], t["recovered"]) == (300.3, 100.1)
    assert (t["prior_opening"], t["prior_recovered"]) == (90.0, 30.0)
    # rates are unrounded: 100.10 / 300.30, 30 / 90 and 130.10 / 390.30 are all exactly 1/3.
    for k in RATES:
        assert t[k] == pytest.approx(THIRD, rel=1e-12)
    # overdue at 04-02: B1 200 + B2 0.20 (2021) and B0 60 (2020); three customers.
    assert (t["arrears"], t["arrears_current_year"], t["arrears_prior_years"]) == (260.2, 200.2, 60.0)
    assert t["arrears_customers"] == 3


def test_groups_sorted_with_null_where_a_rate_is_undefined(capsys, data_dir):
    result = summary_json(capsys, data_dir)
    wan, qian = result["by_station"]
    assert (wan["station"], qian["station"]) == (WAN, QIAN)
    # 万家 has only B0 (2020): billed 0 → recovery_rate null; prior 30 / 90; cumulative 30 / 90.
    assert (wan["billed"], wan["recovery_rate"]) == (0.0, None)
    assert wan["prior_recovery_rate"] == pytest.approx(THIRD, rel=1e-12)
    assert wan["cumulative_rate"] == pytest.approx(THIRD, rel=1e-12)
    # 千钢 has no bill before 2021: prior_opening 0 → prior_recovery_rate null.
    assert (qian["billed"], qian["prior_opening"], qian["prior_recovery_rate"]) == (300.3, 0.0, None)
    assert [(r["station"], r["village"]) for r in result["by_village"]] == [(WAN, None), (QIAN, "一村"), (QIAN, "二村")]
    # 乙 U+4E59 < 甲 U+7532
    assert [(r["station"], r["line"]) for r in result["by_line"]] == [(WAN, None), (QIAN, "10kV乙线"), (QIAN, "10kV甲线")]
    assert [r["billed"] for r in result["by_line"]] == [0.0, 0.3, 300.0]


def test_year_defaults_to_the_year_of_an_explicit_as_of(capsys, data_dir):
    result = summary_json(capsys, data_dir, "--as-of", "2022-01-15")
    assert (result["as_of"], result["year"]) == ("2022-01-15", 2022)
    t = result["total"]
    # nothing billed in 2022 → recovery_rate null; every earlier bill is prior:
    # on 2021-12-31 B0 60 + B1 200 + B2 0.20 = 260.20 outstanding, none paid since.
    assert (t["billed"], t["recovery_rate"]) == (0.0, None)
    assert (t["prior_opening"], t["prior_recovered"]) == (260.2, 0.0)
    assert t["prior_recovery_rate"] == 0.0
    assert t["cumulative_rate"] == 0.0


def test_explicit_year_and_as_of(capsys, data_dir):
    result = summary_json(capsys, data_dir, "--as-of", "2021-03-31", "--year", "2020")
    assert (result["as_of"], result["year"]) == ("2021-03-31", 2020)
    t = result["total"]
    # Y = 2020: S = {B0}: billed 90, recovered 30 (posted 2021-02-01 ≤ D); no bill before 2020.
    assert (t["billed"], t["recovered"], t["prior_opening"]) == (90.0, 30.0, 0.0)
    assert t["prior_recovery_rate"] is None
    # arrears are of every year, split by D's year (2021): B1 200 + B2 0.30 (P2 not yet posted).
    assert (t["arrears_current_year"], t["arrears_prior_years"]) == (200.3, 60.0)


def test_station_option_limits_every_figure(capsys, data_dir):
    result = summary_json(capsys, data_dir, "--station", QIAN)
    assert result["station"] == QIAN
    assert [r["station"] for r in result["by_station"]] == [QIAN]
    assert {r["station"] for r in result["by_village"] + result["by_line"]} == {QIAN}
    t = result["total"]
    # C1 and C2 only: billed 300.30, recovered 100.10, arrears 200.20, no prior bill.
    assert (t["billed"], t["recovered"], t["arrears"], t["prior_opening"]) == (300.3, 100.1, 200.2, 0.0)
    assert t["arrears_customers"] == 2


def test_refused_extract_prints_its_message_on_stderr_and_exits_2(capsys, data_dir):
    write_extract(data_dir, [customer("C1"), customer("C1")], [], [])  # duplicate customer_id
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--json")
    assert code == 2
    assert out == ""
    assert "customers.parquet" in err and "customer_id" in err and "共 2 行不符合" in err
    assert "Traceback" not in err


def test_missing_data_directory_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "summary", "--data", str(tmp_path / "nowhere"), "--json")
    assert code == 2
    assert out == ""
    assert err.strip() == labels.MSG["no_data_dir"].format(path=tmp_path / "nowhere")


@pytest.mark.parametrize("argv", [
    ["summary", "--json"],  # no --data
    ["summary", "--data", "x", "--as-of", "2021-13-01", "--json"],
    ["summary", "--data", "x", "--as-of", "2021/03/01", "--json"],
    ["summary", "--data", "x", "--year", "twenty", "--json"],
    [],  # no command
], ids=["no-data", "month-13", "slashes", "year-text", "no-command"])
def test_bad_arguments_exit_2_with_a_usage_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage:" in err


@pytest.mark.parametrize("argv", [["--help"], ["summary", "--help"]])
def test_help_exits_0(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "usage:" in out
    if argv[0] == "summary":
        assert "--data" in out and "--as-of" in out and "--station" in out


def test_real_command_line_in_a_subprocess(data_dir):
    done = subprocess.run([sys.executable, "-m", "queries", "summary", "--data", str(data_dir), "--json"],
                          cwd=REPO, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    result = json.loads(done.stdout.decode("utf-8"))
    # same hand-computed figures as the in-process run
    assert (result["as_of"], result["year"], result["station"]) == ("2021-04-02", 2021, None)
    assert (result["total"]["billed"], result["total"]["arrears"]) == (300.3, 260.2)
    assert [r["station"] for r in result["by_station"]] == [WAN, QIAN]


# --- hardening: each class of input below exits as documented, never with a traceback ----

def cli_env(cache_dir: Path) -> dict:
    return {**os.environ, "FEE_CACHE_DIR": str(cache_dir)}


def flat(text: str) -> list[str]:
    """Output lines with runs of spaces (alignment) collapsed to one."""
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.mark.parametrize("station", ["不存在", ""])
@pytest.mark.parametrize("command", ["summary", "daily-report"])
def test_unknown_station_exits_2_and_lists_the_stations(capsys, data_dir, tmp_path, command, station):
    extra = ["--out", str(tmp_path / "日报.md")] if command == "daily-report" else ["--json"]
    code, out, err = run(capsys, command, "--data", str(data_dir), "--station", station, *extra)
    assert (code, out) == (2, "")
    assert err.strip() == labels.CLI["unknown_station"].format(station=station, stations=f"{WAN}、{QIAN}")
    assert not (tmp_path / "日报.md").exists()


def test_data_that_is_a_file_says_so(capsys):
    readme = REPO / "README.md"
    code, out, err = run(capsys, "summary", "--data", str(readme), "--json")
    assert (code, out) == (2, "")
    assert err.strip() == labels.MSG["data_dir_is_file"].format(path=readme)


@pytest.mark.parametrize("command", ["summary", "daily-report"])
def test_unknown_argument_shows_the_subcommands_usage(capsys, data_dir, tmp_path, command):
    extra = ["--out", str(tmp_path / "a.md")] if command == "daily-report" else []
    code, out, err = run(capsys, command, "--data", str(data_dir), *extra, "--bogus", "x")
    assert (code, out) == (2, "")
    assert err.startswith(f"usage: {PROG[command]} {command} ")
    assert err.strip().endswith(f"{PROG[command]} {command}: error: "
                                + labels.CLI["unknown_args"].format(args="--bogus x"))


@pytest.mark.parametrize("option, value", [
    ("--year", "1899"), ("--year", "10000"), ("--year", "0"), ("--year", "-5"), ("--year", "2021.5"),
    ("--as-of", "1899-12-31"), ("--as-of", "0001-01-01"), ("--as-of", "2021-02-30"), ("--as-of", "20210301"),
    ("--as-of", ""), ("--as-of", "10000-01-01"),
])
def test_out_of_range_year_or_malformed_as_of_exit_2_with_the_usage_line(capsys, data_dir, option, value):
    code, out, err = run(capsys, "summary", "--data", str(data_dir), option, value, "--json")
    assert (code, out) == (2, "")
    assert err.startswith("usage: python -m queries summary ")
    assert f"参数 {option}：" in err and "Traceback" not in err


def test_years_at_the_ends_of_the_range_are_answered(capsys, data_dir):
    # 1900: nothing billed, nothing carried in (no bill before 1900); arrears are of every year.
    t = summary_json(capsys, data_dir, "--year", "1900")["total"]
    assert (t["billed"], t["prior_opening"], t["recovery_rate"], t["prior_recovery_rate"]) == (0.0, 0.0, None, None)
    assert t["arrears"] == 260.2
    # 9999: everything outstanding at 9998-12-31 (as at D, 2021-04-02) is carried in, none recovered since.
    t = summary_json(capsys, data_dir, "--year", "9999")["total"]
    assert (t["billed"], t["recovery_rate"]) == (0.0, None)
    assert (t["prior_opening"], t["prior_recovered"], t["prior_recovery_rate"], t["cumulative_rate"]) == (260.2, 0.0, 0.0, 0.0)


def test_text_output_formats_money_rates_and_counts(capsys, data_dir):
    code, out, err = run(capsys, "summary", "--data", str(data_dir))
    assert (code, err) == (0, "")
    lines = flat(out)
    assert lines[0] == "数据截至 2021 年 4 月 2 日 统计年度 2021 范围：全部供电所"
    total = lines[lines.index("合计") + 1:lines.index("合计") + 12]
    assert total == ["应收电费 300.30 元", "实收电费 100.10 元", "电费回收率 33.33 %", "年初陈欠 90.00 元",
                     "陈欠回收 30.00 元", "以前年度回收率 33.33 %", "累计回收率 33.33 %", "欠费 260.20 元",
                     "当年欠费 200.20 元", "往年欠费 60.00 元", "欠费户数 3 户"]
    recovery = lines.index("按供电所 · 回收（金额单位：元）")
    assert lines[recovery + 1:recovery + 4] == [
        "供电所 应收电费 实收电费 电费回收率 年初陈欠 陈欠回收 以前年度回收率 累计回收率",
        f"{WAN} 0.00 0.00 — 90.00 30.00 33.33 % 33.33 %",   # billed 0: rate undefined
        f"{QIAN} 300.30 100.10 33.33 % 0.00 0.00 — 33.33 %"]  # nothing carried in: undefined
    arrears = lines.index("按供电所 · 欠费（金额单位：元）")
    assert lines[arrears + 1:arrears + 4] == ["供电所 欠费 当年欠费 往年欠费 欠费户数",
                                              f"{WAN} 60.00 0.00 60.00 1 户", f"{QIAN} 200.20 200.20 0.00 2 户"]
    assert "None" not in out and "0.333" not in out and "万元" not in out  # no amount reaches 1 万元
    # the tables are aligned: every row of a table ends in the same terminal column (CJK = 2)
    raw = out.splitlines()
    for start in (recovery, arrears):
        assert len({_width(line) for line in raw[start + 1:start + 4]}) == 1


def test_text_output_of_large_amounts_and_a_rate_just_under_100(capsys, tmp_path):
    root = write_extract(
        tmp_path / "big",
        [customer("C1", station=QIAN), customer("C2", station=WAN)],
        [bill("B1", "C1", "100000.00", period="2021-03-01"),
         bill("B0", "C2", "152205599.90", period="2020-12-01")],
        [payment("P1", "C1", "B1", "99996.00", "2021-03-10 10:00:00")])
    code, out, err = run(capsys, "summary", "--data", str(root))
    assert code == 0, err
    lines = flat(out)
    # D = 2021-03-10: 99,996 / 100,000 = 99.996 % shows truncated; B1 (due 03-20) is not overdue,
    # B0 is carried in and overdue, unpaid; cumulative 99,996 / 152,305,599.90 = 0.0656… %.
    for line in ["应收电费 100,000.00 元 （10.00 万元）", "电费回收率 99.99 %", "以前年度回收率 0.00 %",
                 "年初陈欠 152,205,599.90 元 （15,220.56 万元）", "累计回收率 0.06 %",
                 "欠费 152,205,599.90 元 （15,220.56 万元）", "当年欠费 0.00 元", "欠费户数 1 户",
                 f"{WAN} 0.00 0.00 — 152,205,599.90 0.00 0.00 % 0.00 %",
                 f"{QIAN} 100,000.00 99,996.00 99.99 % 0.00 0.00 — 99.99 %"]:
        assert line in lines, line
    assert "100.00 %" not in out and "None" not in out


def test_first_open_json_keeps_stdout_clean_and_shows_progress_on_stderr(data_dir, tmp_path):
    argv = [sys.executable, "-m", "queries", "summary", "--data", str(data_dir), "--json"]
    env = cli_env(tmp_path / "fresh-cache")
    first = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert first.returncode == 0, first.stderr.decode("utf-8", "replace")
    result = json.loads(first.stdout.decode("utf-8"))  # nothing but the object on stdout
    assert (result["as_of"], result["total"]["billed"]) == ("2021-04-02", 300.3)
    check_stages(first.stderr.decode("utf-8"))  # one line per stage, as in a nightly job's log
    # opened again: the cache is built, so nothing on stderr at all
    second = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=60)
    assert (second.returncode, second.stderr) == (0, b"")
    assert json.loads(second.stdout.decode("utf-8")) == result


@pytest.mark.parametrize("as_of, first, last", [("2020-06-30", "2020-12-01", "2021-04-02")])
def test_as_of_before_the_first_bill_is_answered_with_a_note(capsys, data_dir, as_of, first, last):
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--as-of", as_of, "--json")
    assert code == 0
    assert err.strip() == labels.MSG["as_of_outside"].format(as_of=as_of, first=first, last=last)
    result = json.loads(out)
    assert (result["as_of"], result["year"]) == (as_of, 2020)
    # nothing issued by 2020-06-30 (B0 is issued 2020-12-05): every figure 0, every rate undefined
    t = result["total"]
    assert all(t[k] == 0 for k in MONEY) and t["arrears_customers"] == 0
    assert all(t[k] is None for k in RATES)
    assert result["by_station"] == result["by_village"] == result["by_line"] == []


def test_as_of_after_the_last_posting_is_answered_with_a_note(capsys, data_dir):
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--as-of", "2021-12-31", "--json")
    assert code == 0
    assert err.strip() == labels.MSG["as_of_outside"].format(as_of="2021-12-31", first="2020-12-01", last="2021-04-02")
    t = json.loads(out)["total"]
    # nothing posted after 04-02 (P9 stays in transit): the figures of D = 04-02, as of 12-31
    assert (t["billed"], t["recovered"], t["prior_opening"], t["prior_recovered"]) == (300.3, 100.1, 90.0, 30.0)
    assert (t["arrears"], t["arrears_current_year"], t["arrears_prior_years"], t["arrears_customers"]) == (260.2, 200.2, 60.0, 3)


@pytest.mark.parametrize("as_of", ["2020-12-01", "2021-03-31", "2021-04-02"])
def test_as_of_inside_the_dates_has_no_note(capsys, data_dir, as_of):
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--as-of", as_of, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["as_of"] == as_of


def one_bill_extract(root: Path, payments: list[dict]) -> Path:
    """C1's bill B1: 300.00 of 2021-03, issued 03-05, due 03-20."""
    return write_extract(root, [customer("C1", station=QIAN)], [bill("B1", "C1", "300.00")], payments)


IMPLAUSIBLE = payment("P1", "C1", "B1", "100.00", "2021-03-10 10:00:00", posted_at="9999-12-31 00:00:00")


@pytest.mark.parametrize("payments", [[], [IMPLAUSIBLE]], ids=["no-payments", "only-posting-in-9999"])
def test_no_as_of_date_exits_2_unless_one_is_given(capsys, tmp_path, payments):
    root = one_bill_extract(tmp_path / "extract", payments)
    for command, extra in (("summary", ["--json"]), ("daily-report", ["--out", str(tmp_path / "a.md")])):
        code, out, err = run(capsys, command, "--data", str(root), *extra)
        assert (code, out, err.strip()) == (2, "", labels.MSG["no_as_of_cli"]), command
    code, out, err = run(capsys, "summary", "--data", str(root), "--as-of", "2021-05-01", "--json")
    assert (code, err) == (0, "")  # no dates to be outside of: no note
    t = json.loads(out)["total"]
    # P1 (if any) is posted after D: B1 is unpaid and overdue.
    assert (t["billed"], t["recovered"], t["recovery_rate"]) == (300.0, 0.0, 0.0)
    assert (t["arrears"], t["arrears_customers"], t["prior_recovery_rate"]) == (300.0, 1, None)


def test_an_implausible_posting_does_not_choose_the_as_of_date(capsys, tmp_path):
    root = one_bill_extract(tmp_path / "extract", [
        IMPLAUSIBLE, payment("P2", "C1", "B1", "50.00", "2021-04-10 10:00:00")])
    result = summary_json(capsys, root)
    # D is P2's 2021-04-10, not 9999-12-31; P1 still counts by its date: not yet at D.
    assert (result["as_of"], result["year"]) == ("2021-04-10", 2021)
    t = result["total"]
    assert (t["billed"], t["recovered"], t["arrears"]) == (300.0, 50.0, 250.0)
    assert t["recovery_rate"] == pytest.approx(1 / 6, rel=1e-12)
    # as of its own date P1 counts: 250 carried into 9999, 100 of it recovered, 150 still owed
    code, out, err = run(capsys, "summary", "--data", str(root), "--as-of", "9999-12-31", "--json")
    assert code == 0 and err.strip() == labels.MSG["as_of_outside"].format(
        as_of="9999-12-31", first="2021-03-01", last="2021-04-10")
    t = json.loads(out)["total"]
    assert (t["billed"], t["prior_opening"], t["prior_recovered"]) == (0.0, 250.0, 100.0)
    assert (t["arrears"], t["arrears_prior_years"], t["arrears_customers"]) == (150.0, 150.0, 1)


def test_cache_folder_under_a_regular_file_exits_1_with_the_reason(capsys, data_dir, tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("")
    cache = tmp_path / "afile" / "cache"
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--json")
    assert (code, out) == (1, "")
    assert err.startswith(f"缓存目录 {cache.resolve()} 的路径中有一段是文件而不是文件夹")
    assert "Not a directory" in err and "刷新页面" not in err and "Traceback" not in err


def test_read_only_cache_folder_exits_1_with_the_reason(capsys, data_dir, tmp_path, monkeypatch):
    """What a read-only folder gives a normal user: DuckDB cannot create the file. Tests run as
    root, whom chmod does not stop, so DuckDB's refusal is simulated."""
    cache = tmp_path / "read-only"
    monkeypatch.setenv("FEE_CACHE_DIR", str(cache))
    connect = duckdb.connect

    def refuse(database=":memory:", *args, **kwargs):
        if str(database).startswith(str(cache.resolve())):
            raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Permission denied')
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", refuse)
    code, out, err = run(capsys, "summary", "--data", str(data_dir), "--json")
    assert (code, out) == (1, "")
    assert err.startswith(f"缓存目录 {cache.resolve()} 没有写入权限（或为只读），无法写入数据缓存。")
    assert "没有写入权限" in err and "Permission denied" in err and "Traceback" not in err


def test_output_into_a_closed_pipe_ends_quietly(data_dir):
    """`python -m queries … | head -1`: the reader goes away before the answer is written."""
    proc = subprocess.Popen([sys.executable, "-m", "queries", "summary", "--data", str(data_dir), "--json"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_station_names_are_shown_as_text_and_cut(capsys, tmp_path):
    odd, long = "红旗\x1b[2J供电所", "长" * 45 + "供电所"
    root = write_extract(tmp_path / "odd", [customer("C1", station=odd), customer("C2", station=long)],
                         [bill("B1", "C1", "10.00"), bill("B2", "C2", "20.00")],
                         [payment("P1", "C1", "B1", "5.00", "2021-03-10 10:00:00")])
    code, out, err = run(capsys, "summary", "--data", str(root))
    assert code == 0, err
    assert "\x1b" not in out
    names = {line.split()[0] for line in flat(out) if line.startswith(("红旗", "长"))}
    # the escape is shown, not obeyed; 45 + 3 characters are cut to 40 and …
    assert names == {"红旗\ufffd[2J供电所", "长" * 40 + "…"}
    code, _, err = run(capsys, "summary", "--data", str(root), "--station", "x\x1b[2J")
    assert code == 2 and "\x1b" not in err


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), RuntimeError("Query interrupted")],
                         ids=["in-python", "in-a-duckdb-statement"])
def test_ctrl_c_ends_quietly_with_130(capsys, data_dir, monkeypatch, interrupt):
    def interrupted(*args, **kwargs):
        raise interrupt

    monkeypatch.setattr(cli, "open_extract", interrupted)
    monkeypatch.setattr(sys, "argv", ["python -m queries", "summary", "--data", str(data_dir), "--json"])
    assert cli._run() == 130
    out, err = capsys.readouterr()
    assert (out, err) == ("", labels.CLI["interrupted"] + "\n")


def test_other_runtime_errors_are_not_taken_for_ctrl_c(data_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something else")

    monkeypatch.setattr(cli, "open_extract", broken)
    monkeypatch.setattr(sys, "argv", ["python -m queries", "summary", "--data", str(data_dir), "--json"])
    with pytest.raises(RuntimeError, match="something else"):
        cli._run()
