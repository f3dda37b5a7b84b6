"""How figures read: 万元 on tiles, 元 with two decimals in tables, rates truncated (CONTRACT §3);
and how text from the extract reads: always as text, long values cut (CONTRACT §4)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal

import polars as pl

from queries import Scope, labels

DASH = "—"

# --- text from the extract (CONTRACT §4) ---------------------------------------------------
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


def truncated_rate(rate: float | Decimal | None) -> Decimal | None:
    """A rate as a percentage truncated (not rounded) to two decimals: 0.99996 → 99.99."""
    if rate is None:
        return None
    # repr() gives the shortest decimal that round-trips, so 0.9999 stays 0.9999, not 0.99989….
    exact = rate if isinstance(rate, Decimal) else Decimal(repr(float(rate)))
    return (exact * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def pct(rate: float | Decimal | None) -> str:
    value = truncated_rate(rate)
    return DASH if value is None else f"{value:.2f} %"


def pct_points(delta: float | None) -> str:
    """A change of rate in percentage points, signed, truncated like the rates."""
    if delta is None:
        return DASH
    value = truncated_rate(abs(delta))
    sign = "-" if delta < 0 else "+"
    return f"{sign}{value:.2f} 个百分点"


def wan(yuan: float | Decimal | None, digits: int = 2, unit: bool = True) -> str:
    """Money for tiles: 15,220.35 万元."""
    if yuan is None:
        return DASH
    return f"{Decimal(str(yuan)) / Decimal(10000):,.{digits}f}" + (" 万元" if unit else "")


def wan_signed(yuan: float | Decimal | None, unit: bool = True) -> str:
    if yuan is None:
        return DASH
    text = wan(abs(Decimal(str(yuan))), unit=unit)
    return ("-" if yuan < 0 else "+") + text


def yuan(value: float | Decimal | None) -> str:
    """Money for tables and lists: 1,234.50 元."""
    if value is None:
        return DASH
    return f"{Decimal(str(value)):,.2f} 元"


def count(n: int | None, unit: str = "户") -> str:
    return DASH if n is None else f"{int(n):,} {unit}".rstrip()


def count_signed(n: int | None, unit: str = "户") -> str:
    if n is None:
        return DASH
    return f"{int(n):+,} {unit}".rstrip()


def date_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月 {day.day} 日"


def month_cn(day: dt.date | None) -> str:
    return DASH if day is None else f"{day.year} 年 {day.month} 月"


def scope_text(scope: Scope, limit: int | None = CUT) -> str:
    """The scope in words, as the dashboard's header shows it: each name cut at `limit`
    characters (None: whole, for a file's header lines)."""
    parts = ["、".join(cut(s, limit) for s in scope.stations) if scope.stations else "全部供电所"]
    if scope.villages:
        parts.append("、".join(cut(v, limit) or labels.UNREGISTERED for v in scope.villages))
    if scope.lines:
        parts.append("、".join(cut(v, limit) or labels.UNREGISTERED for v in scope.lines))
    if scope.categories:
        parts.append("、".join(cut(labels.CATEGORY.get(c, c), limit) for c in scope.categories))
    if scope.collectors:
        parts.append("、".join(cut(c, limit) or labels.UNASSIGNED for c in scope.collectors))
    if scope.high_energy_only:
        parts.append("仅高耗能")
    if scope.key_accounts_only:
        parts.append("仅重点客户")
    return " · ".join(parts)
