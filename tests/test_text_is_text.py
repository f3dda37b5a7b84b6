"""docs/DATA.md §4: text from the extract is always shown as text. A name with HTML, Markdown or a
spreadsheet formula in it shows as typed on every page, in every chart (plotly reads <a>, <b>,
<br> in any text), table, message, download, daily brief and meeting deck; a grouping value
over 40 characters is cut with … on screen and whole on hover and in the downloads; clicks on
odd or huge names still narrow the page to exactly that name."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from apptest import DASHBOARD, record_downloads
from queries import open_extract
from queries.summary import default_view
from reports import daily, deck
from reports import format as fmt
from reports.columns import col
from reports.xlsx import Sheet, sheet_name, write_csv, write_sheets
from tiny import bill, customer, payment, write_extract
from ui import charts

STATION = "[点我](https://evil.example)"
VILLAGE = '<a href="https://evil.example">村</a>'
INDUSTRY = "<b>粗</b>"
LINE = '=HYPERLINK("http://x","y")'
LONG = "长" * 300                  # a village far over 40 characters
LONG_TOO = "长" * 299 + "短"       # another one that reads the same once cut
BIG_STATION = "站" * 250           # over 200: a click carries a digest, not the name
COLLECTOR = "@SUM(1,2)"
FORMULA_ID = "=1+2"                # a customer id that Excel would compute
FORMULAS = {LINE, COLLECTOR, FORMULA_ID}
FORMULA_START = ("=", "+", "-", "@")
PAGES = ["pages/home.py", "pages/recovery.py", "pages/arrears.py", "pages/high_energy.py",
         "pages/collectors.py", "pages/data_quality.py"]


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> Path:
    """Four accounts with odd names, all owing on 2021-03-31 (the latest posting)."""
    industry = dict(category="large_industry", is_high_energy=True, industry=INDUSTRY)
    customers = [
        customer(FORMULA_ID, station=STATION, village=LONG, line=LINE, meter_reader=COLLECTOR,
                 customer_name="甲钢铁有限公司", transformer="<span style='color:red'>1#</span>", **industry),
        customer("C2", station=STATION, village=VILLAGE, line="10kV甲线", customer_name="乙硅业有限公司", **industry),
        customer("C3", station="千钢供电所", village="一村", line="10kV乙线"),
        customer("C4", station=BIG_STATION, village=LONG_TOO, line="10kV丙线"),
    ]
    bills, payments = [], []
    for i, c in enumerate(customers):
        cid = c["customer_id"]
        for month in ("2021-01-01", "2021-02-01", "2021-03-01"):
            bills.append(bill(f"b{i}{month[5:7]}", cid, "100.00", period=month, kwh=1000.0))
        payments.append(payment(f"p{i}", cid, f"b{i}01", "100.00", "2021-01-25 10:00:00"))
        payments.append(payment(f"q{i}", cid, f"b{i}02", "40.00", "2021-03-31 10:00:00"))
    return write_extract(tmp_path_factory.mktemp("odd") / "extract", customers, bills, payments)


@pytest.fixture
def made(odd, monkeypatch) -> dict:
    """The page reads the odd extract; every deferred download's callable, by file id."""
    monkeypatch.setenv("FEE_DATA_DIR", str(odd))
    return record_downloads(monkeypatch)


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.switch_page(page).run()
    assert not at.exception
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def figure(at: AppTest, title: str) -> dict:
    return next(f for f in figures(at) if f["layout"]["title"]["text"].startswith(title))


def downloads(at: AppTest, made: dict, label: str) -> list[bytes]:
    return [made[b.proto.deferred_file_id]() for b in at.get("download_button") if b.proto.label == label]


def xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def csv_cells(data: bytes) -> list[str]:
    return [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in row]


def check_figures(at: AppTest) -> str:
    """No data text reaches a figure as markup or whole beyond 40 characters."""
    text = json.dumps(figures(at), ensure_ascii=False)
    assert "<a " not in text and "<b>粗" not in text and "<span" not in text
    assert "长" * 41 not in text and "站" * 41 not in text
    return text


def check_tables(at: AppTest) -> None:
    for df in at.dataframe:
        for column in df.value.columns:
            for v in df.value[column].tolist():
                if isinstance(v, str):
                    assert "长" * 41 not in v and "站" * 41 not in v, (column, v[:50])


def check_downloads(at: AppTest, made: dict) -> None:
    """Each table's Excel holds formula-like names as strings and its CSV starts them with '."""
    sheets, tables = downloads(at, made, "下载 Excel"), downloads(at, made, "下载 CSV")
    assert sheets and len(sheets) == len(tables)
    cells = [c for data in sheets for c in xlsx_cells(data)]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    assert any(c.value in FORMULAS or c.value.startswith(FORMULA_ID + "：") for c in formula_like)
    values = [v for data in tables for v in csv_cells(data)]
    assert not [v for v in values if v.startswith(("=", "@"))]
    assert any(v.removeprefix("'") in FORMULAS or v.startswith("'" + FORMULA_ID + "：") for v in values)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_data_text_as_text(made, page):
    at = open_page(page)
    check_figures(at)
    check_tables(at)
    check_downloads(at, made)
    for element in [*at.markdown, *at.caption, *at.info, *at.success, *at.warning]:
        assert VILLAGE not in element.value and "](https://evil" not in element.value


def test_charts_escape_and_cut_names_and_keep_raw_keys(made):
    at = open_page("pages/arrears.py")
    bars = figure(at, "各村/社区欠费")["data"][0]
    labels = bars["y"]
    assert html.escape(VILLAGE, quote=False) in labels
    assert "长" * 40 + "…" in labels and "长" * 40 + "…（2）" in labels  # cut alike, kept apart
    assert len(set(labels)) == len(labels)
    keys = {tuple(c[:2]) for c in bars["customdata"]}
    assert (STATION, charts.key(VILLAGE)) in keys  # escaped; a click's key finds the raw name again
    assert (charts.key(STATION), charts.key(LONG)) in keys and len(charts.key(LONG)) < 100
    hover = {c[2] for c in bars["customdata"]}
    assert any(h.replace("<br>", "").startswith("长" * 200) for h in hover)  # whole (to 200) on hover
    tree = figure(at, "供电所 →")["data"][0]
    assert html.escape(VILLAGE, quote=False) in tree["labels"] and STATION in tree["labels"]

    at = open_page("pages/high_energy.py")
    text = check_figures(at)
    assert "&lt;b&gt;粗&lt;/b&gt;" in text


def test_a_click_on_an_odd_or_huge_name_narrows_the_account_list(made):
    at = open_page("pages/arrears.py")
    bars = figure(at, "各村/社区欠费")["data"][0]
    for village, ids in ((VILLAGE, ["C2"]), (LONG, [FORMULA_ID])):
        carried = next(c[:2] for c in bars["customdata"] if c[1] == charts.key(village))
        key = next(k for k in at.session_state._state._state.filtered_state if k.startswith("arrears_bars_"))
        at.session_state[key] = {"selection": {"points": [{"customdata": carried}], "point_indices": [0],
                                               "box": [], "lasso": []}}
        at.run()
        assert not at.exception
        listed = next(df.value for df in at.dataframe if "逾期天数" in df.value.columns)
        assert listed["户号"].tolist() == ids
        info = next(i.value for i in at.info if "已选" in i.value)
        assert "[点我]" not in info and "\\[点我\\]" in info  # Markdown escaped in the message
        check_figures(at)


def test_a_drill_through_odd_and_huge_names(made):
    at = open_page("pages/recovery.py")
    check_figures(at)

    def click(prefix: str, carried: str) -> None:
        chart = next(k for k in at.session_state._state._state.filtered_state
                     if k.startswith(prefix) and not k.endswith("_seen"))
        at.session_state[chart] = {"selection": {"points": [{"customdata": [carried]}], "point_indices": [0],
                                                 "box": [], "lasso": []}}
        at.run()
        assert not at.exception

    click("recovery_stations_", charts.key(BIG_STATION))
    lines = next(df.value for df in at.dataframe if "10kV 线路" in df.value.columns)
    assert lines["10kV 线路"].tolist() == ["10kV丙线"]
    assert figure(at, "站" * 40 + "… 各线路回收率")
    check_figures(at)
    at.button(key="recovery_crumb_all").click().run()

    click("recovery_stations_", STATION)
    lines = next(df.value for df in at.dataframe if "10kV 线路" in df.value.columns)
    assert sorted(lines["10kV 线路"].tolist()) == sorted([LINE, "10kV甲线"])
    assert at.button(key="recovery_crumb_station").label == fmt.markdown_text(STATION, streamlit=True)
    click("recovery_lines_", LINE)
    transformers = next(df.value for df in at.dataframe if "台区" in df.value.columns)
    assert transformers["台区"].tolist() == ["<span style='color:red'>1#</span>"]  # a table cell is text
    assert any(html.escape(LINE) in m.value for m in at.markdown)  # the breadcrumb's last step
    check_figures(at)


def test_filters_show_names_cut_and_filter_by_the_whole_name(made):
    at = open_page("pages/arrears.py")
    villages = at.sidebar.multiselect(key="village")
    assert len(set(villages.options)) == len(villages.options)
    assert all(len(o) <= 44 for o in villages.options)
    stations = at.sidebar.multiselect(key="station").options
    assert "站" * 40 + "…" in stations and STATION in stations
    villages.set_value([LONG_TOO]).run()
    assert not at.exception
    listed = next(df.value for df in at.dataframe if "逾期天数" in df.value.columns)
    assert listed["户号"].tolist() == ["C4"]
    at.sidebar.multiselect(key="village").set_value([VILLAGE]).run()
    title = figure(at, "各村/社区欠费")["layout"]["title"]["text"]
    assert html.escape(VILLAGE, quote=False) in title and "<a " not in title


def test_helpers():
    assert fmt.cut("长" * 41) == "长" * 40 + "…" and fmt.cut("长" * 40) == "长" * 40 and fmt.cut(None) is None
    assert fmt.distinct(["a" * 50, "a" * 51, "a" * 50, "b"]) == ["a" * 40 + "…", "a" * 40 + "…（2）", "a" * 40 + "…", "b"]
    assert fmt.plotly_text(VILLAGE) == "&lt;a href=\"https://evil.example\"&gt;村&lt;/a&gt;"
    assert fmt.plotly_text("&lt;") == "&amp;lt;"  # shows as typed, not as <
    assert fmt.plotly_hover("长" * 90).split("<br>") == ["长" * 40, "长" * 40, "长" * 10]
    assert fmt.csv_safe(pl.Series("a", [LINE, "+1", "-1", "@a", "\tx", "ok", None])).to_list() == [
        "'" + LINE, "'+1", "'-1", "'@a", "'\tx", "ok", None]
    assert fmt.markdown_text(STATION) == "\\[点我\\](https://evil.example)"
    assert fmt.markdown_text("张*明") == "张*明" and fmt.markdown_text("*粗*") == "\\*粗\\*"
    assert fmt.markdown_text("a|b\n# c") == "a｜b # c"
    assert fmt.markdown_text("<b>x</b> &amp;") == "\\<b\\>x\\</b\\> \\&amp;"
    literal = fmt.markdown_text(":material/home: $x$ :red[y]", streamlit=True)
    assert ":material/" not in literal and "$x$" not in literal and ":red[" not in literal
    name = sheet_name(f"'{STATION} 各线路回收率")
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\") and not name.startswith("'")
    assert charts.key("a" * 200) == "a" * 200 and charts.unkey(charts.key("a" * 201), ["b", "a" * 201]) == "a" * 201
    assert charts.key(VILLAGE) == fmt.plotly_text(VILLAGE) and charts.unkey(charts.key(VILLAGE), ["b", VILLAGE]) == VILLAGE


def test_excel_and_csv_keep_names_whole_and_never_as_formulas():
    frame = pl.DataFrame({"station": [STATION, "+1"], "village": [LONG, "http://x"], "line": [LINE, "@x"]})
    cols = [col("station"), col("village"), col("line")]
    cells = xlsx_cells(write_sheets([Sheet(f"{STATION} 各线路", frame, cols, f"{LINE} 各线路")], [f"范围：{LINE}"]))
    by_value = {c.value: c for c in cells}
    for value in (LINE, "+1", "@x", LONG, f"{LINE} 各线路", f"范围：{LINE}"):
        assert by_value[value].data_type == "s"
    assert by_value["http://x"].hyperlink is None
    assert csv_cells(write_csv(frame, cols))[3:] == [STATION, LONG, "'" + LINE, "'+1", "http://x", "'@x"]


def test_daily_brief_and_deck_show_names_as_text(odd, tmp_path):
    ex = open_extract(odd, cache_dir=tmp_path)
    report = daily.build(ex, default_view(ex))
    md = daily.to_markdown(report)
    assert "[点我](" not in md and "\\[点我\\](https://evil.example)" in md
    assert VILLAGE not in md and "\\<a href" in md and "长" * 41 not in md
    cells = xlsx_cells(daily.to_xlsx(report))
    assert [c.data_type for c in cells if c.value in FORMULAS] and all(
        c.data_type == "s" for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START))
    assert LONG in [c.value for c in cells]  # whole in the workbook

    pptx = deck.build_deck(ex, default_view(ex))
    with zipfile.ZipFile(io.BytesIO(pptx)) as z:
        slides = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/slide"))
        charts_xml = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/charts/chart"))
        embedded = [z.read(n) for n in z.namelist() if n.startswith("ppt/embeddings/")]
    assert "长" * 41 not in slides + charts_xml and "长" * 40 + "…" in charts_xml
    sheet_cells = [c for data in embedded for c in xlsx_cells(data)]
    line_cells = [c for c in sheet_cells if c.value == LINE]
    assert line_cells and all(c.data_type == "s" for c in line_cells)  # not a formula in 编辑数据
