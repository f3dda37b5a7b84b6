"""Importing marketing-system exports (docs/DATA.md §7):

    python -m queries import FILE_OR_DIR… --out DIR [--mapping FILE] [--append]

Each .xlsx, .xls or .csv export is one table, recognised by its header row; its rows are
converted to the types of docs/DATA.md §2 and written as one Parquet file per table,
`<out>/<table>/import-<time>.parquet`, so that a later `--append` adds files beside them.

All-or-nothing per run: every file is read and converted first; if any file is refused
(unreadable, no header row, an unknown table, a missing required column, ids stored as
numbers) nothing at all is written, so a directory never holds this run's bills without
its payments. A row that cannot be converted is left out with its reason and the others
are written. Each table is written to a hidden temporary file in its folder and renamed into
place only once all tables are written, so no reader ever sees a partial file.

Spreadsheets are read by calamine (polars `read_excel`, engine fastexcel) and CSV by polars,
every cell as text, then converted here: ids keep their leading zeros, money goes through
Decimal, never a float."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl

from . import labels
from .schema import REQUIRED_TABLES, TABLES, UNIQUE_KEYS

SAY = labels.IMPORT
REASON = labels.IMPORT_REASON

# --- the export format: which headers name which column (docs/DATA.md §7) -------------------
# Per table, every header a column may have: the SG186 code and the Chinese names. Matching
# ignores spaces, ASCII case and a trailing unit in brackets (应收金额（元）, 结算电量(kWh)).

_CUSTOMER_ID = ("户号", "用户编号", "CONS_NO")
_BILL_ID = ("应收标识", "应收流水号", "RCVBL_AMT_ID")
_STATION = ("供电所", "供电单位", "ORG_NAME")
_COLLECTOR = ("抄表员", "催费责任人", "MR_EMP_NAME")

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "customer_name": ("户名", "用户名称", "CONS_NAME"),
        "phone": ("联系电话", "手机号码", "MOBILE"),
        "station": _STATION,
        "village": ("村/社区", "所属村", "村社区"),
        "line": ("线路", "线路名称", "LINE_NAME"),
        "transformer": ("台区", "台区名称", "TG_NAME"),
        "category": ("用电类别", "ELEC_TYPE"),
        "is_high_energy": ("是否高耗能", "高耗能"),
        "industry": ("行业", "行业分类", "TRADE_NAME"),
        "meter_reader": _COLLECTOR,
        "is_key_account": ("是否重点客户", "重点客户"),
    },
    "bills": {
        "bill_id": _BILL_ID,
        "customer_id": _CUSTOMER_ID,
        "period": ("电费年月", "应收年月", "RCVBL_YM"),
        "issued_on": ("发行日期", "RELEASE_DATE"),
        "due_on": ("缴费截止日期", "截止日期", "RCVBL_PENALTY_DATE"),
        "kwh": ("结算电量", "T_SETTLE_PQ"),
        "kwh_peak": ("峰电量",),
        "kwh_flat": ("平电量",),
        "kwh_valley": ("谷电量",),
        "amount": ("应收电费", "应收金额", "RCVBL_AMT"),
        "tariff": ("电价类型",),
    },
    "payments": {
        "payment_id": ("收费流水号", "实收标识", "CHARGE_ID"),
        "customer_id": _CUSTOMER_ID,
        "bill_id": _BILL_ID,
        "paid_at": ("缴费时间", "收费时间", "CHARGE_DATE"),
        "posted_at": ("入账时间", "入账日期", "DISPOSE_DATE"),
        "amount": ("实收金额", "实收电费", "RCVED_AMT"),
        "channel": ("缴费方式", "收费方式", "PAY_MODE"),
    },
    "targets": {
        "station": _STATION,
        "year": ("年度", "年份"),
        "recovery_target": ("回收目标", "电费回收率目标"),
        "collector": _COLLECTOR,  # a row with a collector is that person's target (§6)
    },
    # Not in docs/DATA.md §7: headers chosen for this project (docs/DATA.md §7).
    "instalment_plans": {
        "bill_id": _BILL_ID,
        "due_on": ("分次截止日期", "计划缴费日期"),
        "amount": ("分次金额", "计划金额"),
    },
}

# Which table a file is: the first whose columns here are all among its headers. Payments
# exports often carry the bill's id and period too, and a plan names its bill: so payments
# and plans are tried before bills, and customers (whose id every table carries) last.
RECOGNISED_BY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("payments", ("payment_id",)),
    ("instalment_plans", ("bill_id", "due_on", "amount")),
    ("bills", ("bill_id",)),
    ("targets", ("recovery_target",)),
    ("customers", ("customer_id",)),
)

# Chinese values to codes (docs/DATA.md §7). A code itself is accepted as well.
CATEGORY_NAMES = {
    "居民生活": "residential", "城镇居民": "residential", "乡村居民": "residential",
    "一般工商业": "small_power", "小动力": "small_power", "非居民照明": "small_power",
    "大工业": "large_industry",
    "农业生产": "agriculture", "农业排灌": "agriculture",
}  # anything else: other
TARIFF_NAMES = {"目录电价": "catalogue", "市场化交易": "market", "电网代理购电": "agency", "代理购电": "agency"}
# A channel by the words it contains, tried in this order: a named app or wallet before the
# bank words, so 微信代扣 is wechat, not bank. Anything else: other.
CHANNEL_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("微信",), "wechat"),
    (("支付宝",), "alipay"),
    (("网上国网", "掌上电力"), "app"),
    (("走收",), "door_to_door"),
    (("营业厅", "坐收"), "counter"),
    (("银行", "代收", "代扣"), "bank"),
)
TRUE_WORDS = {"是", "y", "yes", "true", "t", "1"}
FALSE_WORDS = {"否", "n", "no", "false", "f", "0"}

EXPORT_SUFFIXES = (".xlsx", ".xls", ".csv")
HEADER_SEARCH_ROWS = 20  # the header row is looked for among the first rows
MIN_HEADER_CELLS = 2  # …as the first row with at least this many known headers
ID_COLUMNS = ("customer_id", "bill_id", "payment_id")
SPREADSHEET_DIGITS = 15  # a spreadsheet number keeps 15 significant digits, no more
EXAMPLES = 5  # example rows shown per reason
MONEY_LIMIT = Decimal(10) ** 12  # docs/DATA.md §4: money of this magnitude is refused

POLARS_TYPE = {
    "text": pl.String, "bool": pl.Boolean, "date": pl.Date, "timestamp": pl.Datetime("us"),
    "double": pl.Float64, "money": pl.Decimal(18, 2), "integer": pl.Int32,
}


class ImportRefused(Exception):
    """A file (or the run's arguments) that cannot be imported; the message is Chinese."""


class Invalid(ValueError):
    """A value that cannot be converted; `rule` is its key in labels.IMPORT_REASON."""

    def __init__(self, rule: str):
        super().__init__(rule)
        self.rule = rule


# --- the mapping file (--mapping) -----------------------------------------------------------

@dataclass(frozen=True)
class Mapping:
    """More headers ("表头" = "column" or "table.column") and how to restore ids that a
    spreadsheet stored as numbers ([restore] customer_id = { width = 12 })."""

    headers: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # header → (table or None, column)
    restore: dict[str, int] = field(default_factory=dict)  # id column → width


def load_mapping(path: str | Path | None) -> Mapping:
    if path is None:
        return Mapping()
    path = Path(path)

    def refuse(why: str) -> ImportRefused:
        return ImportRefused(SAY["bad_mapping"].format(file=path, why=why))

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise refuse(SAY["mapping_unreadable"].format(error=exc.strerror or exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise refuse(SAY["mapping_not_toml"].format(error=exc)) from None
    restore_spec = data.pop("restore", {})
    headers = {}
    for header, target in data.items():
        if not isinstance(target, str):
            raise refuse(SAY["mapping_not_column"].format(header=header, column=target))
        table, _, column = target.rpartition(".")
        known = [t for t in TABLES if (not table or t == table) and column in HEADERS[t]]
        if not known:
            raise refuse(SAY["mapping_not_column"].format(header=header, column=target))
        headers[_normal(header)] = (table or None, column)
    if not isinstance(restore_spec, dict):
        raise refuse(SAY["mapping_restore_table"])
    restore = {}
    for column, spec in restore_spec.items():
        if column not in ID_COLUMNS:
            raise refuse(SAY["mapping_restore_column"].format(column=column, ids="、".join(ID_COLUMNS)))
        width = spec.get("width") if isinstance(spec, dict) else None
        if not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= 40:
            raise refuse(SAY["mapping_restore_width"].format(column=column))
        restore[column] = width
    return Mapping(headers, restore)


def _normal(header: str) -> str:
    """A header as it is matched: no whitespace, no trailing （unit）, ASCII case folded."""
    text = "".join(str(header).split())
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text) or text
    return text.casefold()


def header_columns(table: str, mapping: Mapping) -> dict[str, str]:
    """Normalised header → column, for one table."""
    known = {_normal(h): column for column, names in HEADERS[table].items() for h in names}
    for header, (only, column) in mapping.headers.items():
        if only in (None, table) and column in HEADERS[table]:
            known[header] = column
    return known


# --- reading a file into a grid of text --------------------------------------------------------

@dataclass
class Grid:
    """A file's cells as text, from its first row; `numeric(columns)` says, for each of those
    columns, which of its cells a spreadsheet stored as numbers (none in a CSV)."""

    cells: pl.DataFrame  # String columns column_0 …, one row per row of the file
    how: str  # how it was read, for the report: the encoding or the sheet
    spreadsheet: bool
    numeric: Callable[[list[int]], dict[int, list[bool]]]


def read_grid(path: Path, mapping: Mapping) -> Grid:
    try:
        if path.suffix.lower() == ".csv":
            return _read_csv(path, mapping)
        return _read_spreadsheet(path)
    except ImportRefused:
        raise
    except Exception as exc:  # a reader's own error: the file is damaged or not what it says
        raise ImportRefused(REASON["unreadable"].format(error=_one_line(exc))) from None


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _read_spreadsheet(path: Path) -> Grid:
    options = dict(engine="calamine", sheet_id=1, has_header=False, drop_empty_rows=False,
                   drop_empty_cols=False, raise_if_empty=False)
    cells = pl.read_excel(path, read_options={"dtypes": "string"}, **options)
    sheet = _first_sheet_name(path)

    def numeric(columns: list[int]) -> dict[int, list[bool]]:
        # calamine turns only number and boolean cells into booleans; a text cell reads as null.
        if not columns:
            return {}
        try:
            probe = pl.read_excel(path, read_options={"dtypes": "boolean", "use_columns": columns}, **options)
        except Exception as exc:
            raise ImportRefused(REASON["unreadable"].format(error=_one_line(exc))) from None
        return {i: s.is_not_null().to_list() for i, s in zip(columns, probe.iter_columns())}

    return Grid(cells, SAY["how_sheet"].format(sheet=sheet), True, numeric)


def _first_sheet_name(path: Path) -> str:
    import fastexcel

    return fastexcel.read_excel(path).sheet_names[0]


def _read_csv(path: Path, mapping: Mapping) -> Grid:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        text, how = _decode(data[3:], "utf-8"), SAY["how_utf8_bom"]
    else:
        try:
            text, how = data.decode("utf-8"), SAY["how_utf8"]
        except UnicodeDecodeError:
            text, how = _decode(data, "gb18030"), SAY["how_gb18030"]
    # polars reads UTF-8 only: the text is handed over re-encoded, after the title lines, which
    # may have fewer fields than the header (polars takes the first line's field count).
    skipped = _lines_before_header(text, mapping)
    cells = pl.read_csv(io.BytesIO(text.encode("utf-8")), has_header=False, skip_lines=skipped,
                        infer_schema=False, truncate_ragged_lines=True, raise_if_empty=False)
    blank = pl.DataFrame({c: [None] * skipped for c in cells.columns}, schema={c: pl.String for c in cells.columns})
    return Grid(pl.concat([blank, cells]), how, False, lambda columns: {})


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportRefused(REASON["undecodable"].format(line=line)) from None


def _lines_before_header(text: str, mapping: Mapping) -> int:
    """How many physical lines come before the header row (0 when none is found: then the
    header search of import_file says so)."""
    known = _all_headers(mapping)
    reader = csv.reader(io.StringIO(text))
    before = 0
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            record = next(reader)
        except (StopIteration, csv.Error):
            break
        if sum(_normal(c) in known for c in record) >= MIN_HEADER_CELLS:
            return before
        before = reader.line_num
    return 0


def _all_headers(mapping: Mapping | None = None) -> set[str]:
    return {h for table in TABLES for h in header_columns(table, mapping or Mapping())}


# --- one file: its table, columns and rows -----------------------------------------------------

@dataclass
class Problems:
    """Rows left out or changed, counted by reason, with the first few rows as examples."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, row: int, value: str | None = None) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES:
            shown.append(SAY["example_value" if value is not None else "example"].format(row=row, value=value))

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Imported:
    """One file, read and converted: its table's rows (docs/DATA.md §2 types) ready to write."""

    path: Path
    table: str
    how: str
    header_row: int  # 1-based, as the spreadsheet numbers it
    headers: dict[str, str]  # column → the file's header for it
    rows: pl.DataFrame
    row_numbers: list[int]
    read: int
    rejected: Problems
    notes: Problems
    skipped: int = 0
    posted: int = 0  # of the skipped: payments in transit until now, posted since (Postings)


def import_file(path: Path, mapping: Mapping) -> Imported:
    grid = read_grid(path, mapping)
    header_at = _find_header(grid.cells, mapping)
    header = [c or "" for c in grid.cells.row(header_at)]
    table, columns = _recognise(header, mapping)
    body = grid.cells.slice(header_at + 1)
    numbers = list(range(header_at + 2, header_at + 2 + body.height))
    headers = {column: header[i] for column, i in columns.items()}
    ids = {column: i for column, i in columns.items() if column in ID_COLUMNS}
    probed = grid.numeric(list(ids.values()))
    numeric = {column: probed[i][header_at + 1:] for column, i in ids.items() if i in probed}

    keep = [i for i, filled in enumerate(_filled(body)) if filled]  # a blank row is not a row
    numbers = [numbers[i] for i in keep]
    texts = {column: [_text(v) for v in body.to_series(i).gather(keep).to_list()] for column, i in columns.items()}
    numeric = {column: [flags[i] for i in keep] for column, flags in numeric.items()}
    _refuse_numeric_ids(numeric, texts, numbers, headers, mapping)
    rows, rejected, notes, ok = _convert(table, texts, numeric, numbers, headers, mapping, grid.spreadsheet)
    return Imported(path, table, grid.how, header_at + 1, headers, rows.filter(pl.Series(ok, dtype=pl.Boolean)),
                    [n for n, good in zip(numbers, ok) if good], len(numbers), rejected, notes)


def _filled(body: pl.DataFrame) -> list[bool]:
    """Whether each row has anything in it besides spaces."""
    if not body.width:
        return []
    return body.select(pl.any_horizontal(pl.all().str.strip_chars().fill_null("") != "")).to_series().to_list()


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _find_header(cells: pl.DataFrame, mapping: Mapping) -> int:
    known = _all_headers(mapping)
    for i, row in enumerate(cells.head(HEADER_SEARCH_ROWS).iter_rows()):
        if sum(c is not None and _normal(c) in known for c in row) >= MIN_HEADER_CELLS:
            return i
    raise ImportRefused(REASON["no_header"].format(n=HEADER_SEARCH_ROWS, least=MIN_HEADER_CELLS))


def _recognise(header: list[str], mapping: Mapping) -> tuple[str, dict[str, int]]:
    """The file's table and, for each of its columns found, the position of its header."""
    for table, needed in RECOGNISED_BY:
        known = header_columns(table, mapping)
        found: dict[str, int] = {}
        for i, cell in enumerate(header):
            column = known.get(_normal(cell)) if cell else None
            if column is None:
                continue
            if column in found:
                raise ImportRefused(REASON["duplicate_header"].format(
                    first=header[found[column]], second=cell, column=column))
            found[column] = i
        if all(c in found for c in needed):
            missing = [c.name for c in TABLES[table] if not c.nullable and c.name not in found]
            if missing:
                names = "；".join(f"{c}（{'、'.join(HEADERS[table][c])}）" for c in missing)
                raise ImportRefused(REASON["missing_column"].format(
                    table=labels.TABLE[table], columns=names))
            return table, found
    shown = "、".join(c for c in header if c)
    raise ImportRefused(REASON["unknown_table"].format(headers=shown))


def _refuse_numeric_ids(numeric: dict[str, list[bool]], texts: dict[str, list], numbers: list[int],
                        headers: dict[str, str], mapping: Mapping) -> None:
    """Refuse the file when an id column has cells stored as numbers and --mapping does not
    say how to restore them."""
    for column, flags in numeric.items():
        rows = [(n, v) for n, v, number in zip(numbers, texts[column], flags) if number]
        if rows and column not in mapping.restore:
            shown = "、".join(SAY["example_value"].format(row=n, value=v) for n, v in rows[:EXAMPLES])
            raise ImportRefused(REASON["numeric_id"].format(
                header=headers[column], column=column, count=f"{len(rows):,}", examples=shown))


def _convert(table: str, texts: dict[str, list], numeric: dict[str, list[bool]], numbers: list[int],
             headers: dict[str, str], mapping: Mapping, spreadsheet: bool):
    """The table's columns in docs/DATA.md §2 types (a column the file lacks: nulls), which rows
    are kept, and the reasons the others were left out."""
    rejected, notes = Problems(), Problems()
    ok = [True] * len(numbers)
    out: dict[str, pl.Series] = {}
    for col in TABLES[table]:
        dtype = POLARS_TYPE[col.kind]
        if col.name not in texts:
            out[col.name] = pl.Series(col.name, [None] * len(numbers), dtype=dtype)
            continue
        named = headers[col.name]
        parse = _parser(table, col.name, col.kind, spreadsheet)
        values, cache = [], {}
        restore = mapping.restore.get(col.name) if col.name in numeric else None
        for i, text in enumerate(texts[col.name]):
            if text is None:
                values.append(None)
                if not col.nullable and ok[i]:
                    ok[i] = False
                    rejected.add(f"{named}：{REASON['missing']}", numbers[i])
                continue
            if restore is not None and numeric[col.name][i]:
                text = _restored(text, restore)
                if text is None:
                    values.append(None)
                    if ok[i]:
                        ok[i] = False
                        rejected.add(f"{named}：{REASON['restore'].format(width=restore)}", numbers[i],
                                     texts[col.name][i])
                    continue
            hit = cache.get(text)
            if hit is None:
                try:
                    hit = cache[text] = (parse(text), None)
                except Invalid as exc:
                    hit = cache[text] = (None, exc.rule)
            value, rule = hit
            values.append(value)
            if rule == "unknown_tariff":  # kept, without a tariff
                notes.add(f"{named}：{REASON[rule]}", numbers[i], text)
            elif rule is not None and ok[i]:
                ok[i] = False
                rejected.add(f"{named}：{REASON[rule]}", numbers[i], text)
        out[col.name] = pl.Series(col.name, values, dtype=dtype)
    return pl.DataFrame(out), rejected, notes, ok


def _restored(text: str, width: int) -> str | None:
    """An id a spreadsheet stored as a number, zero-padded back to its width; None when the
    number cannot be an id of that width (a fraction, too many digits, or past the 15
    significant digits a spreadsheet keeps)."""
    if not re.fullmatch(r"\d+", text) or len(text) > width or len(text.lstrip("0")) > SPREADSHEET_DIGITS:
        return None
    return text.zfill(width)


# --- values ------------------------------------------------------------------------------------

def _parser(table: str, column: str, kind: str, spreadsheet: bool) -> Callable[[str], object]:
    if (table, column) == ("customers", "category"):
        return parse_category
    if (table, column) == ("bills", "tariff"):
        return parse_tariff
    if (table, column) == ("payments", "channel"):
        return parse_channel
    if (table, column) == ("bills", "period"):
        return lambda text: parse_period(text, spreadsheet)
    if column == "recovery_target":
        return parse_target
    return {
        "text": lambda text: text,
        "bool": parse_bool,
        "date": lambda text: parse_date(text, spreadsheet),
        "timestamp": lambda text: parse_timestamp(text, spreadsheet),
        "double": parse_double,
        "money": parse_money,
        "integer": parse_year,
    }[kind]


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+")
_DATE = r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日|(\d{2})(\d{2}))"
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
_DATE_TIME = re.compile(_DATE + _TIME)
_COMPACT_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})")  # 20211231083015
_SERIAL = re.compile(r"\d{1,5}(?:\.\d+)?")  # a spreadsheet's day number (1 = 1900-01-01)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_PERIOD = re.compile(r"(\d{4})(?:(\d{2})|[-/.年](\d{1,2})月?)")


def _decimal(text: str) -> Decimal:
    cleaned = text.replace(" ", "").lstrip("¥￥")
    if not _NUMBER.fullmatch(cleaned):
        raise Invalid("number")
    return Decimal(cleaned.replace(",", ""))


def parse_money(text: str) -> Decimal:
    """1234.56, 1,234.56, -0.5, ¥12: exact, rounded half away from zero to the fen like a
    DOUBLE of docs/DATA.md §2."""
    try:
        value = _decimal(text)
    except Invalid:
        raise Invalid("money") from None
    if abs(value) >= MONEY_LIMIT:
        raise Invalid("money_range")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_double(text: str) -> float:
    return float(_decimal(text))


def parse_year(text: str) -> int:
    match = re.fullmatch(r"(\d{4})年?", text)
    if not match or not 1900 <= int(match[1]) <= 9999:
        raise Invalid("year")
    return int(match[1])


def parse_target(text: str) -> float:
    """0.9999, 99.99% (or ９９.９９％): a fraction between 0 and 1."""
    percent = text.endswith(("%", "％"))
    try:
        value = _decimal(text[:-1] if percent else text)
    except Invalid:
        raise Invalid("target") from None
    value = value / 100 if percent else value
    if not 0 <= value <= 1:
        raise Invalid("target")
    return float(value)


def parse_bool(text: str) -> bool:
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Invalid("bool")


def parse_timestamp(text: str, spreadsheet: bool = False) -> dt.datetime:
    """2021-12-31 08:30:00, 2021/12/31 8:30, 20211231083000, 2021年12月31日, a date alone
    (midnight), or a spreadsheet's date number with its fraction of a day."""
    if spreadsheet and _SERIAL.fullmatch(text):
        return _from_serial(text)
    match = _COMPACT_TIME.fullmatch(text)
    try:
        if match:
            return dt.datetime(*map(int, match.groups()))
        match = _DATE_TIME.fullmatch(text)
        if not match:
            raise Invalid("timestamp")
        g = match.groups()
        year, month, day = int(g[0]), int(g[1] or g[3] or g[5]), int(g[2] or g[4] or g[6])
        hour, minute, second = int(g[7] or 0), int(g[8] or 0), int(g[9] or 0)
        micro = int((g[10] or "0").ljust(6, "0"))
        return dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError:  # 2021-02-30, 25:00
        raise Invalid("timestamp") from None


def _from_serial(text: str) -> dt.datetime:
    days = Decimal(text)
    millis = int((days * 86_400_000).to_integral_value(rounding=ROUND_HALF_UP))
    try:
        return _EXCEL_EPOCH + dt.timedelta(milliseconds=millis)
    except OverflowError:
        raise Invalid("timestamp") from None


def parse_date(text: str, spreadsheet: bool = False) -> dt.date:
    """2021-12-31, 2021/12/31, 20211231, 2021年12月31日, a spreadsheet date; a time of day
    after it (as calamine gives a date cell: 2021-12-31 00:00:00) is dropped."""
    try:
        return parse_timestamp(text, spreadsheet).date()
    except Invalid:
        raise Invalid("date") from None


def parse_period(text: str, spreadsheet: bool = False) -> dt.date:
    """202112, 2021-12, 2021/12, 2021年12月, or any date: the first of its month."""
    match = _PERIOD.fullmatch(text)
    if match:
        month = int(match[2] or match[3])
        if 1 <= month <= 12:
            return dt.date(int(match[1]), month, 1)
        raise Invalid("period")
    try:
        return parse_date(text, spreadsheet).replace(day=1)
    except Invalid:
        raise Invalid("period") from None


def parse_category(text: str) -> str:
    if text in labels.CATEGORY:
        return text
    return CATEGORY_NAMES.get(text, "other")


def parse_tariff(text: str) -> str:
    if text in labels.TARIFF:
        return text
    if text in TARIFF_NAMES:
        return TARIFF_NAMES[text]
    raise Invalid("unknown_tariff")


def parse_channel(text: str) -> str:
    if text in labels.CHANNEL:
        return text
    for words, code in CHANNEL_WORDS:
        if any(w in text for w in words):
            return code
    return "other"


# --- a run: files in, one new Parquet file per table out ----------------------------------------

def export_files(arguments: Iterable[str | Path]) -> list[Path]:
    """The files named, and the export files directly inside each folder named, in order,
    each once. Raises ImportRefused for a name that is neither."""
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES
                           and not p.name.startswith(("~$", ".")))  # ~$x.xlsx: Excel's lock file
            if not found:
                raise ImportRefused(SAY["no_exports"].format(dir=path))
            files += found
        elif path.is_file():
            if path.suffix.lower() not in EXPORT_SUFFIXES:
                raise ImportRefused(SAY["not_export"].format(file=path))
            files.append(path)
        else:
            raise ImportRefused(SAY["no_input"].format(path=path))
    return list(dict.fromkeys(p.resolve() for p in files))


def check_out(out: Path, append: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ImportRefused(SAY["out_is_file"].format(out=out))
    if not append and out.is_dir() and any(out.iterdir()):
        raise ImportRefused(SAY["out_not_empty"].format(out=out))


def existing_keys(out: Path, table: str, postings: Postings | None = None) -> set:
    """What is already in the output directory for a table: its ids, or for a table without
    one (targets, plans) its whole rows. For the payments, `postings` learns which of them are
    still in transit (posted_at empty), and in which file."""
    if (out / f"{table}.parquet").exists():
        raise ImportRefused(SAY["single_file_table"].format(out=out, table=table))
    files = sorted((out / table).rglob("*.parquet")) if (out / table).is_dir() else []
    if not files:
        return set()
    key = UNIQUE_KEYS.get(table)
    watch = table == "payments" and postings is not None
    types = {c.name: POLARS_TYPE[c.kind] for c in TABLES[table]
             if key in (None, c.name) or (watch and c.name == "posted_at")}
    keys: set = set()
    for f in files:
        try:
            frame = _typed(f, types)
        except Exception as exc:
            raise ImportRefused(SAY["existing_unreadable"].format(out=out, table=table, error=_one_line(exc))) from None
        if watch:
            postings.waiting.update(dict.fromkeys(frame.filter(pl.col("posted_at").is_null())[key].drop_nulls(), f))
        keys.update(frame[key].drop_nulls().to_list() if key else frame.iter_rows())
    return keys


@dataclass
class Postings:
    """Payments exported while in transit (在途: posted_at empty) and exported again once
    posted. Their id is already there, so the later row is not added (no id twice); its posting
    time is written into the row already there instead, so that the payment does not stay in
    transit for ever: into the file that holds it, or into this run's rows."""

    waiting: dict = field(default_factory=dict)  # payment_id → the file holding it (None: this run)
    posted: dict = field(default_factory=dict)  # payment_id → its posted_at, from a later row

    def kept(self, payment_id, posted_at) -> None:
        """A row of this run added: wait for its posting if it is in transit."""
        if posted_at is None:
            self.waiting[payment_id] = None

    def skipped(self, payment_id, posted_at) -> bool:
        """A row whose id is already there: whether it posts a payment waiting for it."""
        if posted_at is None or payment_id not in self.waiting or payment_id in self.posted:
            return False
        self.posted[payment_id] = posted_at
        return True

    def into(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (payments) with the posting times of its waiting rows that were posted."""
        if not self.posted:
            return frame
        if "posted_at" not in frame.columns:  # a file written without the optional column
            frame = frame.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("posted_at"))
        times = pl.DataFrame({"payment_id": list(self.posted), "posted_since": list(self.posted.values())},
                             schema={"payment_id": frame.schema["payment_id"], "posted_since": frame.schema["posted_at"]})
        return (frame.join(times, on="payment_id", how="left", maintain_order="left")
                .with_columns(pl.coalesce("posted_at", "posted_since").alias("posted_at"))
                .drop("posted_since"))

    def files(self) -> dict[Path, pl.DataFrame]:
        """Each file already there that holds a payment posted since, with those rows posted."""
        held = {self.waiting[k] for k in self.posted if self.waiting.get(k) is not None}
        return {f: self.into(pl.read_parquet(f)) for f in sorted(held)}

    def in_files(self) -> int:
        return sum(1 for k in self.posted if self.waiting.get(k) is not None)


def _typed(file: Path, types: dict[str, pl.DataType]) -> pl.DataFrame:
    """The columns of one Parquet file in these types; a column it lacks is null."""
    present = pl.read_parquet_schema(file)
    frame = pl.read_parquet(file, columns=[c for c in types if c in present])
    return frame.select(pl.col(c).cast(t) if c in present else pl.lit(None, dtype=t).alias(c) for c, t in types.items())


def drop_known(item: Imported, known: set, postings: Postings | None = None) -> None:
    """Leave out rows already in the directory or in an earlier file of this run (skipped),
    and a repeat of an id within the file (rejected); `known` gains the rows kept, and
    `postings` the payments in transit and those posted since."""
    key = UNIQUE_KEYS.get(item.table)
    keys = item.rows[key].to_list() if key else list(item.rows.iter_rows())
    watch = postings is not None and item.table == "payments"
    has_posted = watch and "posted_at" in item.rows.columns
    posted_at = item.rows["posted_at"].to_list() if has_posted else [None] * len(keys)
    first: dict = {}
    keep = []
    for n, (k, row) in enumerate(zip(keys, item.row_numbers)):
        if k in known:
            keep.append(False)
            item.skipped += 1
            if watch and postings.skipped(k, posted_at[n]):
                item.posted += 1
        elif k in first and key:
            keep.append(False)
            item.rejected.add(f"{item.headers[key]}：{REASON['duplicate']}", row, SAY["same_as_row"].format(id=k, row=first[k]))
        elif k in first:  # the same row twice in a table without ids: harmless, once is enough
            keep.append(False)
            item.skipped += 1
        else:
            first[k] = row
            keep.append(True)
            if watch:
                postings.kept(k, posted_at[n])
    item.rows = item.rows.filter(pl.Series(keep, dtype=pl.Boolean))
    item.row_numbers = [r for r, k in zip(item.row_numbers, keep) if k]
    known.update(k for k, kept in zip(keys, keep) if kept)


def write_tables(out: Path, tables: dict[str, pl.DataFrame], stamp: str,
                 rewrites: dict[Path, pl.DataFrame] | None = None) -> dict[str, Path]:
    """Each table's rows as one new file `<out>/<table>/import-<stamp>.parquet`, and each file of
    `rewrites` again with its new rows, all written to hidden temporary files first; all are
    renamed into place only once every one is written."""
    staged: list[tuple[Path, Path]] = []
    written: dict[str, Path] = {}
    try:
        for table, frame in tables.items():
            folder = out / table
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"import-{stamp}.parquet"
            n = 2
            while final.exists():
                final, n = folder / f"import-{stamp}-{n}.parquet", n + 1
            written[table] = final
            staged.append((folder / f".{final.name}.tmp", final))  # not *.parquet: no reader picks it up
            frame.write_parquet(staged[-1][0])
        for final, frame in (rewrites or {}).items():
            staged.append((final.parent / f".{final.name}.tmp", final))
            frame.write_parquet(staged[-1][0])
        for temporary, final in staged:
            os.replace(temporary, final)
    except OSError:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    return written


def run(inputs: list[str], out: str, mapping_file: str | None = None, append: bool = False,
        stdout=None, stderr=None) -> int:
    """The import command: 0 written (rows may have been left out, as reported); 2 a file or
    argument refused, nothing written; 1 the output directory could not be written. The
    report goes to stdout, refusals to stderr."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    out_dir = Path(out)
    try:
        mapping = load_mapping(mapping_file)
        check_out(out_dir, append)
        files = export_files(inputs)
    except ImportRefused as exc:
        print(exc, file=stderr)
        return 2
    imported: list[Imported] = []
    refused = 0
    known: dict[str, set] = {}
    postings = Postings()
    for path in files:
        name = _shown(path)
        try:
            item = import_file(path, mapping)
            if item.table not in known:
                known[item.table] = existing_keys(out_dir, item.table, postings) if append else set()
            drop_known(item, known[item.table], postings)
        except ImportRefused as exc:
            refused += 1
            print(SAY["refused"].format(file=name, why=exc), file=stderr)
            continue
        imported.append(item)
        _report(item, name, stdout)
    if refused:
        print(SAY["aborted"].format(n=refused), file=stderr)
        return 2
    tables: dict[str, pl.DataFrame] = {}
    for item in imported:
        tables[item.table] = pl.concat([tables[item.table], item.rows]) if item.table in tables else item.rows
    tables = {t: tables[t] for t in TABLES if t in tables and tables[t].height}
    if "payments" in tables:
        tables["payments"] = postings.into(tables["payments"])
    try:
        rewrites = postings.files()
    except Exception as exc:
        print(SAY["existing_unreadable"].format(out=out_dir, table="payments", error=_one_line(exc)), file=stderr)
        return 2
    if not tables and not rewrites:
        print(SAY["nothing_new"], file=stdout)
        return 0
    try:
        written = write_tables(out_dir, tables, dt.datetime.now().strftime("%Y%m%d-%H%M%S"), rewrites)
    except OSError as exc:
        print(SAY["unwritable"].format(out=out_dir, error=exc.strerror or exc), file=stderr)
        return 1
    _report_written(out_dir, tables, written, stdout)
    if rewrites:
        print(SAY["posted_since"].format(n=f"{postings.in_files():,}", files="、".join(
            str(f.relative_to(out_dir)) for f in rewrites)), file=stdout)
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report_written(out_dir: Path, tables: dict[str, pl.DataFrame], written: dict[str, Path], stream) -> None:
    """What was written, and what to do next: import the missing required tables, or build."""
    print(SAY["written"].format(out=out_dir), file=stream)
    for table, path in written.items():
        print(SAY["written_table"].format(name=labels.TABLE[table], table=table, rows=f"{tables[table].height:,}",
                                          file=path.relative_to(out_dir)), file=stream)
    lacking = [t for t in REQUIRED_TABLES if not (out_dir / t).is_dir() and not (out_dir / f"{t}.parquet").exists()]
    if lacking:
        print(SAY["lacking"].format(tables="、".join(f"{labels.TABLE[t]}（{t}）" for t in lacking)), file=stream)
    else:
        print(SAY["next"].format(out=out_dir), file=stream)


def _report(item: Imported, name: str, stream) -> None:
    print(SAY["file"].format(file=name, name=labels.TABLE[item.table], table=item.table, how=item.how,
                             row=item.header_row), file=stream)
    print(SAY["counts"].format(read=f"{item.read:,}", written=f"{item.rows.height:,}",
                               rejected=f"{item.rejected.total():,}", skipped=f"{item.skipped:,}"), file=stream)
    if item.posted:
        print(SAY["posted_rows"].format(n=f"{item.posted:,}"), file=stream)
    for title, problems in ((SAY["rejected_title"], item.rejected), (SAY["notes_title"], item.notes)):
        if problems.counts:
            print(title, file=stream)
        for reason, count in problems.counts.items():
            print(SAY["reason"].format(reason=reason, count=f"{count:,}",
                                       examples="、".join(problems.examples[reason])), file=stream)


def add_arguments(command: argparse.ArgumentParser) -> None:
    """The import subcommand's arguments (python -m queries import)."""
    command.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help=SAY["inputs_help"])
    command.add_argument("--out", required=True, metavar="DIR", help=SAY["out_help"])
    command.add_argument("--mapping", metavar="FILE", help=SAY["mapping_help"])
    command.add_argument("--append", action="store_true", help=SAY["append_help"])
