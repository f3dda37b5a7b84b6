"""python-pptx plumbing for the meeting deck (reports/deck.py holds the slides): a 16:9
presentation, text boxes, tables and native, editable charts in the dashboard's palette.

Every run of text, in shapes, tables and charts, carries the East Asian font (`<a:ea>`):
`font.name` alone only sets the Latin font and leaves Chinese to the viewer's fallback."""

from __future__ import annotations

import io
from contextlib import contextmanager

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt
from xlsxwriter import Workbook

from . import style

FONT = "Microsoft YaHei"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.35)
ROW_HEIGHT = Inches(0.4)
BLANK_LAYOUT = 6


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.removeprefix("#"))


WHITE, GRIDLINE = rgb("#FFFFFF"), rgb("#E3E8EE")
INK, GREY, TILE = rgb(style.INK), rgb(style.GREY), rgb(style.TILE)


def presentation():
    """An empty 16:9 presentation (python-pptx's default template is 4:3)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    return prs


def blank_slide(prs):
    return prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])


def to_bytes(prs) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


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


# --- tables ----------------------------------------------------------------------------------------

def table(slide, header: list[str], rows: list[list[str]], widths: list[float], right: set[int],
          y=BODY_TOP, size: float = 14):
    """A table across the slide: a coloured header row, banded rows; `widths` are shares of
    the slide's width, `right` the columns aligned right (numbers)."""
    height = ROW_HEIGHT * (len(rows) + 1)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, y, WIDTH - 2 * MARGIN, height)
    grid = shape.table
    total = sum(widths)
    for j, w in enumerate(widths):
        grid.columns[j].width = int((WIDTH - 2 * MARGIN) * w / total)
    for i, values in enumerate([header, *rows]):
        grid.rows[i].height = ROW_HEIGHT
        for j, text in enumerate(values):
            cell = grid.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.06)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            write(cell.text_frame, str(text), size, bold=(i == 0), color=INK if i else WHITE,
                  align=PP_ALIGN.RIGHT if j in right else PP_ALIGN.LEFT, anchor=MSO_ANCHOR.MIDDLE)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = rgb(style.NEUTRAL) if i == 0 else (TILE if i % 2 == 0 else WHITE)
    return grid


# --- native charts -----------------------------------------------------------------------------------

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


LINE_KINDS = (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)
BAR_KINDS = (XL_CHART_TYPE.BAR_STACKED, XL_CHART_TYPE.BAR_CLUSTERED)


def chart(slide, kind, categories: list, series: list[tuple[str, list, str]], title: str,
          x=MARGIN, y=BODY_TOP, w=None, h=None, number_format: str = "0.00",
          axis_format: str | None = None, labels_on: bool | int = False, legend: bool = True,
          value_range: tuple | None = None, axis_title: str | None = None):
    """A native chart; each series is (name, values, a palette colour). `labels_on` puts
    data labels on every series (True) or on the first n series (an int)."""
    data = TextChartData(number_format=number_format)
    data.categories = categories
    for name, values, _ in series:
        data.add_series(name, values)
    w = w or WIDTH - 2 * MARGIN
    h = h or HEIGHT - BODY_TOP - Inches(0.6)
    drawn = slide.shapes.add_chart(kind, x, y, w, h, data).chart
    east_asian(drawn.font, 14, color=INK)  # chartSpace default: every text of the chart
    drawn.has_title = True
    write(drawn.chart_title.text_frame, title, 18, bold=True, align=PP_ALIGN.CENTER)
    drawn.has_legend = legend and len(series) > 1
    if drawn.has_legend:
        drawn.legend.position = XL_LEGEND_POSITION.TOP
        drawn.legend.include_in_layout = False
        east_asian(drawn.legend.font, 14, color=INK)
    for s, (_, _, colour) in zip(drawn.series, series):
        _colour_series(s, kind, rgb(colour))
    _axes(drawn, kind, number_format, axis_format, value_range, axis_title)
    labelled = drawn.series if labels_on is True else list(drawn.series)[:int(labels_on)]
    for s in labelled:
        dl = s.data_labels
        dl.show_value = True
        dl.number_format, dl.number_format_is_linked = number_format, False
        east_asian(dl.font, 13, color=INK)
        if kind in LINE_KINDS:
            dl.position = XL_LABEL_POSITION.BELOW  # this year's line runs under last year's
    return drawn


def label_point(series, index: int, number_format: str, position) -> None:
    """A data label with its value on one point of a series (a line's last point, say)."""
    label = series.points[index].data_label
    label.show_value = True
    label.number_format, label.number_format_is_linked = number_format, False
    label.position = position
    east_asian(label.font, 13, bold=True, color=INK)


def hide_legend_entry(drawn, index: int) -> None:
    """Leave series `index` out of the legend (one of two lines that draw one thing)."""
    legend = drawn.legend._element
    entry = OxmlElement("c:legendEntry")
    for tag, val in (("c:idx", str(index)), ("c:delete", "1")):
        child = OxmlElement(tag)
        child.set("val", val)
        entry.append(child)
    position = legend.find(qn("c:legendPos"))  # the schema puts entries first, or right after it
    if position is None:
        legend.insert(0, entry)
    else:
        position.addnext(entry)


def _colour_series(series, kind, colour: RGBColor) -> None:
    if kind in LINE_KINDS:
        series.format.line.color.rgb = colour
        series.format.line.width = Pt(3)
        series.smooth = False
        if kind == XL_CHART_TYPE.LINE_MARKERS:
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
    else:
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour


def _axes(drawn, kind, number_format: str, axis_format: str | None, value_range: tuple | None,
          axis_title: str | None) -> None:
    for axis in (drawn.category_axis, drawn.value_axis):
        east_asian(axis.tick_labels.font, 14, color=INK)
        axis.format.line.color.rgb = rgb(style.MUTED)
    drawn.value_axis.has_major_gridlines = True
    drawn.value_axis.major_gridlines.format.line.color.rgb = GRIDLINE
    drawn.value_axis.tick_labels.number_format = axis_format or number_format
    drawn.value_axis.tick_labels.number_format_is_linked = False
    drawn.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if value_range:
        drawn.value_axis.minimum_scale, drawn.value_axis.maximum_scale = value_range
    if axis_title:
        drawn.value_axis.has_title = True
        write(drawn.value_axis.axis_title.text_frame, axis_title, 14, color=GREY, align=PP_ALIGN.CENTER)
    if kind in (*BAR_KINDS, XL_CHART_TYPE.COLUMN_CLUSTERED):
        drawn.plots[0].gap_width = 60
    if kind in BAR_KINDS:
        axis_option(drawn.category_axis, "c:tickLblSkip", "1")  # every village / line named
        east_asian(drawn.category_axis.tick_labels.font, 12)


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


def monthly_ticks(drawn) -> None:
    """A date axis with one tick a month, so a year of days stays readable."""
    if drawn.category_axis._element.tag == qn("c:dateAx"):
        for tag, val in (("c:baseTimeUnit", "days"), ("c:majorUnit", "1"), ("c:majorTimeUnit", "months")):
            axis_option(drawn.category_axis, tag, val)
