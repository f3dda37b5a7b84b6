"""CONTRACT §5: python -m queries summary --data DIR [--as-of] [--year] [--station] --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from queries.__main__ import main
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


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
    assert "nowhere" in err


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
