"""The chase list (催费清单) as it leaves the screen: Excel (reports/xlsx.py, with the reminder
texts), and a printable PDF for walking the village: A4 landscape, each collector from a new page, ROWS_PER_PAGE customers a page with the column header repeated
on every page, and each page titled with the collector, the station, the as-of date, the
totals and 第 k/n 页 of that collector. Rows are of one height, with a blank 催收记录 column
to write in.

reportlab's built-in CID font STSong-Light (Adobe-GB1) needs no font file: the PDF names the
font and the viewer supplies it (Acrobat, PDFium in Edge/Chrome, WPS, Preview do; poppler needs
Debian's poppler-data). Text is drawn with canvas.drawString, which never reads markup."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import polars as pl
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from queries import View, labels

from . import format as fmt
from .columns import Col, bare, col
from .xlsx import Sheet, write_sheets

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 28
ROWS_PER_PAGE = 15
HEADER_ROW = 20          # the column header's height
FOOTER = 30              # from the page's bottom edge to the table
TOP = PAGE_HEIGHT - 24   # the title's baseline
TABLE_TOP = PAGE_HEIGHT - 66
ROW = (TABLE_TOP - HEADER_ROW - FOOTER) / ROWS_PER_PAGE
SIZE, LEADING = 7.5, 9.0  # a cell's text: up to 3 lines in a row
RULE, SHADE, INK = HexColor("#8A97A3"), HexColor("#E8EEF4"), HexColor("#1D2B36")
# STSong-Light has no glyph for the Latin middle dot (the scope's separator): the Chinese one
GLYPHS = str.maketrans({"·": "・"})
BREAK_AFTER = re.compile(r"(?<=[、，；\s])")  # where a line may break between words

Group = tuple[str, str | None]  # (station, collector); None is a collector not assigned


def chase_cols(show_personal: bool, whole: bool = False) -> list[Col]:
    """The chase list's columns on screen; `whole` (a download) adds the station, the collector
    and the reminder text. The phone only when it is shown whole."""
    who = [col("station"), col("collector")] if whole else []
    return [*who, col("customer_id"), col("customer_name"), *([col("phone")] if show_personal else []),
            col("village"), col("transformer"), col("category"), col("risk_grade"), col("risk_reason"),
            col("arrears"), col("arrears_bills"), col("owed_months"), col("days_overdue"), col("last_paid_at"),
            col("last_payment_amount"), col("last_payment_channel"), col("penalty_exposure"),
            *([col("reminder")] if whole else [])]


def chase_xlsx(chase: pl.DataFrame, view: View, show_personal: bool) -> bytes:
    """The chase list of a view as one Excel sheet, with each customer's reminder text, opened by
    the scope and as-of lines (reports/xlsx.py)."""
    title = labels.CHASE_PDF["title"]
    return write_sheets([Sheet(title, chase, chase_cols(show_personal, whole=True), title)], fmt.header_lines(view))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    right: bool = False  # numbers align right


def columns(with_phone: bool) -> list[Column]:
    """The table's columns; 催收记录 (blank, to write in) takes what is left of the width."""
    w = labels.CHASE_PDF
    cols = [Column("row_no", w["row_no"], 22), Column("customer_id", bare("customer_id"), 64),
            Column("customer_name", bare("customer_name"), 52)]
    if with_phone:
        cols.append(Column("phone", bare("phone"), 62))
    cols += [Column("place", w["place"], 76), Column("grade", w["grade"], 26),
             Column("reason", bare("risk_reason"), 110), Column("arrears", w["arrears"], 58, right=True),
             Column("owed_months", bare("owed_months"), 84), Column("days", w["days"], 34, right=True),
             Column("last_payment", w["last_payment"], 94), Column("penalty", w["penalty"], 50, right=True)]
    used = sum(c.width for c in cols)
    return cols + [Column("notes", w["notes"], PAGE_WIDTH - 2 * MARGIN - used)]


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _moves_whole(word: str) -> bool:
    """A month or a number (ASCII apart from its separator) is not broken across lines."""
    return word.rstrip("、，；").strip().isascii()


def wrap(text: str, width: float, lines: int = 3, size: float = SIZE) -> list[str]:
    """Text broken into lines that fit `width`, at most `lines` of them; a text that does not
    fit ends in …. A month or a number moves whole to the next line; Chinese breaks between
    characters."""
    out, current = [], ""
    for word in BREAK_AFTER.split(text.replace("\n", " ").translate(GLYPHS)):
        if _width(current + word, size) > width and current and _moves_whole(word) and _width(word, size) <= width:
            out.append(current.rstrip())
            current = ""
        for ch in word:
            if _width(current + ch, size) > width and current:
                out.append(current)
                current = ch
            else:
                current += ch
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and _width(last + fmt.ELLIPSIS, size) > width:
            last = last[:-1]
        out[-1] = last + fmt.ELLIPSIS
    return out


def cells(row: dict, number: int) -> dict[str, list[str]]:
    """One customer's cells, each as its lines."""
    place = "／".join(v for v in (row["village"] or labels.UNREGISTERED, row["transformer"]) if v)
    if row["last_paid_at"] is None:
        last = [labels.CHASE_PDF["no_payment"]]
    else:
        channel = labels.CHANNEL.get(row["last_payment_channel"], row["last_payment_channel"] or "")
        last = [f"{row['last_paid_at']:%Y-%m-%d} {channel}", fmt.yuan(row["last_payment_amount"])]
    return {
        "row_no": [str(number)], "customer_id": [row["customer_id"]], "customer_name": [row["customer_name"] or ""],
        "phone": [row["phone"] or ""], "place": [place], "grade": [row["risk_grade_label"]],
        "reason": [row["risk_reason_text"]], "arrears": [fmt.yuan(row["arrears"], unit=False)],
        "owed_months": [row["owed_months"]], "days": [f"{row['days_overdue']:,}"], "last_payment": last,
        "penalty": [fmt.yuan(row["penalty_exposure"], unit=False)], "notes": [""],
    }


def _pages(rows: int) -> int:
    return max(1, -(-rows // ROWS_PER_PAGE))


def _header(c: canvas.Canvas, group: Group, rows: pl.DataFrame, view: View, page: int, pages: int) -> None:
    station, collector = group
    w = labels.CHASE_PDF
    c.setFillColor(INK)
    c.setFont(FONT, 16)
    c.drawString(MARGIN, TOP, w["title"])
    c.setFont(FONT, 11)
    who = w["who"].format(collector=fmt.cut(collector) or labels.UNASSIGNED, station=fmt.cut(station) or "")
    line = f"{who}　{fmt.stamp(view.as_of)}" if station is not None else fmt.stamp(view.as_of)
    c.drawString(MARGIN + 80, TOP, wrap(line, PAGE_WIDTH - 2 * MARGIN - 160, lines=1, size=11)[0])
    c.drawRightString(PAGE_WIDTH - MARGIN, TOP, w["page"].format(page=page, pages=pages))
    grades = rows["risk_grade"].value_counts()
    count = dict(zip(grades["risk_grade"], grades["count"]))
    c.setFont(FONT, 9.5)
    c.drawString(MARGIN, TOP - 20, w["totals"].format(
        customers=f"{rows.height:,}", arrears=fmt.yuan(rows["arrears"].sum(), unit=False),
        penalty=fmt.yuan(rows["penalty_exposure"].sum(), unit=False),
        high=count.get("high", 0), medium=count.get("medium", 0), low=count.get("low", 0)))


def _footer(c: canvas.Canvas, view: View, masked: bool) -> None:
    c.setFont(FONT, 7.5)
    c.setFillColor(RULE)
    text = labels.CHASE_PDF["footer"].format(scope=fmt.scope_text(view.scope),
                                             masked=f"{labels.MASKED}。" if masked else "")
    c.drawString(MARGIN, 16, wrap(text, PAGE_WIDTH - 2 * MARGIN, lines=1, size=7.5)[0])


def _table(c: canvas.Canvas, cols: list[Column], page_rows: list[dict], first: int) -> None:
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    c.setFillColor(SHADE)
    c.rect(left, TABLE_TOP - HEADER_ROW, right - left, HEADER_ROW, stroke=0, fill=1)
    c.setFillColor(INK)
    c.setFont(FONT, 8)
    x = left
    for col in cols:
        c.drawCentredString(x + col.width / 2, TABLE_TOP - HEADER_ROW + 7, col.header.translate(GLYPHS))
        x += col.width
    c.setFont(FONT, SIZE)
    for i, row in enumerate(page_rows):
        top = TABLE_TOP - HEADER_ROW - i * ROW
        x = left
        row_cells = cells(row, first + i)
        for col in cols:
            lines = row_cells[col.key]
            shown = [part for line in lines for part in wrap(line, col.width - 4)][:3]
            y = top - (ROW - len(shown) * LEADING) / 2 - SIZE
            for line in shown:
                if col.right:
                    c.drawRightString(x + col.width - 2, y, line)
                else:
                    c.drawString(x + 2, y, line)
                y -= LEADING
            x += col.width
    # the grid: every row line and column line of the page's rows, header included
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    bottom = TABLE_TOP - HEADER_ROW - len(page_rows) * ROW
    for i in range(len(page_rows) + 2):
        y = TABLE_TOP if i == 0 else TABLE_TOP - HEADER_ROW - (i - 1) * ROW
        c.line(left, y, right, y)
    x = left
    for col in [None, *cols]:
        x += col.width if col else 0
        c.line(x, TABLE_TOP, x, bottom)


def chase_pdf(chase: pl.DataFrame, groups: list[Group], view: View, masked: bool, with_phone: bool = False) -> bytes:
    """The chase lists of `groups`, in that order, each from a new page. `chase` is
    queries.collections.risk_customers with reports.reminders.with_reminders' owed_months;
    a group with no customer in it gets one page saying so. `masked` adds the masking note;
    `with_phone` the phone column (only for a list whose phones are shown whole)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    c.setTitle(labels.CHASE_PDF["title"])
    c.setAuthor(labels.APP_TITLE)
    cols = columns(with_phone)
    for group in groups or [(None, None)]:  # nothing to list: one page saying so
        station, collector = group
        rows = chase.filter(pl.col("station").eq_missing(station) & pl.col("collector").eq_missing(collector))
        dicts = rows.to_dicts()
        pages = _pages(len(dicts))
        for page in range(pages):
            _header(c, group, rows, view, page + 1, pages)
            if not dicts:
                c.setFont(FONT, 12)
                c.drawString(MARGIN, TABLE_TOP - 10, labels.CHASE_PDF["none"])
            else:
                first = page * ROWS_PER_PAGE
                _table(c, cols, dicts[first:first + ROWS_PER_PAGE], first + 1)
            _footer(c, view, masked)
            c.showPage()
    c.save()
    return buffer.getvalue()
