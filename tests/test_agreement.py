"""One view, the same figures everywhere: for a 统计年度 that is not the as-of date's year
(2021, as of 2022-06-30) and two stations of the shipped sample, the home page, its daily
report and meeting deck downloads, the daily report (reports.daily.build), the deck's data
(reports.deck.collect) and the recovery page agree on every figure they share.

Both stations recover all their 2021 bills by 2022-06-30 (100 % against a 99.99 % target),
so the one order of ranking.sql puts them by arrears: 巴音陶亥 (502,640.67) before 城郊
(444,982.25), though 城 comes first by name."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from pptx import Presentation

from apptest import figure, open_page, record_downloads
from queries import Scope, View, labels
from reports import daily, deck
from reports import format as fmt

pytestmark = pytest.mark.usefixtures("sample_env")

AS_OF, YEAR = dt.date(2022, 6, 30), 2021
STATIONS = ["城郊供电所", "巴音陶亥供电所"]
RANKED = ["巴音陶亥供电所", "城郊供电所"]


@pytest.fixture
def view(sample) -> View:
    return View(as_of=AS_OF, year=YEAR, scope=Scope(stations=tuple(STATIONS)), extract_name=sample.name)


@pytest.fixture
def made(monkeypatch) -> dict:
    return record_downloads(monkeypatch)


def filtered(page: str):
    at = open_page(page)
    at.sidebar.date_input(key="as_of").set_value(AS_OF).run()
    at.sidebar.selectbox(key="year").set_value(YEAR).run()
    at.sidebar.multiselect(key="station").set_value(STATIONS).run()
    assert not at.exception
    return at


def download(at, made: dict, label: str) -> bytes:
    (button,) = [b for b in at.get("download_button") if b.proto.label == label]
    return made[button.proto.deferred_file_id]()


def slide_texts(pptx_bytes: bytes) -> list[list[str]]:
    """Each slide's text: its shapes' text and its tables' cells (charts are checked by data)."""
    out = []
    for slide in Presentation(io.BytesIO(pptx_bytes)).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
        out.append(texts)
    return out


def ranking_table(pptx_bytes: bytes) -> list[list[str]]:
    """The deck's station ranking (one slide for two stations), header first."""
    (slide,) = [s for s in Presentation(io.BytesIO(pptx_bytes)).slides
                if s.shapes[0].text_frame.text.startswith(f"{labels.DIMENSION['station']}排名")]
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    return [[c.text for c in row.cells] for row in table.rows]


def test_home_page_daily_report_and_deck_agree(sample, view, made):
    at = filtered("pages/home.py")
    report, data = daily.build(sample, view), deck.collect(sample, view)
    t = report.total

    # the figures of the tiles: the year's billed and recovered, the rate, arrears, accounts
    for total in (report.total, data.total):
        assert [m.value for m in at.metric][:5] == [
            fmt.wan(total["billed"], unit=False), fmt.wan(total["recovered"], unit=False),
            fmt.pct(total["recovery_rate"]), fmt.wan(total["arrears"], unit=False),
            fmt.count(total["arrears_customers"], unit="")]
    assert at.metric[0].label.startswith(f"{YEAR} 年") and at.metric[5].value == fmt.wan(
        report.today["collected"], unit=False)
    assert (t["billed"], t["target"]) == (data.total["billed"], data.total["target"])

    # the station ranking: rows, order, rank, target, gap and changes
    table = pl.from_pandas(at.dataframe[0].value)
    for stations in (report.stations, data.stations):
        assert table["供电所"].to_list() == stations["station"].to_list() == RANKED
        assert table["名次"].to_list() == stations["rank"].to_list() == [1, 2]
        assert table["与目标差（百分点）"].to_list() == [float(fmt.truncated_points(g)) for g in stations["gap_to_target"]]
        assert table["回收目标"].to_list() == [float(fmt.truncated_rate(r)) for r in stations["target"]]
        assert table["欠费（元）"].to_list() == stations["arrears"].cast(pl.Float64).to_list()
        assert table["欠费户数"].to_list() == stations["arrears_customers"].to_list()
    assert table["电费回收率较昨日（百分点）"].to_list() == [float(fmt.truncated_points(c))
                                                      for c in report.stations["rate_change"]]
    assert table["欠费较昨日（元）"].to_list() == report.stations["arrears_change"].cast(pl.Float64).to_list()

    # the page's downloads are the report and the deck of the same view (统计年度 2021)
    text = download(at, made, "日报文本").decode("utf-8")
    assert text == daily.to_markdown(report)
    assert f"{YEAR} 年{labels.METRIC['billed']} {fmt.wan(t['billed'])}" in text
    assert f"与目标差 {fmt.points(t['gap_to_target'], unit=True)}" in text
    slides = slide_texts(download(at, made, "下载会议汇报（PPT）"))
    assert slides == slide_texts(deck.render(data))
    assert slides[1][0] == f"{YEAR} 年电费回收总体情况"
    header, *rows = ranking_table(download(at, made, "下载会议汇报（PPT）"))
    assert [r[header.index("供电所")] for r in rows] == RANKED
    assert [r[header.index("与目标差")] for r in rows] == [fmt.points(g) for g in report.stations["gap_to_target"]]
    assert [r[header.index("应收电费")] for r in rows] == [fmt.wan(v, unit=False) for v in report.stations["billed"]]


def test_recovery_page_and_deck_agree_on_this_and_last_year(sample, view):
    at = filtered("pages/recovery.py")
    report, data = daily.build(sample, view), deck.collect(sample, view)
    t = report.total
    assert at.metric[0].value == fmt.pct(t["recovery_rate"]) == fmt.pct(data.total["recovery_rate"])
    assert at.metric[0].delta == f"{fmt.points(t['gap_to_target'], unit=True)} 较目标"
    assert at.metric[3].value == fmt.pct(t["target"])
    stations = next(df.value for df in at.dataframe if "供电所" in df.value.columns)
    assert stations["供电所"].tolist() == report.stations["station"].to_list() == RANKED

    # last year is the same day a year earlier (2021-06-30) for the page and the deck alike
    months = {trace["name"]: trace for trace in figure(at, f"{YEAR} 年各月电费回收率")["data"]}
    last = next(trace for name, trace in months.items() if name.startswith("去年同期"))
    assert "截至 2021-06-30" in next(name for name in months if name.startswith("去年同期"))
    by_month = dict(enumerate(deck.month_rates(data.months_last_year), start=1))
    assert last["x"] == list(range(1, 13))
    assert last["y"] == [by_month[m] for m in last["x"]]
    this_year = months[f"{YEAR} 年"]
    by_month = dict(enumerate(deck.month_rates(data.months), start=1))
    assert this_year["y"] == [by_month[m] for m in this_year["x"]]
