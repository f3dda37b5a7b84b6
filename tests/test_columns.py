"""One wording per concept: a column's header is its name in queries/labels.py with the unit
of its kind, the same on screen, in Excel and in CSV; tiles and slides name a figure the same
way with their own unit (万元)."""

from __future__ import annotations

import polars as pl
import pytest

from queries import labels
from reports.columns import KIND, bare, col, display_frame
from reports.format import KINDS


@pytest.mark.parametrize("name", sorted(KIND))
def test_every_column_has_a_label_and_a_known_kind(name):
    c = col(name)
    assert c.kind in KINDS
    assert c.label.startswith(bare(name))


def test_a_metric_reads_in_yuan_in_a_table_and_in_wan_on_a_tile():
    assert col("billed").label == f"{labels.METRIC['billed']}（元）" == "应收电费（元）"
    assert labels.named(labels.METRIC["billed"], "wan") == "应收电费（万元）"
    assert col("billed", year=2021).label == "2021 年应收电费（元）"
    assert col("recovery_rate").label == labels.METRIC["recovery_rate"]  # a rate shows its % in the cell
    assert col("gap_to_target").label == "与目标差（百分点）"
    assert col("rate_change").label == "电费回收率较昨日（百分点）"


def test_a_column_can_read_another_frame_column():
    c = col("payment_amount")
    assert (c.name, c.label, c.kind) == ("amount", "付款金额（元）", "money")


def test_points_in_a_table_are_truncated_like_the_text():
    df = pl.DataFrame({"gap_to_target": [-27.215189873417714, 7.999999999999996, None]})
    shown = display_frame(df, [col("gap_to_target")])
    assert shown["与目标差（百分点）"].to_list() == [-27.21, 8.0, None]


def test_a_null_collector_reads_unassigned():
    shown = display_frame(pl.DataFrame({"collector": ["张三", None]}), [col("collector")])
    assert shown[col("collector").label].to_list() == ["张三", labels.UNASSIGNED]
