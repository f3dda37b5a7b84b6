"""How figures read: 万元 on tiles and slides, 元 with two decimals in tables, rates and
percentage points truncated, counts, dates, and each kind of table column (docs/DATA.md §3);
and how text from the extract reads: always as text, long values cut (docs/DATA.md §4)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import polars as pl

from queries import Scope, View, labels

DASH = "—"

# --- text from the extract (docs/DATA.md §4) -----------------------------------------------
# A name, id or any other text read from the extract is shown as text: never as HTML, Markdown
# or a spreadsheet formula. On screen a value over CUT characters is cut with …; the whole
# value shows on hover (up to HOVER characters: longer text is itself a data-quality finding)
# and in the Excel / CSV downloads. Only a cut copy ever reaches the browser, so one huge
# value cannot slow a page down.

CUT = 40
HOVER = 200
ELLIPSIS = "…"


def cut(text: str | None, limit: int | None = CUT) -> str | None:
    """The value whole up to `limit` characters (None: whole), else its first `limit`
    characters and …."""
    if text is None:
        return None
    text = str(text)
    return text if limit is None or len(text) <= limit else text[:limit] + ELLIPSIS


def distinct(texts: Iterable[str | None], limit: int | None = CUT, keys: Iterable | None = None) -> list[str | None]:
    """Each text cut; texts that stand for different values (`keys`, default the texts) but
    read alike once cut get （2）, （3）… so a chart never merges their bars and a filter can
    tell them apart."""
    texts = list(texts)
    out, owner = [], {}  # shown text → the value it stands for
    for text, key in zip(texts, texts if keys is None else keys):
        shown = short = cut(text, limit)
        n = 1
        while short is not None and owner.setdefault(shown, key) != key:
            n += 1
            shown = f"{short}（{n}）"
        out.append(shown)
    return out


def plotly_escape(text: str | None) -> str:
    """Text that plotly shows as typed: it reads <a href>, <b>, <br>, <span style> and
    entities in any text of a figure, and shows &lt; as <."""
    return html.escape(text or "", quote=False)


def plotly_text(text: str | None, limit: int | None = CUT) -> str:
    """Data text for a plotly figure (category, label, legend, title): cut and escaped."""
    return plotly_escape(cut(text, limit))


def plotly_hover(text: str | None, width: int = CUT, limit: int = HOVER) -> str:
    """Data text whole for a hover label: escaped, in lines of `width` characters (a hover
    label never wraps by itself), cut only beyond `limit` characters."""
    text = cut(text, limit) or ""
    return "<br>".join(plotly_escape(text[i:i + width]) for i in range(0, len(text), width))


def cut_column(s: pl.Series, limit: int | None = CUT) -> pl.Series:
    """`cut` for a whole text column (a table on screen)."""
    if limit is None or s.dtype != pl.Utf8:
        return s
    return s.to_frame().select(
        pl.when(pl.col(s.name).str.len_chars() > limit)
        .then(pl.col(s.name).str.slice(0, limit) + ELLIPSIS)
        .otherwise(pl.col(s.name)).alias(s.name)).to_series()


# A cell a spreadsheet would read as a formula when it starts with one of these (OWASP, CSV injection).
FORMULA_START = "^[=+\\-@\t\r]"


def csv_safe(s: pl.Series) -> pl.Series:
    """A text column for CSV: a value starting with =, +, -, @, tab or carriage return gets a
    leading ' so a spreadsheet shows it as text, not as a formula; the value stays whole."""
    if s.dtype != pl.Utf8:
        return s
    return s.to_frame().select(
        pl.when(pl.col(s.name).str.contains(FORMULA_START))
        .then("'" + pl.col(s.name))
        .otherwise(pl.col(s.name)).alias(s.name)).to_series()


_MARKDOWN = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "<": "\\<", ">": "\\>", "&": "\\&", "|": "｜"})
_PAIRED = "*_~`"  # emphasis, strikethrough, code: only a pair of one of these does anything
_STREAMLIT = str.maketrans({c: "\\" + c for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})


def markdown_text(text: str | None, limit: int | None = CUT, streamlit: bool = False) -> str:
    """Data text inside Markdown, cut and on one line, shown as typed.

    For the daily brief, pasted into a chat group that may or may not read Markdown, as few
    backslashes as suffice: [ ] (links, images), < > (HTML, autolinks), & (entities) and \\
    are escaped, | becomes ｜ (table columns), and * _ ~ ` are escaped when a value holds two
    of one kind (one alone, as in a masked name 张*明, opens nothing). A value never starts a
    line there, so # - + = and 1. (headings, lists) need no escape.
    For a Streamlit label or message body (`streamlit`), which also reads :material/icon:,
    :red[…], $math$ and :emoji:, every ASCII punctuation is escaped and a zero-width space
    follows each colon. Where a page can, it shows data text with ui.frame.text instead."""
    text = " ".join(cut("" if text is None else str(text), limit).split())
    if streamlit:
        return text.translate(_STREAMLIT).replace("\\:", "\\:\u200b")
    text = text.translate(_MARKDOWN)
    for c in _PAIRED:
        if text.count(c) > 1:
            text = text.replace(c, "\\" + c)
    return text


# --- figures (docs/DATA.md §3) -------------------------------------------------------------
# Rates and percentage points are truncated, not rounded, to two decimals (99.996 % reads
# 99.99 %); money reads in 元 with two decimals in tables and lists, in 万元 on tiles and
# slides. Every surface (screen, Excel, CSV, deck, daily report, command line) takes its
# numbers from here.

def truncated_rate(rate: float | Decimal | None) -> Decimal | None:
    """A rate as a percentage truncated (not rounded) to two decimals: 0.99996 → 99.99."""
    if rate is None:
        return None
    # repr() gives the shortest decimal that round-trips, so 0.9999 stays 0.9999, not 0.99989….
    exact = rate if isinstance(rate, Decimal) else Decimal(repr(float(rate)))
    return (exact * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def percent(rate: float | Decimal | None) -> float | None:
    """A rate as the truncated percentage a chart plots or a table holds: 0.99996 → 99.99."""
    value = truncated_rate(rate)
    return None if value is None else float(value)


def pct(rate: float | Decimal | None) -> str:
    value = truncated_rate(rate)
    return DASH if value is None else f"{value:.2f} %"


def truncated_points(gap: float | None) -> Decimal | None:
    """A gap or change already in percentage points (ranking.sql), truncated to two decimals
    like the rates. Rounded to 9 places first, so float noise (7.999999999999996) does not
    truncate a whole hundredth away."""
    if gap is None:
        return None
    value = Decimal(repr(round(abs(float(gap)), 9))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return -value if gap < 0 else value


def points(gap: float | None, unit: bool = False) -> str:
    """A gap or change in percentage points, signed: -27.21, or with `unit` -27.21 个百分点."""
    value = truncated_points(gap)
    if value is None:
        return DASH
    return f"{'-' if gap < 0 else '+'}{abs(value):.2f}" + (f" {labels.POINTS_SPOKEN}" if unit else "")


def _half_away(value: Decimal, places: int) -> Decimal:
    """Money rounds halves away from zero, as the bills do (0.025 → 0.03), not to even."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def wan(yuan: float | Decimal | None, digits: int = 2, unit: bool = True) -> str:
    """Money for tiles and slides: 15,220.35 万元."""
    if yuan is None:
        return DASH
    return f"{_half_away(Decimal(str(yuan)) / Decimal(10000), digits):,.{digits}f}" + (f" {labels.UNIT['wan']}" if unit else "")


def wan_signed(yuan: float | Decimal | None, unit: bool = True) -> str:
    if yuan is None:
        return DASH
    text = wan(abs(Decimal(str(yuan))), unit=unit)
    return ("-" if yuan < 0 else "+") + text


def wan_numbers(amounts: Iterable, places: int | None = None) -> list[float | None]:
    """Amounts (元, or kWh) as numbers of 万 for a chart: exact, or rounded to
    `places` decimals (halves away from zero), the number `wan` writes; None stays None (a gap)."""
    out: list[float | None] = []
    for amount in amounts:
        if amount is None:
            out.append(None)
            continue
        value = Decimal(str(amount)) / 10000
        out.append(float(value if places is None else _half_away(value, places)))
    return out


def yuan(value: float | Decimal | None, unit: bool = True) -> str:
    """Money for tables and lists: 1,234.50 元."""
    if value is None:
        return DASH
    return f"{_half_away(Decimal(str(value)), 2):,.2f}" + (f" {labels.UNIT['yuan']}" if unit else "")


def count(n: int | None, unit: str | None = "accounts") -> str:
    """A count with its unit (a key of labels.UNIT; None for none): 1,234 户."""
    return DASH if n is None else f"{int(n):,}" + (f" {labels.UNIT[unit]}" if unit else "")


def count_signed(n: int | None, unit: str | None = "accounts") -> str:
    return DASH if n is None else f"{int(n):+,}" + (f" {labels.UNIT[unit]}" if unit else "")


@dataclass(frozen=True)
class Kind:
    """How a kind of table column reads: its unit after the header (a key of labels.UNIT),
    its format on screen (st.column_config) and in Excel (XlsxWriter's num_format)."""

    unit: str | None = None
    screen: str | None = None
    excel: str | None = None


KINDS = {
    "text": Kind(),
    "bool": Kind(),
    "spark": Kind(),
    "money": Kind("yuan", "%,.2f", "#,##0.00"),
    "rate": Kind(None, "%.2f %%", "0.00%"),
    "points": Kind("points", "%+.2f", "+0.00;-0.00;0.00"),
    "int": Kind(None, "%,d", "#,##0"),
    "days": Kind(None, f"%,d {labels.UNIT['days']}", "#,##0"),
    "kwh": Kind("kwh", "%,.0f", "#,##0"),
    "price": Kind("price", "%.4f", "0.0000"),
    "kb": Kind("kb", "%,.2f", "#,##0.00"),
    "date": Kind(None, "YYYY-MM-DD", "yyyy-mm-dd"),
    "month": Kind(None, "YYYY-MM", "yyyy-mm"),
    "time": Kind(None, "YYYY-MM-DD HH:mm", "yyyy-mm-dd hh:mm"),
}


def ends(df: pl.DataFrame, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """How a long ranking reads in a chat text or on a slide: its first and last n rows; all of
    it (and nothing after) when it has up to 2n."""
    return (df, df.clear()) if df.height <= 2 * n else (df.head(n), df.tail(n))


def versus_month_end(now: int, then: int) -> str:
    """A count's change since the end of last month in words: 较上月末 +3 户, or 与上月末持平."""
    if now == then:
        return labels.COMPARE["same_month_end"]
    return f"{labels.COMPARE['month_end']} {count_signed(now - then)}"


def date_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月 {day.day} 日"


def month_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月"


def scope_text(scope: Scope, limit: int | None = CUT) -> str:
    """The scope in words, as the dashboard's header shows it: each name cut at `limit`
    characters (None: whole, for a file's header lines). A user's allowed rows (docs/DATA.md §8)
    stand where no filter names stations or collectors."""
    if scope.restricted and not (scope.allowed_stations or scope.allowed_collectors):
        return labels.ACCESS["nothing"]
    stations = scope.stations or scope.allowed_stations
    if stations:
        parts = ["、".join(cut(s, limit) for s in stations)]
    elif scope.allowed_collectors:  # a collector's customers, in whichever stations they lie
        parts = []
    else:
        parts = [labels.SCOPE["all_stations"]]
    if scope.villages:
        parts.append("、".join(cut(v, limit) or labels.UNREGISTERED for v in scope.villages))
    if scope.lines:
        parts.append("、".join(cut(v, limit) or labels.UNREGISTERED for v in scope.lines))
    if scope.categories:
        parts.append("、".join(cut(labels.CATEGORY.get(c, c), limit) for c in scope.categories))
    collectors = scope.collectors or scope.allowed_collectors
    if collectors:
        parts.append("、".join(cut(c, limit) or labels.UNASSIGNED for c in collectors))
    if scope.high_energy_only:
        parts.append(labels.SCOPE["high_energy_only"])
    if scope.key_accounts_only:
        parts.append(labels.SCOPE["key_accounts_only"])
    return " · ".join(parts)


def stamp(day: dt.date) -> str:
    """数据截至 2021 年 12 月 31 日: what every page, file and slide is as of."""
    return labels.STAMP["as_of"].format(day=date_cn(day))


def header_lines(view: View, yesterday: bool = False) -> list[str]:
    """The lines a downloaded file opens with: the scope (names whole), the as-of date and the
    统计年度 (and, for a file with 较昨日 figures, the day they compare with), the extract."""
    year = labels.STAMP["year"].format(year=view.year)
    if yesterday:
        year += "；" + labels.STAMP["yesterday_is"].format(day=date_cn(view.yesterday))
    return [labels.STAMP["scope"].format(scope=scope_text(view.scope, limit=None)),
            f"{stamp(view.as_of)}（{year}）", labels.STAMP["extract"].format(name=view.extract_name)]
