"""The meeting deck (电费回收情况汇报): a 16:9 .pptx whose charts are native, editable
PowerPoint charts fed by the same query-layer calls as the dashboard's pages.

Every run of text, in shapes, tables and charts, carries the East Asian font (`<a:ea>`):
`font.name` alone only sets the Latin font and leaves Chinese to the viewer's fallback.
Names and phones stay masked: no call here asks for show_personal."""

from __future__ import annotations

import datetime as dt
import io
import math
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt
from xlsxwriter import Workbook

from queries import Extract, Scope, labels

from . import daily
from . import format as fmt

FONT = "Microsoft YaHei"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.35)

# the dashboard's palette (ui/charts.py)
GOOD, WARN, ALERT, NEUTRAL = RGBColor(0x2E, 0x8B, 0x6E), RGBColor(0xD9, 0x82, 0x2B), \
    RGBColor(0xB8, 0x3B, 0x3B), RGBColor(0x4F, 0x7C, 0xAC)
MUTED, TARGET = RGBColor(0xA7, 0xB6, 0xC6), RGBColor(0x6B, 0x77, 0x85)
INK, GREY, TILE = RGBColor(0x1F, 0x2A, 0x36), RGBColor(0x51, 0x60, 0x6E), RGBColor(0xF3, 0xF6, 0xF9)

TOP_GROUPS = 15          # villages / lines on the arrears charts
TOP_ACCOUNTS = 10        # rows of the arrears table
TABLE_ROWS = 12          # station rows per ranking slide
MAX_STATIONS_CHART = 30  # beyond this the rate chart shows the lowest rates
MAX_LABELLED = 12        # categories up to which bars carry data labels
ROW_HEIGHT = Inches(0.4)


# --- the numbers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeckData:
    """What the deck shows, straight from the query layer."""

    extract_name: str
    as_of: dt.date
    year: int
    scope: Scope
    scope_text: str
    total: dict
    curve: pl.DataFrame          # recovery_curve_daily: each day of the year up to as_of
    stations: pl.DataFrame       # daily.ranking by station (best rate first)
    months: pl.DataFrame         # recovery_by_month of year
    months_last_year: pl.DataFrame
    villages: pl.DataFrame       # recovery_summary by village
    lines: pl.DataFrame          # recovery_summary by line
    aging: pl.DataFrame
    high_energy: pl.DataFrame    # high_energy_monthly from January of year − 1
    top_accounts: pl.DataFrame   # arrears_accounts, masked


def collect(ex: Extract, as_of: dt.date | None, year: int | None, scope: Scope | None,
            scope_text: str | None) -> DeckData:
    as_of = as_of or ex.default_as_of
    if as_of is None:
        raise ValueError("数据中没有已入账的付款，无法确定截至日期；请指定截至日期。")
    year = year or as_of.year
    scope = scope or Scope()

    def summary(group_by: str) -> pl.DataFrame:
        return ex.query("recovery_summary", scope, as_of=as_of, year=year, group_by=group_by)

    curve = ex.query("recovery_curve_daily", scope, as_of=as_of,
                     period_from=dt.date(year, 1, 1), period_to=dt.date(year, 12, 1))
    high_energy = ex.query("high_energy_monthly", scope, as_of=as_of)
    return DeckData(
        extract_name=ex.name, as_of=as_of, year=year, scope=scope,
        scope_text=scope_text or daily.scope_text(scope),
        total=daily.total(ex, scope, as_of, year),
        curve=curve,
        stations=daily.ranking(ex, scope, as_of, year, "station", compare=False),
        months=ex.query("recovery_by_month", scope, as_of=as_of, year=year),
        months_last_year=ex.query("recovery_by_month", scope, as_of=as_of, year=year - 1),
        villages=summary("village"),
        lines=summary("line"),
        aging=ex.query("arrears_aging", scope, as_of=as_of),
        high_energy=high_energy.filter(pl.col("period") >= dt.date(year - 1, 1, 1)),
        top_accounts=ex.query("arrears_accounts", scope, as_of=as_of, show_personal=False, limit=TOP_ACCOUNTS),
    )


def percent(rate) -> float | None:
    """A rate as the truncated percentage the dashboard shows (CONTRACT §3)."""
    value = fmt.truncated_rate(rate)
    return None if value is None else float(value)


def wan_value(yuan) -> float:
    """Yuan as 万元 for a chart: the number the tiles show (reports.format.wan)."""
    return float(fmt.wan(yuan or 0, unit=False).replace(",", ""))


def top_arrears(df: pl.DataFrame, n: int = TOP_GROUPS) -> pl.DataFrame:
    """The n groups with the largest arrears; a label that names the station where needed."""
    top = df.filter(pl.col("arrears") > 0).sort(["arrears", "station", "member"], descending=[True, False, False],
                                                nulls_last=True).head(n)
    names = top["member"].fill_null(labels.UNREGISTERED)
    repeated = names.is_duplicated()
    label = [f"{fmt.cut(m)}（{fmt.cut(s)}）" if r else fmt.cut(m)
             for m, s, r in zip(names, top["station"], repeated)]
    return top.with_columns(pl.Series("label", label, dtype=pl.Utf8))


class _TextSheet(CategoryWorkbookWriter):
    """A chart's embedded sheet (PowerPoint's 编辑数据) with names written as text: python-pptx
    opens it with XlsxWriter's defaults, which turn "=…" into a formula and "http://…" into a
    link."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        yield workbook, workbook.add_worksheet()
        workbook.close()


class TextChartData(CategoryChartData):
    """CategoryChartData whose embedded sheet keeps text as text (_TextSheet)."""

    @property
    def _workbook_writer(self):
        return _TextSheet(self)


# --- text with the East Asian font ---------------------------------------------------------------

def east_asian(font, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None) -> None:
    """Latin and East Asian typeface (and size, weight, colour) on one run or default run."""
    font.name = FONT
    rpr = font._rPr  # python-pptx has no API for <a:ea>
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color


def write(frame, lines: list[str] | str, size: float, bold: bool = False, color: RGBColor = INK,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP) -> None:
    """Replace a text frame's text, one paragraph a line, every run in the deck's font."""
    lines = [lines] if isinstance(lines, str) else lines
    frame.clear()
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = align
        east_asian(p.font, size, bold, color)  # the paragraph's default: text typed later keeps the font
        run = p.add_run()
        run.text = line
        east_asian(run.font, size, bold, color)


def textbox(slide, x, y, w, h, lines, size: float, **kw):
    box = slide.shapes.add_textbox(x, y, w, h)
    write(box.text_frame, lines, size, **kw)
    return box


# --- slides ---------------------------------------------------------------------------------------

class Deck:
    def __init__(self, data: DeckData):
        self.data = data
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    @property
    def stamp(self) -> str:
        d = self.data
        return f"{d.scope_text}｜数据截至 {fmt.date_cn(d.as_of)}｜统计年度 {d.year} 年"

    def slide(self, title: str):
        s = self.prs.slides.add_slide(self.blank)
        textbox(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7), title, 28, bold=True)
        textbox(s, MARGIN, Inches(0.88), WIDTH - 2 * MARGIN, Inches(0.4), self.stamp, 14, color=GREY)
        n = len(self.prs.slides)
        textbox(s, MARGIN, HEIGHT - Inches(0.45), Inches(8), Inches(0.35),
                f"{labels.APP_TITLE}｜数据：{fmt.cut(self.data.extract_name)}", 11, color=GREY)
        textbox(s, WIDTH - MARGIN - Inches(1.5), HEIGHT - Inches(0.45), Inches(1.5), Inches(0.35),
                str(n), 11, color=GREY, align=PP_ALIGN.RIGHT)
        return s

    def note(self, slide, text: str) -> None:
        textbox(slide, MARGIN, Inches(3.2), WIDTH - 2 * MARGIN, Inches(1), text, 24, color=GREY,
                align=PP_ALIGN.CENTER)

    # --- chart plumbing
    def chart(self, slide, kind, categories: list, series: list[tuple[str, list, RGBColor]], title: str,
              x=MARGIN, y=BODY_TOP, w=None, h=None, number_format: str = "0.00",
              axis_format: str | None = None, labels_on: bool | int = False, legend: bool = True,
              value_range: tuple | None = None, axis_title: str | None = None):
        """A native chart; `labels_on` puts data labels on every series (True) or on the
        first n series (an int)."""
        data = TextChartData(number_format=number_format)
        data.categories = categories
        for name, values, _ in series:
            data.add_series(name, values)
        w = w or WIDTH - 2 * MARGIN
        h = h or HEIGHT - BODY_TOP - Inches(0.6)
        chart = slide.shapes.add_chart(kind, x, y, w, h, data).chart
        east_asian(chart.font, 14, color=INK)  # chartSpace default: every text of the chart
        chart.has_title = True
        write(chart.chart_title.text_frame, title, 18, bold=True, align=PP_ALIGN.CENTER)
        chart.has_legend = legend and len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.TOP
            chart.legend.include_in_layout = False
            east_asian(chart.legend.font, 14, color=INK)
        line_kinds = (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)
        for s, (_, _, color) in zip(chart.series, series):
            if kind in line_kinds:
                s.format.line.color.rgb = color
                s.format.line.width = Pt(3)
                s.smooth = False
                if kind == XL_CHART_TYPE.LINE_MARKERS:
                    s.marker.format.fill.solid()
                    s.marker.format.fill.fore_color.rgb = color
                    s.marker.format.line.color.rgb = color
            else:
                s.format.fill.solid()
                s.format.fill.fore_color.rgb = color
        for axis in (chart.category_axis, chart.value_axis):
            east_asian(axis.tick_labels.font, 14, color=INK)
            axis.format.line.color.rgb = MUTED
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE3, 0xE8, 0xEE)
        chart.value_axis.tick_labels.number_format = axis_format or number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        if value_range:
            chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = value_range
        if axis_title:
            chart.value_axis.has_title = True
            write(chart.value_axis.axis_title.text_frame, axis_title, 14, color=GREY, align=PP_ALIGN.CENTER)
        if kind in (XL_CHART_TYPE.BAR_STACKED, XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.COLUMN_CLUSTERED):
            chart.plots[0].gap_width = 60
        if kind in (XL_CHART_TYPE.BAR_STACKED, XL_CHART_TYPE.BAR_CLUSTERED):
            axis_option(chart.category_axis, "c:tickLblSkip", "1")  # every village / line named
            east_asian(chart.category_axis.tick_labels.font, 12)
        labelled = chart.series if labels_on is True else list(chart.series)[:int(labels_on)]
        for s in labelled:
            dl = s.data_labels
            dl.show_value = True
            dl.number_format, dl.number_format_is_linked = number_format, False
            east_asian(dl.font, 13, color=INK)
            if kind in line_kinds:
                dl.position = XL_LABEL_POSITION.BELOW  # this year's line runs under last year's
        return chart

    def table(self, slide, header: list[str], rows: list[list[str]], widths: list[float],
              right: set[int], y=BODY_TOP, size: float = 14):
        height = ROW_HEIGHT * (len(rows) + 1)
        shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, y, WIDTH - 2 * MARGIN, height)
        table = shape.table
        total = sum(widths)
        for j, w in enumerate(widths):  # shares of the slide's width
            table.columns[j].width = int((WIDTH - 2 * MARGIN) * w / total)
        for i, values in enumerate([header, *rows]):
            table.rows[i].height = ROW_HEIGHT
            for j, text in enumerate(values):
                cell = table.cell(i, j)
                cell.margin_left = cell.margin_right = Inches(0.06)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                write(cell.text_frame, str(text), size, bold=(i == 0), color=INK if i else RGBColor(0xFF, 0xFF, 0xFF),
                      align=PP_ALIGN.RIGHT if j in right else PP_ALIGN.LEFT, anchor=MSO_ANCHOR.MIDDLE)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = NEUTRAL if i == 0 else (TILE if i % 2 == 0 else RGBColor(0xFF, 0xFF, 0xFF))
        return table

    # --- the slides, in order
    def title_slide(self) -> None:
        d = self.data
        s = self.prs.slides.add_slide(self.blank)
        band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.2), WIDTH, Inches(1.6))
        band.fill.solid()
        band.fill.fore_color.rgb = NEUTRAL
        band.line.fill.background()
        write(band.text_frame, "电费回收情况汇报", 44, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF),
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        textbox(s, MARGIN, Inches(4.2), WIDTH - 2 * MARGIN, Inches(2.2), [
            f"范围：{d.scope_text}",
            f"数据截至 {fmt.date_cn(d.as_of)}｜统计年度 {d.year} 年",
            f"数据：{fmt.cut(d.extract_name)}",
        ], 22, color=INK, align=PP_ALIGN.CENTER)

    def headline_slide(self) -> None:
        t, m, y = self.data.total, labels.METRIC, self.data.year
        s = self.slide(f"{y} 年电费回收总体情况")
        tiles = [
            (f"{m['billed']}（万元）", fmt.wan(t["billed"], unit=False), f"{y} 年电费年月、已发行", NEUTRAL),
            (f"{m['recovered']}（万元）", fmt.wan(t["recovered"], unit=False), f"{y} 年电费已回收", GOOD),
            (f"{m['arrears']}（万元）", fmt.wan(t["arrears"], unit=False),
             f"当年 {fmt.wan(t['arrears_current_year'], unit=False)}｜往年 "
             f"{fmt.wan(t['arrears_prior_years'], unit=False)}", WARN),
            (f"{m['arrears_customers']}（户）", fmt.count(t["arrears_customers"], unit=""), "已逾期未结清", WARN),
            (f"本年度{m['recovery_rate']}", fmt.pct(t["recovery_rate"]),
             f"{m['target']} {fmt.pct(t['target'])}", GOOD),
            (m["prior_recovery_rate"], fmt.pct(t["prior_recovery_rate"]),
             f"{m['prior_opening']} {fmt.wan(t['prior_opening'])}", NEUTRAL),
            (m["cumulative_rate"], fmt.pct(t["cumulative_rate"]), "本年度与以前年度合计", NEUTRAL),
            (f"{m['prior_recovered']}（万元）", fmt.wan(t["prior_recovered"], unit=False), "年初陈欠中已回收", GOOD),
        ]
        cols, gap = 4, Inches(0.3)
        w = (WIDTH - 2 * MARGIN - gap * (cols - 1)) / cols
        h = Inches(2.45)
        for i, (label, value, sub, color) in enumerate(tiles):
            x = MARGIN + (w + gap) * (i % cols)
            top = BODY_TOP + Inches(0.25) + (h + gap) * (i // cols)
            box = s.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, int(x), int(top), int(w), int(h))
            box.adjustments[0] = 0.06
            box.fill.solid()
            box.fill.fore_color.rgb = TILE
            box.line.color.rgb = color
            box.line.width = Pt(2)
            tf = box.text_frame
            write(tf, [label, value, sub], 18, color=GREY, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
            east_asian(tf.paragraphs[1].runs[0].font, 30, bold=True, color=color)
            east_asian(tf.paragraphs[2].runs[0].font, 14, color=GREY)

    def curve_slide(self) -> None:
        d = self.data
        s = self.slide(f"{d.year} 年电费回收率逐日走势（%）")
        if d.curve.filter(pl.col("recovery_rate").is_not_null()).is_empty():
            return self.note(s, "范围内本年度尚无已发行电费。")
        rates = [percent(r) for r in d.curve["recovery_rate"]]
        target = percent(d.total["target"])
        low = max(0, math.floor(min(v for v in rates + [target] if v is not None) / 10) * 10)
        chart = self.chart(s, XL_CHART_TYPE.LINE, list(d.curve["day"]),
                           [(f"{labels.METRIC['recovery_rate']}（%）", rates, GOOD),
                            (f"{labels.METRIC['target']}（%）", [target] * len(rates), TARGET)],
                           f"{d.year} 年电费截至各日的回收率（%）", axis_format="0", value_range=(low, 100),
                           axis_title="回收率（%）")
        chart.series[1].format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        chart.series[1].format.line.width = Pt(2)
        axis = chart.category_axis
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = 'm"月"d"日"', False
        monthly_ticks(chart)

    def station_chart_slide(self) -> None:
        d = self.data
        s = self.slide(f"各供电所{labels.METRIC['recovery_rate']}与目标（%）")
        st = d.stations.filter(pl.col("recovery_rate").is_not_null())
        if st.is_empty():
            return self.note(s, "范围内没有供电所有本年度已发行电费。")
        title = f"{d.year} 年各供电所电费回收率（%）"
        if st.height > MAX_STATIONS_CHART:
            st = st.sort("recovery_rate").head(MAX_STATIONS_CHART).sort("recovery_rate", descending=True)
            title = f"{d.year} 年回收率最低的 {MAX_STATIONS_CHART} 个供电所（%）"
        rates, targets = [percent(r) for r in st["recovery_rate"]], [percent(r) for r in st["target"]]
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [fmt.cut(v) for v in st["station"]],
                   [(f"{labels.METRIC['recovery_rate']}（%）", rates, GOOD),
                    (f"{labels.METRIC['target']}（%）", targets, MUTED)],
                   title, labels_on=1 if st.height <= MAX_LABELLED else 0, axis_format="0.0",
                   value_range=(rate_floor(rates + targets), 100), axis_title="回收率（%）")

    def monthly_slide(self) -> None:
        d = self.data
        s = self.slide(f"各月电费回收率：{d.year} 年与 {d.year - 1} 年（%）")
        this, last = month_rates(d.months), month_rates(d.months_last_year)
        values = [v for v in this + last if v is not None]
        if not values:
            return self.note(s, "范围内没有这两年的已发行电费。")
        low = rate_floor(values)
        self.chart(s, XL_CHART_TYPE.LINE_MARKERS, [f"{m} 月" for m in range(1, 13)],
                   [(f"{d.year} 年", this, GOOD), (f"{d.year - 1} 年", last, MUTED)],
                   f"电费年月回收率（截至 {d.as_of:%Y-%m-%d}，%）", labels_on=1, axis_format="0.0",
                   value_range=(low, 100),
                   axis_title="回收率（%）")

    def arrears_groups_slide(self, df: pl.DataFrame, what: str) -> None:
        d = self.data
        top = top_arrears(df)
        count = f"（前 {top.height} 个）" if top.height else ""
        s = self.slide(f"欠费最多的{what}{count}：当年与往年（万元）")
        if top.is_empty():
            return self.note(s, "截至当日没有欠费。")
        top = top.reverse()  # a bar chart draws its first category at the bottom
        self.chart(s, XL_CHART_TYPE.BAR_STACKED, list(top["label"]),
                   [(f"{labels.METRIC['arrears_current_year']}（万元）",
                     [wan_value(v) for v in top["arrears_current_year"]], WARN),
                    (f"{labels.METRIC['arrears_prior_years']}（万元）",
                     [wan_value(v) for v in top["arrears_prior_years"]], ALERT)],
                   f"按{what}的欠费（截至 {d.as_of:%Y-%m-%d}，万元）", number_format="#,##0.00",
                   axis_format="#,##0", axis_title="欠费（万元）")

    def aging_slide(self) -> None:
        d = self.data
        s = self.slide("欠费账龄（万元）")
        ag = d.aging
        if ag.is_empty() or sum(ag["arrears"].to_list(), Decimal(0)) == 0:
            return self.note(s, "截至当日没有欠费。")
        cats = [f"{labels.AGING_BUCKET.get(b, b)}\n{fmt.count(n)}"
                for b, n in zip(ag["bucket"], ag["arrears_customers"])]
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                   [(f"{labels.METRIC['arrears']}（万元）", [wan_value(v) for v in ag["arrears"]], WARN)],
                   f"按逾期天数的欠费（截至 {d.as_of:%Y-%m-%d}，万元；分类下为欠费户数）", labels_on=True,
                   number_format="#,##0.00", axis_format="#,##0", axis_title="欠费（万元）")

    def high_energy_slide(self) -> None:
        d = self.data
        s = self.slide("高耗能企业：月度电费与平均电价")
        he = d.high_energy.filter(pl.col("customer_group") == "high_energy").sort("period")
        if he.is_empty():
            return self.note(s, "范围内没有高耗能企业的电费。")
        months = [f"{p:%Y-%m}" for p in he["period"]]
        half = (WIDTH - 2 * MARGIN - Inches(0.3)) / 2
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, months,
                   [("高耗能企业电费（万元）", [wan_value(v) for v in he["amount"]], NEUTRAL)],
                   "高耗能企业月度电费（万元）", w=int(half), number_format="#,##0.00", axis_format="#,##0",
                   axis_title="电费（万元）")
        other = d.high_energy.filter(pl.col("customer_group") == "other_large_industry")
        price_other = dict(zip(other["period"], other["price_per_kwh"]))
        series = [("高耗能企业", [price(v) for v in he["price_per_kwh"]], ALERT)]
        if price_other:
            series.append(("其他大工业", [price(price_other.get(p)) for p in he["period"]], MUTED))
        self.chart(s, XL_CHART_TYPE.LINE_MARKERS, months, series, "平均电价（元/kWh）",
                   x=int(MARGIN + half + Inches(0.3)), w=int(half), number_format="0.0000",
                   axis_format="0.00", axis_title="元/kWh")

    def accounts_slide(self) -> None:
        d = self.data
        s = self.slide(f"欠费前 {TOP_ACCOUNTS} 户（金额：万元；个人户名已脱敏）")
        if d.top_accounts.is_empty():
            return self.note(s, "截至当日没有欠费。")
        cut = fmt.cut
        rows = [[cut(r["customer_id"]), cut(r["customer_name"]) or "", cut(r["station"]),
                 cut(r["village"]) or labels.UNREGISTERED, cut(labels.CATEGORY.get(r["category"], r["category"])),
                 cut(r["collector"]) or labels.UNREGISTERED, fmt.wan(r["arrears"], unit=False),
                 fmt.wan(r["arrears_prior_years"], unit=False), f"{r['days_overdue']:,}"]
                for r in d.top_accounts.iter_rows(named=True)]
        self.table(s, ["户号", "户名", "供电所", "村/社区", "类别", "催费责任人", "欠费", "其中往年",
                       "逾期天数"], rows,
                   [1.7, 2.95, 1.45, 1.45, 0.85, 1.15, 0.9, 0.95, 0.95], right={6, 7, 8}, size=13)

    def ranking_slides(self) -> None:
        d = self.data
        st = d.stations
        pages = max(1, math.ceil(st.height / TABLE_ROWS))
        for page in range(pages):
            suffix = f"（{page + 1}/{pages}）" if pages > 1 else ""
            s = self.slide(f"供电所排名{suffix}（金额：万元；与目标差：百分点）")
            part = st.slice(page * TABLE_ROWS, TABLE_ROWS)
            if part.is_empty():
                self.note(s, "范围内没有供电所数据。")
                continue
            rows = [[str(r["rank"]), fmt.cut(r["station"]), fmt.pct(r["recovery_rate"]), fmt.pct(r["target"]),
                     daily.points(r["recovery_rate"], r["target"]),
                     fmt.pct(r["cumulative_rate"]), fmt.wan(r["billed"], unit=False),
                     fmt.wan(r["recovered"], unit=False), fmt.wan(r["arrears"], unit=False),
                     fmt.count(r["arrears_customers"], unit="")]
                    for r in part.iter_rows(named=True)]
            self.table(s, ["名次", "供电所", labels.METRIC["recovery_rate"], labels.METRIC["target"], "与目标差",
                           labels.METRIC["cumulative_rate"], "应收", "实收", labels.METRIC["arrears"],
                           labels.METRIC["arrears_customers"]], rows,
                       [0.7, 1.9, 1.3, 1.2, 1.1, 1.3, 1.45, 1.45, 1.1, 1.1], right=set(range(2, 10)))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def rate_floor(values: list[float]) -> float:
    """Where a rate axis starts: just below the lowest value, on a multiple of 5 when the
    range is wide, so differences near 100 % stay visible."""
    low = max(0, math.floor(min(values) - 0.5))
    return low if 100 - low <= 10 else low // 5 * 5


def month_rates(df: pl.DataFrame) -> list[float | None]:
    """Truncated percentages of bill months 1–12 (None for a month without bills)."""
    by_month = {p.month: percent(r) for p, r in zip(df["period"], df["recovery_rate"])}
    return [by_month.get(m) for m in range(1, 13)]


def price(value) -> float | None:
    return None if value is None else round(float(value), 4)


# Children of c:dateAx / c:catAx that python-pptx has no API for, each with the elements the
# schema puts after it (an element must go before the first of these that is present).
_AXIS_SUCCESSORS = {
    "c:baseTimeUnit": ("c:majorUnit", "c:majorTimeUnit", "c:minorUnit", "c:minorTimeUnit", "c:extLst"),
    "c:majorUnit": ("c:majorTimeUnit", "c:minorUnit", "c:minorTimeUnit", "c:extLst"),
    "c:majorTimeUnit": ("c:minorUnit", "c:minorTimeUnit", "c:extLst"),
    "c:tickLblSkip": ("c:tickMarkSkip", "c:noMultiLvlLbl", "c:extLst"),
}


def axis_option(axis, tag: str, val: str) -> None:
    ax = axis._element
    old = ax.find(qn(tag))
    if old is not None:
        ax.remove(old)
    el = OxmlElement(tag)
    el.set("val", val)
    following = [ax.find(qn(t)) for t in _AXIS_SUCCESSORS[tag]]
    following = [f for f in following if f is not None]
    if following:
        following[0].addprevious(el)
    else:
        ax.append(el)


def monthly_ticks(chart) -> None:
    """A date axis with one tick a month, so a year of days stays readable."""
    if chart.category_axis._element.tag == qn("c:dateAx"):
        for tag, val in (("c:baseTimeUnit", "days"), ("c:majorUnit", "1"), ("c:majorTimeUnit", "months")):
            axis_option(chart.category_axis, tag, val)


def render(data: DeckData) -> bytes:
    """The slides, in the order of the meeting: headline, then one key chart per page."""
    deck = Deck(data)
    deck.title_slide()
    deck.headline_slide()
    deck.curve_slide()
    deck.station_chart_slide()
    deck.monthly_slide()
    deck.arrears_groups_slide(data.villages, labels.DIMENSION["village"])
    deck.arrears_groups_slide(data.lines, labels.DIMENSION["line"])
    deck.aging_slide()
    deck.high_energy_slide()
    deck.accounts_slide()
    deck.ranking_slides()
    return deck.to_bytes()


def build_deck(ex: Extract, as_of: dt.date | None = None, year: int | None = None,
               scope: Scope | None = None, scope_text: str | None = None) -> bytes:
    """The meeting deck for `scope` as of `as_of` (default: the latest posting date)."""
    return render(collect(ex, as_of, year, scope, scope_text))
