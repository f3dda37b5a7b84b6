"""Tables as real .xlsx files: Chinese headers, money with two decimals, rates as %, a frozen
header row, and the scope and as-of date in the first rows. Text from the extract is written
as text, whole: never as a formula or a link (CONTRACT §4)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import polars as pl
import xlsxwriter

from .columns import Col, display_frame
from .format import csv_safe, cut

XLSX_TEXT = 32767  # the most characters an Excel cell holds
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

FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00%",
    "int": "#,##0",
    "days": "#,##0",
    "kwh": "#,##0",
    "price": "0.0000",
    "share": "0.00",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
}


@dataclass
class Sheet:
    name: str
    df: pl.DataFrame
    cols: list[Col]
    title: str = ""


def write_sheets(sheets: list[Sheet], header_lines: list[str]) -> bytes:
    """One workbook; each sheet opens with the header lines (scope, 数据截至 …) then the table."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, BOOK_OPTIONS)
    title_fmt = book.add_format({"bold": True, "font_size": 13, "font_name": "等线"})
    note_fmt = book.add_format({"font_color": "#555555", "font_name": "等线"})
    head_fmt = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "font_name": "等线"})
    cell_fmts = {kind: book.add_format({"num_format": f, "font_name": "等线"}) for kind, f in FORMATS.items()}
    text_fmt = book.add_format({"font_name": "等线"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet_name(sheet.name))
        lines = ([sheet.title] if sheet.title else []) + header_lines
        for i, line in enumerate(lines):
            ws.write_string(i, 0, _text(line), title_fmt if i == 0 else note_fmt)
        top = len(lines) + 1
        frame = display_frame(sheet.df, sheet.cols)
        for j, c in enumerate(sheet.cols):
            ws.write_string(top, j, c.label, head_fmt)
            values = frame.get_column(c.label).to_list()
            fmt = cell_fmts.get(c.kind, text_fmt)
            for i, v in enumerate(values):
                row = top + 1 + i
                if v is None:
                    ws.write_blank(row, j, None, fmt)
                elif c.kind == "rate":
                    ws.write_number(row, j, float(v) / 100, fmt)  # truncated percentage → fraction
                elif c.kind in ("date", "month"):
                    ws.write_datetime(row, j, v, fmt)
                elif c.kind == "bool":
                    ws.write_string(row, j, "是" if v else "否", text_fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(row, j, v, fmt)
                elif isinstance(v, list):
                    ws.write_string(row, j, _text("、".join(str(x) for x in v)), text_fmt)
                elif isinstance(v, str):
                    ws.write_string(row, j, _text(v), fmt)
                else:
                    ws.write(row, j, v, fmt)
            width = max([len(c.label) * 2 + 2] + [min(len(str(v)), 60) + 2 for v in values[:200] if v is not None])
            ws.set_column(j, j, min(max(width, 8), 40))
        ws.freeze_panes(top + 1, 0)
        if frame.height:
            ws.autofilter(top, 0, top + frame.height, len(sheet.cols) - 1)
    book.close()
    return buffer.getvalue()


def write_csv(df: pl.DataFrame, cols: list[Col]) -> bytes:
    """CSV with Chinese headers, UTF-8 with BOM so Excel opens it in Chinese; text whole, and a
    cell Excel would read as a formula starts with ' (format.csv_safe)."""
    frame = display_frame(df, cols)
    frame = frame.with_columns(pl.col(pl.List(pl.Float64)).list.eval(pl.element().cast(pl.Utf8)).list.join("、")) \
        if any(isinstance(t, pl.List) for t in frame.dtypes) else frame
    frame = frame.select(csv_safe(s) for s in frame.iter_columns())
    return "\ufeff".encode() + frame.write_csv().encode("utf-8")
