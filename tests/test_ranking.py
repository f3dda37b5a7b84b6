"""ranking.sql: any grouping ranked in one order with its gap to target and its change since
the day before, worked out by hand on four stations."""

from __future__ import annotations

import pytest

from queries import Scope, open_extract
from tiny import bill, customer, d, payment, write_extract

JIA, YI, BING, DING = "甲供电所", "乙供电所", "丙供电所", "丁供电所"  # code points: 丁 < 丙 < 乙 < 甲


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    """D = 2021-04-10, year 2021; each station one customer and one 100.00 bill of 2021-03
    (due 2021-03-20), except 丙, whose one bill is 50.00 of 2020-12, still unpaid.
    丁 paid 100 (rate 100 %); 乙 paid 50 on 03-10 and 20 on D (70 % today, 50 % the day
    before; target 80 %); 甲 paid 70 on 03-10 (70 %); 丙 has no bill this year (rate undefined)."""
    root = write_extract(
        tmp_path_factory.mktemp("ranking") / "x",
        [customer("1", station=DING), customer("2", station=YI), customer("3", station=JIA),
         customer("4", station=BING)],
        [bill("b1", "1", "100.00"), bill("b2", "2", "100.00"), bill("b3", "3", "100.00"),
         bill("b4", "4", "50.00", period="2020-12-01")],
        [payment("p1", "1", "b1", "100.00", "2021-03-10 09:00:00"),
         payment("p2", "2", "b2", "50.00", "2021-03-10 09:00:00"),
         payment("p3", "2", "b2", "20.00", "2021-04-10 09:00:00"),
         payment("p4", "3", "b3", "70.00", "2021-03-10 09:00:00")],
        targets=[{"station": YI, "year": 2021, "recovery_target": 0.8}])
    return open_extract(root, cache_dir=tmp_path_factory.mktemp("cache"))


def test_stations_rank_by_rate_then_arrears_then_name(ex):
    rows = ex.query("ranking", Scope(), as_of=d("2021-04-10"), year=2021, group_by="station").to_dicts()
    # 丁 100 %; 乙 and 甲 both 70 % with 30.00 owed: by name (乙 U+4E59 before 甲 U+7532); 丙 undefined, last
    assert [(r["rank"], r["station"]) for r in rows] == [(1, DING), (2, YI), (3, JIA), (4, BING)]


def test_gap_to_target_and_change_since_the_day_before(ex):
    rows = {r["station"]: r for r in
            ex.query("ranking", Scope(), as_of=d("2021-04-10"), year=2021, group_by="station").to_dicts()}
    yi = rows[YI]
    assert yi["gap_to_target"] == pytest.approx(-10.0)      # 70 % against 80 %
    assert yi["rate_change"] == pytest.approx(20.0)         # 50 % → 70 %
    assert float(yi["arrears_change"]) == -20.0             # 50.00 → 30.00 owed
    assert yi["arrears_customers_change"] == 0
    assert rows[DING]["gap_to_target"] == pytest.approx(0.0) and rows[DING]["rate_change"] == pytest.approx(0.0)
    bing = rows[BING]
    assert bing["recovery_rate"] is None and bing["gap_to_target"] is None and bing["rate_change"] is None
    assert float(bing["arrears"]) == 50.0 and float(bing["arrears_change"]) == 0.0


def test_a_scope_narrows_the_ranking(ex):
    rows = ex.query("ranking", Scope(stations=(JIA, YI)), as_of=d("2021-04-10"), year=2021, group_by="station")
    assert rows["station"].to_list() == [YI, JIA] and rows["rank"].to_list() == [1, 2]
