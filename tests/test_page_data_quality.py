"""数据质量 page: it names the extract and its dates, lists the files and rows the query
layer counted, lists exactly the findings of docs/DATA.md §4, and says so when there are none."""

from __future__ import annotations


import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from tiny import bill, customer, payment, write_extract

from queries import labels, open_extract

from apptest import open_page
PAGE = "pages/data_quality.py"

pytestmark = pytest.mark.usefixtures("sample_env")


def table(at: AppTest, column: str) -> pl.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def has_table(at: AppTest, column: str) -> bool:
    return any(column in df.value.columns for df in at.dataframe)


def check_page_describes(at: AppTest, sample) -> None:
    files = sample.query("extract_tables")
    assert [m.value for m in at.metric] == [
        f"{sample.first_period:%Y-%m} 至 {sample.last_period:%Y-%m}", f"{sample.default_as_of}",
        f"{files['table_name'].n_unique()} 张", f"{sample.query('data_findings').height} 项"]
    assert any(sample.name in m.value and str(sample.data_dir) in m.value for m in at.markdown)

    per_table = table(at, "文件数")
    rows = files.group_by("table_name").agg(pl.col("rows").sum(), pl.len().alias("files")).sort("table_name")
    assert per_table["表"].to_list() == rows["table_name"].to_list()
    assert per_table["行数"].to_list() == rows["rows"].to_list()
    assert per_table["文件数"].to_list() == rows["files"].to_list()
    listed = table(at, "文件（相对数据目录）")
    assert listed["文件（相对数据目录）"].to_list() == files["file"].to_list()
    assert listed["行数"].to_list() == files["rows"].to_list()


def test_sample_findings_are_listed_with_counts_and_examples(sample):
    at = open_page(PAGE)
    check_page_describes(at, sample)
    findings = sample.query("data_findings")
    assert findings.height > 0  # the sample carries deliberate findings
    shown = table(at, "规则")
    assert shown["表"].to_list() == findings["table_name"].to_list()
    assert shown["含义"].to_list() == [labels.TABLE[t] for t in findings["table_name"]]
    assert shown["列"].to_list() == findings["column_name"].to_list()
    assert shown["规则"].to_list() == findings["rule"].to_list()
    assert shown["行数"].to_list() == findings["rows"].to_list()
    assert shown["示例（最多五条）"].to_list() == ["；".join(e) for e in findings["examples"].to_list()]
    assert any(f"共 {findings.height} 项" in w.value for w in at.warning)


def test_filters_do_not_change_what_the_page_describes(sample):
    stations = sample.query("filter_options", stations=[]).filter(pl.col("dimension") == "station")["value"]
    at = open_page(PAGE)
    at.sidebar.multiselect(key="station").set_value([stations[0]]).run()
    at.sidebar.multiselect(key="category").set_value(["residential"]).run()
    assert not at.exception
    check_page_describes(at, sample)
    assert table(at, "规则").height == sample.query("data_findings").height


def test_clean_extract_shows_no_findings(tmp_path, monkeypatch):
    extract = write_extract(
        tmp_path / "clean", [customer("0001")], [bill("b1", "0001", "100.00")],
        [payment("p1", "0001", "b1", "100.00", "2021-03-10 09:00:00")],
        targets=[{"station": "千钢供电所", "year": 2021, "recovery_target": 0.9999}])
    monkeypatch.setenv("FEE_DATA_DIR", str(extract))
    sample = open_extract(extract)
    assert sample.query("data_findings").is_empty()
    at = open_page(PAGE)
    check_page_describes(at, sample)
    assert any("未发现问题" in s.value for s in at.success)
    assert not has_table(at, "规则")
