"""The year-end projection (recovery_projection.sql, queries/projection.py; docs/DATA.md §6) on
tiny extracts whose earlier years follow a known curve, every number worked out by hand; then,
on the shipped sample, against a second computation from recovery_curve_daily and
recovery_summary (already tested); and the home page's caption and chart.

The method, per earlier year y with its matched day m (D's month and day in y): with s the
unpaid share (1 − rate),
    projected rate(t)   = 1 − s(D) × s_y(t) / s_y(m)
    projected billed(t) = billed(D) × billed_y(t) / billed_y(m)
the projection is the median over the years used, the band their min – max (two years or more),
and needed a day = (target × projected billed at 31 December − recovered at D) / days left.

The tiny extracts and their curves (P1 `slow`, P2 `full`, D's year `this_year`) are in
tests/curves.py: each year two bills of 100.00 for C1, January's (A) and July's (B); what is
paid and when differs by test.
"""

from __future__ import annotations

import datetime as dt
import statistics

import polars as pl
import pytest

from apptest import figure, open_page, values
from curves import (CHENGJIAO, JUNE_30_TO_DEC_31, QIANGANG, full, open_years, paid, project, slow, target, this_year,
                    year_bills)
from queries import Scope, View
from queries.projection import year_end_projection
from reports import format as fmt
from reports.projection import sentence
from tiny import bill, customer, d


# --- the method on known curves ---------------------------------------------------------------

def test_earlier_years_with_the_same_curve_project_that_curves_year_end(tmp_path):
    # 2020, 2021 and 2022 so far all follow P1: on 30 June s = 0.4 in every year, and each earlier
    # year ended at s = 0.25, so D's year is projected to end as they did: 1 − 0.4 × 0.25 / 0.4.
    ex = open_years(tmp_path, [*year_bills(2020), *year_bills(2021), *year_bills(2022, july=False)],
                    [*slow(2020), *slow(2021), paid(2022, "A", "60.00", "03-10")])
    p = project(ex, "2022-06-30")
    assert (p.billed, p.recovered, p.recovery_rate) == (100, 60, pytest.approx(0.6))
    assert p.years_used == [2020, 2021]
    assert (p.projected_rate, p.low_rate, p.high_rate) == (pytest.approx(0.75),) * 3
    assert p.projected_billed == pytest.approx(200)  # 100 × 200 / 100
    assert [(y.rate_on_matched_day, y.year_end_rate) for y in p.years] == [(pytest.approx(0.6), pytest.approx(0.75))] * 2
    assert p.reason is None


def test_two_years_with_different_curves_give_the_band(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2020), *year_bills(2021), *year_bills(2022, july=False)],
                    [*slow(2020), *full(2021), *this_year()])
    p = project(ex, "2022-06-30")
    # s(D) = 20 / 100 = 0.2. 2020 (P1): 1 − 0.2 × 0.25 / 0.4 = 0.875; 2021 (P2): 1 − 0.2 × 0 / 0.4 = 1.
    assert [(y.year, y.status, y.projected_rate) for y in p.years] == [
        (2020, "used", pytest.approx(0.875)), (2021, "used", pytest.approx(1.0))]
    assert (p.low_rate, p.high_rate) == (pytest.approx(0.875), pytest.approx(1.0))
    assert p.projected_rate == pytest.approx(0.9375)  # the median of two: their mean
    # The path: D, then each month end. On 31 July 2020 A is paid and B owes 50 (s = 50 / 200):
    # 1 − 0.2 × 0.25 / 0.4 = 0.875; 2021 owes nothing: 1. So from July on the same as at the end.
    path = p.path
    assert path["day"].to_list() == [d("2022-06-30"), *(d(f"2022-{m:02d}-{last}") for m, last in (
        (7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)))]
    assert path.row(0) == (d("2022-06-30"), pytest.approx(0.8), pytest.approx(0.8), pytest.approx(0.8))
    assert fmt.percent(path["rate"][0]) == fmt.percent(p.recovery_rate) == 80.0  # starts where the curve ends
    assert path.row(1) == (d("2022-07-31"), pytest.approx(0.9375), pytest.approx(0.875), pytest.approx(1.0))
    assert path["rate"][-1] == pytest.approx(p.projected_rate)


def test_a_day_in_the_first_half_of_a_month_adds_the_days_since_the_month_end(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2020), *year_bills(2021), *year_bills(2022)],
                    [*slow(2020), *full(2021), *this_year()])
    p = project(ex, "2022-07-10")
    # On 10 July B (issued 5 July) is billed and owes 100 in every year. D's year: unpaid 20 + 100
    # of 200, s = 0.6. 2020 and 2021: 40 + 100 of 200, s = 0.7. 2020: 1 − 0.6 × 0.25 / 0.7 = 11/14;
    # 2021: 1.
    assert (p.billed, p.recovered) == (200, 80)
    assert [y.rate_on_matched_day for y in p.years] == [pytest.approx(0.3), pytest.approx(0.3)]
    assert (p.low_rate, p.high_rate) == (pytest.approx(11 / 14), pytest.approx(1.0))
    assert p.projected_rate == pytest.approx((11 / 14 + 1) / 2)
    assert p.projected_billed == pytest.approx(200)


def test_a_day_in_the_second_half_of_a_month_leaves_out_the_days_after_it(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2020), *year_bills(2021), *year_bills(2022)],
                    [*slow(2020), *full(2021), *this_year()])
    p = project(ex, "2022-07-25")
    # On 25 July the 28 July payment (A's last 40) has not come: 2020 owes 40 + 50 of 200 (s = 0.45),
    # 2021 owes 40 (s = 0.2). D's year owes 20 + 100 (s = 0.6): 2020 gives 1 − 0.6 × 0.25 / 0.45 = 2/3,
    # 2021 gives 1.
    assert [y.rate_on_matched_day for y in p.years] == [pytest.approx(0.55), pytest.approx(0.8)]
    assert (p.low_rate, p.high_rate) == (pytest.approx(2 / 3), pytest.approx(1.0))


def test_exactly_one_earlier_year_gives_a_point_without_a_band(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2021), *year_bills(2022, july=False)], [*slow(2021), *this_year()])
    p = project(ex, "2022-06-30")
    assert p.years_used == [2021]
    assert p.projected_rate == pytest.approx(0.875)  # 1 − 0.2 × 0.25 / 0.4
    assert (p.low_rate, p.high_rate, p.has_band) == (None, None, False)
    assert p.path["low"].null_count() == p.path.height
    assert "（仅 1 个可比年份，无区间）" in sentence(p)


def test_no_earlier_year_says_so_rather_than_guess(tmp_path):
    ex = open_years(tmp_path, year_bills(2022, july=False), this_year())
    p = project(ex, "2022-06-30")
    assert (p.projected_rate, p.low_rate, p.high_rate, p.needed_daily) == (None, None, None, None)
    assert p.path.is_empty()
    assert p.reason == "历史数据不足，无法预测：数据中没有 2022 年以前的年份。"
    assert sentence(p) == p.reason


def test_a_year_the_extract_does_not_hold_from_january_is_left_out(tmp_path):
    # The extract starts with March 2019's bill, never paid (s = 1 on 30 June and at the end): had
    # 2019 been used, it would project 1 − 0.2 × 1 / 1 = 0.8 and move the median and the band.
    # 2020 and 2021 as in the band test.
    march_2019 = bill("C1M2019", "C1", "100.00", period="2019-03-01", issued_on="2019-03-05")
    ex = open_years(tmp_path, [march_2019, *year_bills(2020), *year_bills(2021), *year_bills(2022, july=False)],
                    [*slow(2020), *full(2021), *this_year()])
    p = project(ex, "2022-06-30")
    assert [(y.year, y.status) for y in p.years] == [(2019, "starts_later"), (2020, "used"), (2021, "used")]
    assert (p.projected_rate, p.low_rate, p.high_rate) == (
        pytest.approx(0.9375), pytest.approx(0.875), pytest.approx(1.0))


def test_a_year_the_extract_does_not_hold_to_31_december_is_left_out(tmp_path):
    # Postings stop on 28 July 2021 (the extract's latest): 2021 is not whole. D's year has its
    # January bill, nothing paid (s = 1): from 2020 alone, 1 − 1 × 0.25 / 0.4 = 0.375.
    ex = open_years(tmp_path, [*year_bills(2020), *year_bills(2021), *year_bills(2022, july=False)],
                    [*slow(2020), *slow(2021)])
    p = project(ex, "2022-06-30")
    assert [(y.year, y.status) for y in p.years] == [(2020, "used"), (2021, "ends_earlier")]
    assert p.projected_rate == pytest.approx(0.375)


def test_a_year_with_nothing_unpaid_on_its_day_cannot_be_scaled(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2021), *year_bills(2022, july=False)],
                    [paid(2021, "A", "100.00", "03-10"), *this_year()])
    p = project(ex, "2022-06-30")
    assert [(y.year, y.status) for y in p.years] == [(2021, "nothing_unpaid")]
    assert p.reason == "历史数据不足，无法预测：2021 年同日电费已全部收回，无未收回比例可推算。"


def test_a_year_with_no_bill_issued_by_its_day_is_left_out(tmp_path):
    # 2021's January bill came on 15 January; on 10 January it had billed nothing.
    late = bill("C1A2021", "C1", "100.00", period="2021-01-01", issued_on="2021-01-15")
    ex = open_years(tmp_path, [late, *year_bills(2022, july=False)],
                    [paid(2021, "A", "100.00", "03-10"), paid(2022, "A", "30.00", "01-08")])
    p = project(ex, "2022-01-10")
    assert [(y.year, y.status) for y in p.years] == [(2021, "nothing_billed")]
    assert p.reason == "历史数据不足，无法预测：2021 年同日尚无已发行电费。"


def test_nothing_billed_yet_this_year(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2021), *year_bills(2022, july=False)], slow(2021))
    p = project(ex, "2022-01-02")  # January's bill comes on the 5th
    assert p.billed == 0 and p.projected_rate is None
    assert p.reason == "2022 年截至当日尚无已发行电费，无法预测。"


def test_29_february_is_matched_by_28_february_in_a_common_year(tmp_path):
    # Every year: A 50 on 28 February, 30 on 29 February (a leap year) or 1 March (a common year),
    # 20 on 10 June; B 50 on 20 July, the rest never (s = 50 / 200 = 0.25 at the end).
    def year(y: int) -> list[dict]:
        leap = y % 4 == 0
        return [paid(y, "A", "50.00", "02-28"), paid(y, "A", "30.00", "02-29" if leap else "03-01"),
                paid(y, "A", "20.00", "06-10"), paid(y, "B", "50.00", "07-20")]

    bills = [b for y in (2020, 2021, 2022, 2023) for b in year_bills(y)] + year_bills(2024, july=False)
    payments = [p for y in (2020, 2021, 2022, 2023) for p in year(y)] + year(2024)[:2]
    ex = open_years(tmp_path, bills, payments)

    # D = 29 February 2024: D's year owes 20 of 100 (s = 0.2). 2020 is matched on its 29 February
    # (owes 20, s = 0.2): 1 − 0.2 × 0.25 / 0.2 = 0.75. The common years on 28 February (the 1 March
    # payment not yet in: owes 50, s = 0.5): 1 − 0.2 × 0.25 / 0.5 = 0.9.
    p = project(ex, "2024-02-29")
    assert [(y.year, y.matched_day) for y in p.years] == [
        (2020, d("2020-02-29")), (2021, d("2021-02-28")), (2022, d("2022-02-28")), (2023, d("2023-02-28"))]
    assert [y.projected_rate for y in p.years] == [pytest.approx(r) for r in (0.75, 0.9, 0.9, 0.9)]
    assert (p.projected_rate, p.low_rate, p.high_rate) == (
        pytest.approx(0.9), pytest.approx(0.75), pytest.approx(0.9))  # median of 0.75, 0.9, 0.9, 0.9

    # D = 28 February 2023 (a common year): 2020 is matched on 28 February, before its 29 February
    # payment (owes 50, s = 0.5), like 2021 and 2022; D's year owes 50 (s = 0.5): 1 − 0.5 × 0.25 / 0.5.
    p = project(ex, "2023-02-28")
    assert [y.matched_day for y in p.years] == [d("2020-02-28"), d("2021-02-28"), d("2022-02-28")]
    assert (p.projected_rate, p.low_rate, p.high_rate) == (pytest.approx(0.75),) * 3


# --- the collection needed --------------------------------------------------------------------

def test_the_daily_collection_needed_to_reach_the_target(tmp_path):
    bills = [*year_bills(2020), *year_bills(2021), *year_bills(2022, july=False)]
    payments = [*slow(2020), *full(2021), *this_year()]
    ex = open_years(tmp_path / "station", bills, payments, targets=[target(2022, 0.95)])
    # projected billed 200 (100 × 200 / 100 in both years), recovered 80:
    # (0.95 × 200 − 80) / 184 calendar days (1 July … 31 December)
    p = project(ex, "2022-06-30")
    assert (p.target, p.days_left) == (0.95, JUNE_30_TO_DEC_31)
    assert p.needed_daily == pytest.approx((0.95 * 200 - 80) / 184)
    assert sentence(p) == ("按 2020、2021 年同期的回收走势推算，2022 年底回收率预计 93.75 %（区间 87.50 % – 100.00 %）；"
                           "要达到目标 95.00 %，2022 年 7 月 1 日起至 12 月 31 日（共 184 个日历天）需日均回收 0.00 万元。")

    # the collector's own target replaces the station's: (0.9 × 200 − 80) / 184
    ex = open_years(tmp_path / "collector", bills, payments,
                    targets=[target(2022, 0.95), target(2022, 0.9, collector="李催费")])
    p = project(ex, "2022-06-30")
    assert (p.target, p.needed_daily) == (0.9, pytest.approx(100 / 184))


def test_no_collection_is_needed_once_the_target_is_reached(tmp_path):
    # No July bills in any year: the year-end billed stays 100, and 80 recovered ≥ 0.75 × 100.
    ex = open_years(tmp_path, [*year_bills(2021, july=False), *year_bills(2022, july=False)],
                    [paid(2021, "A", "60.00", "03-10"), paid(2021, "A", "40.00", "07-28"), *this_year()],
                    targets=[target(2022, 0.75)])
    p = project(ex, "2022-06-30")
    assert (p.projected_billed, p.projected_rate) == (pytest.approx(100), pytest.approx(1.0))
    assert p.needed_daily == 0
    assert sentence(p).endswith("；按预测的应收，已收回的电费已达到目标 75.00 %。")


def test_on_31_december_there_is_nothing_left_to_project(tmp_path):
    ex = open_years(tmp_path, [*year_bills(2021), *year_bills(2022)], [*slow(2021), *slow(2022)])
    p = project(ex, "2022-12-31")
    assert p.days_left == 0 and p.needed_daily is None
    assert p.projected_rate == pytest.approx(p.recovery_rate) == pytest.approx(0.75)
    assert sentence(p) == "今天是 12 月 31 日，年底回收率即当前的 75.00 %，无需预测。"


def test_a_scope_is_projected_from_its_own_history(tmp_path):
    # 千钢's C1 follows P1 in 2021; 城郊's C2 follows P2. Both paid 80 of January 2022 by 30 June.
    customers = [customer("C1"), customer("C2", station=CHENGJIAO)]
    bills = [*year_bills(2021), *year_bills(2022, july=False), *year_bills(2021, "C2"), *year_bills(2022, "C2", july=False)]
    payments = [*slow(2021), *this_year(), *full(2021, "C2"), *this_year(customer_id="C2")]
    ex = open_years(tmp_path, bills, payments, customers=customers)
    assert project(ex, "2022-06-30", Scope(stations=(QIANGANG,))).projected_rate == pytest.approx(0.875)
    assert project(ex, "2022-06-30", Scope(stations=(CHENGJIAO,))).projected_rate == pytest.approx(1.0)
    # both: s(D) = 40 / 200; 2021 owes 50 of 400 at its end and 80 of 200 on 30 June:
    # 1 − 0.2 × 0.125 / 0.4
    assert project(ex, "2022-06-30").projected_rate == pytest.approx(0.9375)


# --- the shipped sample, against a second computation ----------------------------------------

def curve_value(curve: pl.DataFrame, day: dt.date) -> tuple[float, float]:
    """Billed and unpaid of a year's curve (recovery_curve_daily) on a day."""
    row = curve.filter(pl.col("day") == day).row(0, named=True)
    return float(row["billed"]), float(row["billed"] - row["recovered"])


def month_end_in(year: int, day: dt.date) -> dt.date:
    """The last day of `day`'s month in `year` (a path point is matched to the same month's end)."""
    following = dt.date(year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@pytest.mark.parametrize("as_of", ["2022-06-30", "2022-06-10", "2022-02-28", "2022-03-01", "2022-01-31",
                                   "2021-11-17"])
@pytest.mark.parametrize("scope", [Scope(), Scope(stations=(QIANGANG,)), Scope(categories=("residential",))],
                         ids=["all", "station", "residential"])
def test_the_sample_agrees_with_the_earlier_years_curves(sample, as_of, scope):
    day = d(as_of)
    p = year_end_projection(sample, View(as_of=day, year=day.year, scope=scope))
    now = sample.query("recovery_summary", scope, as_of=day, year=day.year, group_by="total").row(0, named=True)
    assert (p.billed, p.recovered, p.target) == (now["billed"], now["recovered"], now["target"])

    share_now = float(now["billed"] - now["recovered"]) / float(now["billed"])
    by_year = {}
    for year in range(2020, day.year):  # the sample holds 2020 onwards whole
        curve = sample.query("recovery_curve_daily", scope, as_of=dt.date(year, 12, 31),
                             period_from=dt.date(year, 1, 1), period_to=dt.date(year, 12, 1))
        billed_m, unpaid_m = curve_value(curve, day.replace(year=year))
        by_year[year] = {t: 1 - share_now * (u / b) / (unpaid_m / billed_m) for t, (b, u) in (
            (t, curve_value(curve, month_end_in(year, t))) for t in p.path["day"].to_list()[1:])}
        billed_end = curve_value(curve, dt.date(year, 12, 31))[0]
        by_year[year]["billed"] = float(now["billed"]) * billed_end / billed_m
    assert p.years_used == sorted(by_year)
    end = dt.date(day.year, 12, 31)
    ends = [by_year[y][end] for y in sorted(by_year)]
    assert p.projected_rate == pytest.approx(statistics.median(ends), abs=1e-12)
    if len(ends) > 1:
        assert (p.low_rate, p.high_rate) == (pytest.approx(min(ends), abs=1e-12), pytest.approx(max(ends), abs=1e-12))
    for t, rate in zip(p.path["day"].to_list()[1:], p.path["rate"].to_list()[1:]):
        assert rate == pytest.approx(statistics.median(by_year[y][t] for y in by_year), abs=1e-12)
    projected_billed = statistics.median(by_year[y]["billed"] for y in by_year)
    assert p.projected_billed == pytest.approx(projected_billed, rel=1e-12)
    needed = max(0.0, now["target"] * projected_billed - float(now["recovered"])) / (end - day).days
    assert p.needed_daily == pytest.approx(needed, rel=1e-9)


def test_the_sample_projection_is_sensible(sample):
    d_ = sample.default_as_of
    p = year_end_projection(sample, View(as_of=d_, year=d_.year))
    assert p.years_used == [2020, 2021]
    # between the worst and best year-ends of the history, and above today's rate
    ends = [y.year_end_rate for y in p.years]
    assert min(ends) - 0.01 < p.low_rate <= p.projected_rate <= p.high_rate < 1
    assert p.projected_rate > p.recovery_rate
    # the year-end billed is about what the earlier years billed in their second half again
    assert 1.8 < p.projected_billed / float(p.billed) < 2.3
    assert 0 < p.needed_daily


# --- the home page ----------------------------------------------------------------------------

@pytest.mark.usefixtures("sample_env")
def test_home_page_draws_the_projection_with_its_caption(sample):
    at = open_page("pages/home.py")
    d_ = sample.default_as_of
    p = year_end_projection(sample, View(as_of=d_, year=d_.year))
    shown = [m.value for m in at.markdown]
    assert any(sentence(p) in text for text in shown)
    fig = figure(at, f"{d_.year} 年电费回收率（逐日）")
    traces = {t.get("name"): t for t in fig["data"]}
    path, band = traces["预测走势（月末）"], traces["预测区间"]
    assert values(path["y"]) == [fmt.percent(r) for r in p.path["rate"]]
    assert values(band["y"]) == [fmt.percent(r) for r in p.path["low"]]
    assert path["x"][-1].startswith(f"{d_.year}-12-31")

    # a past year needs no projection
    at.sidebar.selectbox(key="year").set_value(d_.year - 1).run()
    assert not at.exception
    assert not any("年底回收率预计" in m.value for m in at.markdown)
    names = {t.get("name") for t in figure(at, f"{d_.year - 1} 年电费回收率（逐日）")["data"]}
    assert "预测走势（月末）" not in names
