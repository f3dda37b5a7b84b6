"""Tables as real .xlsx files: Chinese headers, money with two decimals, rates as %, a frozen
header row, and the scope and as-of date in the first rows. Text from the extract is written
as text, whole: never as a formula or a link (docs/DATA.md §4)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import polars as pl
import xlsxwriter

from queries import labels

from .columns import Col, display_frame
from .format import KINDS, csv_safe, cut

XLSX_TEXT = 32767  # the most characters an Excel cell holds
FONT = "等线"
# XlsxWriter's write() would make "=…" a formula and "http://…" a link: text is text.
BOOK_OPTIONS = {"in_memory": True, "remove_timezone": True, "strings_to_formulas": False,
                "strings_to_urls": False, "strings_to_numbers": False}


def sheet_name(text: str) -> str:
    """A valid worksheet name: Excel forbids []:*?/\\, a leading or trailing ' and more than 31
    characters (a title carries data text, e.g. a station's name)."""
    name = re.sub(r"[\[\]:*?/\\]", "_", text)[:31].strip("'")
    return name or "Sheet"


def _text(value) -> str:
    return cut(str(value), XLSX_TEXT - 1)


@dataclass
class Sheet:
    name: str
    df: pl.DataFrame
    cols: list[Col]
    title: str = ""


def _cells(sheet: Sheet) -> pl.DataFrame:
    """The table as Excel should hold it: rates as fractions (shown with %), booleans as 是/否,
    lists joined, text whole up to what a cell holds."""
    frame = display_frame(sheet.df, sheet.cols)
    out = []
    for c in sheet.cols:
        s = frame.get_column(c.label)
        if c.kind == "rate":
            s = (s / 100).round(6)  # the truncated percentage, as the fraction Excel formats with %
        elif c.kind == "bool":
            s = s.replace_strict(labels.YES_NO, default=None, return_dtype=pl.Utf8)
        elif isinstance(s.dtype, pl.List):
            s = s.cast(pl.List(pl.Utf8)).list.join("、")
        if s.dtype == pl.Utf8:
            s = s.str.slice(0, XLSX_TEXT)
        out.append(s.alias(c.label))
    return pl.DataFrame(out)


def write_sheets(sheets: list[Sheet], header_lines: list[str]) -> bytes:
    """One workbook; each sheet opens with the header lines (scope, 数据截至 …) then the table,
    written by polars (XlsxWriter): formats per column, frozen header, autofilter, widths."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, BOOK_OPTIONS)
    title_fmt = book.add_format({"bold": True, "font_size": 13, "font_name": FONT})
    note_fmt = book.add_format({"font_color": "#555555", "font_name": FONT})
    for sheet in sheets:
        ws = book.add_worksheet(sheet_name(sheet.name))
        lines = ([sheet.title] if sheet.title else []) + header_lines
        for i, line in enumerate(lines):
            ws.write_string(i, 0, _text(line), title_fmt if i == 0 else note_fmt)
        top = len(lines) + 1
        cells = _cells(sheet)
        cells.write_excel(
            workbook=book, worksheet=ws, position=(top, 0), autofilter=cells.height > 0,
            freeze_panes=(top + 1, 0), table_style=None,
            header_format={"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True,
                           "valign": "vcenter", "font_name": FONT},
            column_formats={c.label: {"font_name": FONT, **_num_format(c)} for c in sheet.cols},
            column_widths={c.label: _width(c, cells.get_column(c.label)) for c in sheet.cols},
            include_header=True)
    book.close()
    return buffer.getvalue()


def _num_format(c: Col) -> dict:
    excel = KINDS[c.kind].excel
    return {"num_format": excel} if excel else {}


def _width(c: Col, values: pl.Series) -> int:
    """Wide enough for the header and the first rows, at most 40 characters."""
    longest = max([len(str(v)) for v in values.head(200).to_list() if v is not None] or [0])
    return min(max(len(c.label) * 2 + 2, min(longest, 60) + 2, 8), 40) * 7  # pixels


def write_csv(df: pl.DataFrame, cols: list[Col]) -> bytes:
    """CSV with Chinese headers, UTF-8 with BOM so Excel opens it in Chinese; text whole, and a
    cell Excel would read as a formula starts with ' (format.csv_safe)."""
    frame = display_frame(df, cols)
    frame = frame.with_columns(pl.col(pl.List(pl.Float64)).list.eval(pl.element().cast(pl.Utf8)).list.join("、")) \
        if any(isinstance(t, pl.List) for t in frame.dtypes) else frame
    frame = frame.select(csv_safe(s) for s in frame.iter_columns())
    return "\ufeff".encode() + frame.write_csv().encode("utf-8")
