"""The meeting deck (reports/deck.py, reports/pptx.py) on the hand-checked extract of test_reports_daily:
16:9, native charts fed by the query layer, the East Asian font on every run, no personal
data, and a PDF from LibreOffice with one page a slide. The year-end projection's slide on the
known curves of tests/curves.py, worked out by hand there."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from queries import Scope, View, open_extract
from queries.summary import default_view
from reports import deck
from reports import format as fmt
from reports.pptx import FONT
from test_reports_daily import COLLECTORS, D, PERSONAL, known_curves, personal_data, town  # noqa: F401 — fixtures

TITLES = [
    "电费回收情况汇报",
    "2022 年电费回收总体情况",
    "2022 年电费回收率逐日走势（%）",
    "2022 年底电费回收率预测（%）",
    "各供电所电费回收率与目标（%）",
    "各月电费回收率：2022 年与 2021 年（%）",
    "欠费最多的村/社区（前 2 个）：当年与往年（万元）",
    "欠费最多的10kV 线路（前 2 个）：当年与往年（万元）",
    "欠费账龄（万元）",
    "风险分级：各等级欠费户数与变化（与上月末 2022-02-28 相比）",
    "各供电所欠费按风险等级（万元）",
    "违约金敞口（万元）",
    "高耗能企业：月度电费与平均电价",
    "欠费前 10 户（金额：万元；个人户名已脱敏）",
    "供电所排名（金额：万元；与目标差：百分点）",
    "各催费责任人电费回收率与目标（%）",
    "催费责任人排名（金额：万元；与目标差：百分点）",
]
PROJECTION, STATIONS, MONTHLY, VILLAGES, LINES, AGING = TITLES[3:9]
RISK, RISK_STATIONS, PENALTY, HIGH_ENERGY, ACCOUNTS, RANKING, COLLECTOR_CHART, COLLECTOR_TABLE = TITLES[9:]


@pytest.fixture(scope="module")
def pptx_bytes(town):
    return deck.build_deck(town, View(as_of=D, year=2022, extract_name=town.name))


@pytest.fixture(scope="module")
def prs(pptx_bytes):
    return Presentation(io.BytesIO(pptx_bytes))


def title(slide) -> str:
    return slide.shapes[0].text_frame.text


def charts(prs, slide_title: str) -> list:
    slide = next(s for s in prs.slides if title(s) == slide_title)
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def values(chart, i: int = 0) -> list:
    return list(chart.plots[0].series[i].values)


def test_deck_is_16_9_with_one_slide_per_topic(prs):
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    assert [title(s) for s in prs.slides] == TITLES


def test_charts_are_native_and_of_the_expected_type(prs):
    expected = {
        TITLES[2]: [XL_CHART_TYPE.LINE],
        PROJECTION: [],  # the town's history is too short: words only
        STATIONS: [XL_CHART_TYPE.COLUMN_CLUSTERED],
        MONTHLY: [XL_CHART_TYPE.LINE_MARKERS],
        VILLAGES: [XL_CHART_TYPE.BAR_STACKED],
        LINES: [XL_CHART_TYPE.BAR_STACKED],
        AGING: [XL_CHART_TYPE.COLUMN_CLUSTERED],
        RISK_STATIONS: [XL_CHART_TYPE.BAR_STACKED],
        PENALTY: [XL_CHART_TYPE.BAR_CLUSTERED],
        HIGH_ENERGY: [XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.LINE_MARKERS],
        COLLECTOR_CHART: [XL_CHART_TYPE.COLUMN_CLUSTERED],
    }
    for slide_title, types in expected.items():
        assert [c.chart_type for c in charts(prs, slide_title)] == types, slide_title
    assert not any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for s in prs.slides for shape in s.shapes)


def test_station_rates_equal_the_query_layer(prs, town):
    (chart,) = charts(prs, STATIONS)
    q = town.query("ranking", Scope(), as_of=D, year=2022, group_by="station")
    assert list(chart.plots[0].categories) == q["station"].to_list() == ["乙所", "甲所"]
    assert values(chart, 0) == [deck.percent(r) for r in q["recovery_rate"]] == [72.78, 65.21]
    assert values(chart, 1) == [100.0, 99.0]  # targets: none set for 乙所, 99 % for 甲所


def test_curve_and_monthly_rates_equal_the_query_layer(prs, town):
    (curve,) = charts(prs, TITLES[2])
    q = town.query("recovery_curve_daily", Scope(), as_of=D, period_from=dt.date(2022, 1, 1),
                    period_to=dt.date(2022, 12, 1))
    assert values(curve) == [deck.percent(r) for r in q["recovery_rate"]]
    assert values(curve)[-1] == 72.55  # 16,550 / 22,810 on D
    (monthly,) = charts(prs, MONTHLY)
    by_month = town.query("recovery_by_month", Scope(), as_of=D, year=2022)
    assert values(monthly, 0)[:3] == [deck.percent(r) for r in by_month["recovery_rate"]]
    assert values(monthly, 0)[3:] == [None] * 9
    # last year is the same day a year earlier, 2021-03-10: 2021's bills B4 (Nov) and B8 (Dec)
    # were not issued yet, so the 2021 line is empty (as of today it would read 0 % and 100 %)
    assert values(monthly, 1) == [None] * 12
    assert "去年同期截至 2021-03-10" in monthly.chart_title.text_frame.text


def test_projection_slide_with_too_little_history_says_why_without_a_chart(prs):
    # the town's only earlier year, 2021, starts with November's bill (test_reports_daily)
    assert not charts(prs, PROJECTION)
    assert "历史数据不足，无法预测：2021 年的数据不是从 1 月开始。" in texts(prs, PROJECTION)


JUNE_30 = dt.date(2022, 6, 30)


def test_projection_slide_on_known_curves_worked_out_by_hand(known_curves):
    """tests/curves.py × 10,000, as of 30 June 2022: 2022's January bill (1,000,000) paid 800,000 on
    10 March, so its month ends read 0, 0, then 80 %; 2020 and 2021 project 87.5 % and 100 %
    from July's month end on (their mean 93.75 %), from 80 % on D; the target is 95 %; needed
    (0.95 × 2,000,000 − 800,000) ÷ 184 = 5,978.26 元 a day, 0.60 万元."""
    prs = Presentation(io.BytesIO(deck.build_deck(known_curves, View(as_of=JUNE_30, year=2022))))
    assert [title(s) for s in prs.slides][2:4] == ["2022 年电费回收率逐日走势（%）", PROJECTION]
    (chart,) = charts(prs, PROJECTION)
    assert list(chart.plots[0].categories) == [f"{m} 月" for m in range(1, 13)]  # month ends; D is 6 月's
    assert [s.name for s in chart.plots[0].series] == [
        "电费回收率（%）", "预测走势（%）", "预测区间（%）", "预测区间（%）", "回收目标（%）"]
    no = [None] * 5
    assert [values(chart, i) for i in range(5)] == [
        [0.0, 0.0, 80.0, 80.0, 80.0, 80.0] + [None] * 6,
        no + [80.0] + [93.75] * 6,
        no + [80.0] + [87.5] * 6,
        no + [80.0] + [100.0] * 6,
        [95.0] * 12,
    ]
    legend = chart.legend._element.xml
    assert re.search(r'<c:legendEntry>\s*<c:idx val="3"/>\s*<c:delete val="1"/>', legend)  # the band named once
    shown = texts(prs, PROJECTION)
    assert "预测年底回收率\n93.75 %\n区间 87.50 % – 100.00 %" in shown
    assert "截至 6 月 30 日回收率\n80.00 %\n回收目标 95.00 %" in shown
    assert "需日均回收（万元）\n0.60\n为达到目标，7 月 1 日起共 184 天" in shown
    assert ("按 2020、2021 年同期的回收走势推算，2022 年底回收率预计 93.75 %（区间 87.50 % – 100.00 %）；"
            "要达到目标 95.00 %，2022 年 7 月 1 日起至 12 月 31 日（共 184 个日历天）需日均回收 0.60 万元。") in shown


def test_projection_slide_is_of_ds_year_and_says_so_on_31_december(known_curves):
    # a deck of 统计年度 2021 as of 30 June 2022 projects 2022, along 2022's curve
    data = deck.collect(known_curves, View(as_of=JUNE_30, year=2021))
    assert data.projection.year == 2022 and data.projection.projected_rate == pytest.approx(0.9375)
    assert data.projection_curve.equals(known_curves.query(
        "recovery_curve_daily", Scope(), as_of=JUNE_30, period_from=dt.date(2022, 1, 1), period_to=dt.date(2022, 12, 1)))
    prs = Presentation(io.BytesIO(deck.render(data)))
    assert title(prs.slides[3]) == PROJECTION and charts(prs, PROJECTION)
    # on 31 December the year's rate is its year-end rate: 800,000 of 1,000,000
    prs = Presentation(io.BytesIO(deck.build_deck(known_curves, View(as_of=dt.date(2022, 12, 31), year=2022))))
    assert not charts(prs, PROJECTION)
    assert "今天是 12 月 31 日，年底回收率即当前的 80.00 %，无需预测。" in texts(prs, PROJECTION)


def test_last_year_is_the_same_day_a_year_earlier(town):
    """Year 2022 as of 2023-01-20: 2021's months as of 2022-01-20 — B8 (Dec, 9,000) was paid
    on 2022-01-10, B4 (Nov, 80) never: 0 % and 100 %."""
    view = View(as_of=dt.date(2023, 1, 20), year=2022)
    data = deck.collect(town, view)
    assert view.last_year == dt.date(2022, 1, 20)
    assert data.months_last_year.equals(town.query("recovery_by_month", Scope(), as_of=view.last_year, year=2021))
    assert deck.month_rates(data.months_last_year)[10:] == [0.0, 100.0]


def test_arrears_bars_are_current_and_prior_years_in_wan(prs, town):
    (chart,) = charts(prs, VILLAGES)
    q = town.query("recovery_summary", Scope(), as_of=D, year=2022, group_by="village")
    top = deck.top_arrears(q).reverse()  # largest on top: a bar chart lists categories bottom-up
    assert list(chart.plots[0].categories) == top["label"].to_list() == ["一村", "三村"]
    assert values(chart, 0) == deck.wan(top["arrears_current_year"]) == [0.02, 0.6]
    assert values(chart, 1) == deck.wan(top["arrears_prior_years"]) == [0.0, 0.01]


def test_aging_and_high_energy_equal_the_query_layer(prs, town):
    (aging,) = charts(prs, AGING)
    q = town.query("arrears_aging", Scope(), as_of=D)
    assert values(aging) == deck.wan(q["arrears"])
    amount, price = charts(prs, HIGH_ENERGY)
    he = town.query("high_energy_monthly", Scope(), as_of=D).filter(customer_group="high_energy").sort("period")
    assert list(amount.plots[0].categories) == ["2021-12", "2022-01", "2022-02"]
    assert values(amount) == deck.wan(he["amount"]) == [0.9, 1.0, 1.2]
    assert values(price) == [0.4737, 0.5, 0.5714]  # 9,000 / 19,000 kWh …


def table_rows(prs, slide_title: str) -> list[list[str]]:
    slide = next(s for s in prs.slides if title(s) == slide_title)
    (shape,) = [sh for sh in slide.shapes if sh.has_table]
    return [[c.text for c in row.cells] for row in shape.table.rows]


def test_tables_of_accounts_and_stations(prs):
    accounts = table_rows(prs, ACCOUNTS)
    assert accounts[0][2] == "风险等级"
    assert [r[:3] for r in accounts[1:]] == [["C4", "乌海某铁合金有限公司", "低"], ["C1", "张*明", "低"],
                                             ["C3", "赵*海", "高"]]
    stations = table_rows(prs, RANKING)
    assert [r[:3] for r in stations[1:]] == [["1", "乙所", "72.78 %"], ["2", "甲所", "65.21 %"]]


def texts(prs, slide_title: str) -> list[str]:
    slide = next(s for s in prs.slides if title(s) == slide_title)
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_risk_slide_worked_out_by_hand(prs):
    """test_reports_daily's town: C3 高 (100 元), C1 and C4 低 (150 + 6,000); at the end of
    February C1 was 中 and C2 低: 高 1 → 1, 中 1 → 0, 低 2 → 2; C1 went down, C2 cleared."""
    shown = texts(prs, RISK)
    assert f"高风险（户）\n1\n欠费 {fmt.wan(Decimal('100'))}｜与上月末持平" in shown
    assert f"中风险（户）\n0\n欠费 {fmt.wan(Decimal('0'))}｜较上月末 -1 户" in shown
    assert f"低风险（户）\n2\n欠费 {fmt.wan(Decimal('6150'))}｜与上月末持平" in shown
    for kind, n in (("升级", 0), ("降级", 1), ("新增", 0), ("结清", 1)):
        assert any(t.startswith(f"{kind}（户）\n{n}\n") for t in shown), kind
    assert any(t.startswith("高：有欠费逾期超过 90 天") for t in shown)  # the rule with its thresholds


def test_risk_by_station_and_penalty_charts_worked_out_by_hand(prs):
    (chart,) = charts(prs, RISK_STATIONS)
    # largest on top (a bar chart lists bottom-up): 乙所 6,100 (C3 高 100, C4 低 6,000), 甲所 150 (C1 低)
    assert list(chart.plots[0].categories) == ["甲所", "乙所"]
    assert [s.name for s in chart.plots[0].series] == ["高风险", "中风险", "低风险"]
    assert [values(chart, i) for i in range(3)] == [[0.0, 0.01], [0.0, 0.0], [0.02, 0.6]]
    shown = texts(prs, PENALTY)
    # 2.70 + 8.80 + 1.00 + 216.00 = 228.50 on 4 bills
    assert f"违约金敞口（万元）\n{fmt.wan(Decimal('228.50'), unit=False)}\n计违约金笔数 4 笔" in shown
    assert any("居民每日 1‰" in t and "当年每日 2‰、跨年每日 3‰" in t and "不足 1.00 元" in t for t in shown)
    (chart,) = charts(prs, PENALTY)
    assert list(chart.plots[0].categories) == ["甲所", "乙所"]
    assert values(chart) == deck.wan([Decimal("2.70"), Decimal("225.80")]) == [0.0, 0.02]


def test_collector_chart_and_table_in_the_ranking_order(prs, town):
    (chart,) = charts(prs, COLLECTOR_CHART)
    q = town.query("ranking", Scope(), as_of=D, year=2022, group_by="collector")
    assert list(chart.plots[0].categories) == q["member"].to_list() == ["周收费", "李催费"]
    assert values(chart, 0) == [72.78, 65.21] and values(chart, 1) == [100.0, 99.0]
    rows = table_rows(prs, COLLECTOR_TABLE)
    assert rows[0][:6] == ["名次", "供电所", "抄表催费责任人", "电费回收率", "回收目标", "与目标差"]
    assert [r[:6] for r in rows[1:]] == [["1", "乙所", "周收费", "72.78 %", "100.00 %", "-27.21"],
                                         ["2", "甲所", "李催费", "65.21 %", "99.00 %", "-33.78"]]


def parts(pptx_bytes: bytes) -> dict[str, str]:
    """Every XML part of the deck, and of the workbooks embedded behind its charts."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(pptx_bytes)) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith(".xml"):
                out[name] = data.decode("utf-8")
            elif name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    for n in inner.namelist():
                        if n.endswith(".xml"):
                            out[f"{name}/{n}"] = inner.read(n).decode("utf-8")
    return out


def test_every_run_of_text_has_the_east_asian_font(pptx_bytes):
    xml = parts(pptx_bytes)
    checked = 0
    for name, text in xml.items():
        if not re.match(r"ppt/(slides/slide|charts/chart)\d+\.xml$", name):
            continue
        props = re.findall(r"<a:(?:rPr|defRPr)\b[^>]*?(?:/>|>.*?</a:(?:rPr|defRPr)>)", text, re.S)
        assert props, name
        for p in props:
            assert f'<a:ea typeface="{FONT}"/>' in p, (name, p)
        checked += len(props)
        if "/charts/" in name:  # the chart's default text properties, for what has none of its own
            assert re.search(r"<c:chartSpace.*<c:txPr>.*<a:ea typeface", text, re.S)
    assert checked > 100


def test_no_personal_data_anywhere_in_the_deck(pptx_bytes):
    xml = parts(pptx_bytes)
    for name, text in xml.items():
        for secret in PERSONAL:
            assert secret not in text, (name, secret)
    for collector in COLLECTORS:  # staff, named on purpose: the check can see a name where there is one
        assert any(collector in text for text in xml.values())


def test_a_station_scope_and_an_empty_scope(town):
    one = Presentation(io.BytesIO(deck.build_deck(town, View(as_of=D, year=2022, scope=Scope(stations=("甲所",))))))
    (chart,) = charts(one, STATIONS)
    assert list(chart.plots[0].categories) == ["甲所"] and values(chart) == [65.21]
    assert "范围：甲所" in one.slides[0].shapes[1].text_frame.text
    empty = Presentation(io.BytesIO(deck.build_deck(town, View(as_of=D, year=2022, scope=Scope(stations=("无",))))))
    assert len(empty.slides) == len(TITLES)
    assert not any(shape.has_chart for s in empty.slides for shape in s.shapes)


def test_the_views_year_is_the_decks_year(town):
    data = deck.collect(town, View(as_of=D, year=2021))
    assert data.scope_text == "全部供电所" and data.total["billed"] == Decimal("9080.00")
    assert data.total["arrears"] == Decimal("6250.00")  # arrears are of every year
    prs = Presentation(io.BytesIO(deck.render(data)))
    assert title(prs.slides[1]) == "2021 年电费回收总体情况"
    assert "统计年度 2021" in prs.slides[0].shapes[1].text_frame.text


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice is not on PATH")
def test_libreoffice_renders_one_page_per_slide(pptx_bytes, prs, tmp_path):
    src = tmp_path / "deck.pptx"
    src.write_bytes(pptx_bytes)
    # an own profile, so a LibreOffice running elsewhere on the machine does not swallow the job
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(["libreoffice", f"-env:UserInstallation={profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "deck.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == len(prs.slides)


def test_many_stations_page_the_ranking_and_cap_the_chart(tmp_path):
    from tiny import bill, customer, payment, write_extract

    n = 32
    ex = open_extract(write_extract(
        tmp_path / "x",
        [customer(f"C{i:02d}", f"第{i:02d}供电所", meter_reader=f"催费员{i:02d}") for i in range(n)],
        [bill(f"B{i:02d}", f"C{i:02d}", "1000.00", "2022-02-01") for i in range(n)],
        # station i recovers 1,000 − 7·i of 1,000: the lower the number, the better the rate
        [payment(f"P{i:02d}", f"C{i:02d}", f"B{i:02d}", f"{1000 - 7 * i}.00", "2022-02-10 09:00:00")
         for i in range(n)]), cache_dir=tmp_path / "cache")
    prs = Presentation(io.BytesIO(deck.build_deck(ex, default_view(ex))))
    titles = [title(s) for s in prs.slides]
    assert titles[-5:-2] == [f"供电所排名（{k}/3）（金额：万元；与目标差：百分点）" for k in (1, 2, 3)]
    assert [len(table_rows(prs, t)) - 1 for t in titles[-5:-2]] == [12, 12, 8]
    # one collector a station: 32 collectors, the chart shows the first and the last 15, the table 6 and 6
    assert titles[-2:] == ["各催费责任人电费回收率与目标（前 15 名与后 15 名，共 32 人；%）",
                           "催费责任人排名（前 6 名与后 6 名，共 32 人；金额：万元）"]
    (collectors,) = charts(prs, titles[-2])
    assert list(collectors.plots[0].categories) == [f"催费员{i:02d}" for i in (*range(15), *range(17, 32))]
    assert [r[0] for r in table_rows(prs, titles[-1])[1:]] == ["1", "2", "3", "4", "5", "6", "…",
                                                                "27", "28", "29", "30", "31", "32"]
    (chart,) = charts(prs, STATIONS)
    assert chart.chart_title.text_frame.text == f"2022 年回收率最低的 {deck.MAX_STATIONS_CHART} 个供电所（%）"
    assert list(chart.plots[0].categories)[-1] == "第31供电所" and len(values(chart)) == deck.MAX_STATIONS_CHART
    assert not chart.plots[0].series[0].data_labels.show_value


def test_sample_deck_equals_the_query_layer_and_shows_no_real_name_or_phone(sample):
    as_of = sample.default_as_of
    pptx_bytes = deck.build_deck(sample, default_view(sample))
    prs = Presentation(io.BytesIO(pptx_bytes))
    assert len(prs.slides) == len(TITLES)
    (chart,) = charts(prs, STATIONS)
    q = sample.query("ranking", Scope(), as_of=as_of, year=as_of.year, group_by="station")
    assert list(chart.plots[0].categories) == q["station"].to_list()
    assert values(chart) == [deck.percent(r) for r in q["recovery_rate"]]
    (aging,) = charts(prs, "欠费账龄（万元）")
    assert values(aging) == deck.wan(sample.query("arrears_aging", Scope(), as_of=as_of)["arrears"])

    names, phones = personal_data(sample)
    xml = parts(pptx_bytes)
    texts = {t for x in xml.values() for t in re.findall(r"<(?:a:t|c:v|t)(?: [^>]*)?>([^<]*)</", x)}
    assert not texts & names
    assert not [p for p in phones for x in xml.values() if p in x]
