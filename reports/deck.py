"""The meeting deck (电费回收情况汇报): a 16:9 .pptx whose charts are native, editable
PowerPoint charts fed by the same query-layer calls as the dashboard's pages, for one view
(as-of date, year, scope). The slides are here; the python-pptx plumbing is reports/pptx.py.
Names and phones stay masked: no call here asks for show_personal (collectors are staff, and
their ranking names them)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from queries import Extract, View, collections, labels
from queries.collections import GRADES, Settings, load_settings
from queries.projection import Projection, year_end_projection

from . import format as fmt
from . import pptx, style
from .columns import bare
from .projection import projected, sentence, years_text
from .pptx import BODY_TOP, GREY, HEIGHT, INK, MARGIN, WIDTH

TOP_GROUPS = 15          # villages / lines on the arrears charts
TOP_ACCOUNTS = 10        # rows of the arrears table
TABLE_ROWS = 12          # station rows per ranking slide
MAX_STATIONS_CHART = 30  # beyond this the rate chart shows the lowest rates
MAX_LABELLED = 12        # categories up to which bars carry data labels
COLLECTORS_CHART = 15    # beyond 2 × this many collectors the chart shows the first and the last 15
COLLECTORS_TABLE = 6     # beyond 2 × this many the table lists the first and the last 6
WAN_PLACES = 2           # 万元 on the charts as the tiles show them


# --- the numbers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeckData:
    """What the deck shows, straight from the query layer, for one view."""

    view: View
    total: dict                  # recovery_summary in total
    curve: pl.DataFrame          # recovery_curve_daily: each day of the year up to as_of
    stations: pl.DataFrame       # ranking by station, in its one order
    months: pl.DataFrame         # recovery_by_month of the year
    months_last_year: pl.DataFrame  # … of the year before, as of the same day a year earlier
    villages: pl.DataFrame       # recovery_summary by village
    lines: pl.DataFrame          # recovery_summary by line
    aging: pl.DataFrame
    high_energy: pl.DataFrame    # high_energy_monthly from January of the year before
    top_accounts: pl.DataFrame   # arrears_accounts, masked, with the grade in words
    collectors: pl.DataFrame     # ranking by collector (within a station), in its one order
    settings: Settings           # the §6 settings the grades and penalties were asked with
    risk: pl.DataFrame           # risk_grade_summary in total
    risk_stations: pl.DataFrame  # risk_grade_summary per station, one row a station (grade_table)
    risk_moves: pl.DataFrame     # risk_grade_moves since last month's end
    penalty: dict                # penalty_exposure in total
    penalty_stations: pl.DataFrame  # penalty_exposure per station, largest first
    projection: Projection       # the year-end projection of D's year (the view's year or not)
    projection_curve: pl.DataFrame  # recovery_curve_daily of D's year (= curve when that is the view's year)

    @property
    def scope_text(self) -> str:
        return fmt.scope_text(self.view.scope)


def collect(ex: Extract, view: View, settings: Settings | None = None) -> DeckData:
    """The deck's numbers for a view; grades and penalties with the §6 settings (default: those
    in force, queries/collections.py)."""
    as_of, year, scope = view.as_of, view.year, view.scope
    settings = settings or load_settings()
    params = settings.params()

    def summary(group_by: str) -> pl.DataFrame:
        return ex.query("recovery_summary", scope, as_of=as_of, year=year, group_by=group_by)

    def curve_of(y: int) -> pl.DataFrame:
        return ex.query("recovery_curve_daily", scope, as_of=as_of, period_from=dt.date(y, 1, 1),
                        period_to=dt.date(y, 12, 1))

    high_energy = ex.query("high_energy_monthly", scope, as_of=as_of)
    curve = curve_of(year)
    return DeckData(
        view=view,
        total=summary("total").row(0, named=True),
        curve=curve,
        stations=ex.query("ranking", scope, as_of=as_of, year=year, group_by="station"),
        months=ex.query("recovery_by_month", scope, as_of=as_of, year=year),
        months_last_year=ex.query("recovery_by_month", scope, as_of=view.last_year, year=year - 1),
        villages=summary("village"),
        lines=summary("line"),
        aging=ex.query("arrears_aging", scope, as_of=as_of),
        high_energy=high_energy.filter(pl.col("period") >= dt.date(year - 1, 1, 1)),
        top_accounts=collections.with_risk_words(
            ex.query("arrears_accounts", scope, as_of=as_of, show_personal=False, limit=TOP_ACCOUNTS, **params),
            settings),
        collectors=ex.query("ranking", scope, as_of=as_of, year=year, group_by="collector")
        .with_columns(pl.col("member").fill_null(labels.UNASSIGNED).alias("collector")),
        settings=settings,
        risk=ex.query("risk_grade_summary", scope, as_of=as_of, group_by="total", **params),
        risk_stations=collections.grade_table(
            ex.query("risk_grade_summary", scope, as_of=as_of, group_by="station", **params)),
        risk_moves=ex.query("risk_grade_moves", scope, as_of=as_of, **params),
        penalty=ex.query("penalty_exposure", scope, as_of=as_of, group_by="total", **params).row(0, named=True),
        penalty_stations=ex.query("penalty_exposure", scope, as_of=as_of, group_by="station", **params),
        projection=year_end_projection(ex, view),
        projection_curve=curve if year == as_of.year else curve_of(as_of.year),
    )


percent = fmt.percent  # a rate as the truncated percentage the dashboard shows


def wan(amounts) -> list[float | None]:
    """Amounts as the 万元 a chart of the deck plots: the numbers the tiles show."""
    return fmt.wan_numbers(amounts, WAN_PLACES)


def top_arrears(df: pl.DataFrame, n: int = TOP_GROUPS) -> pl.DataFrame:
    """The n groups with the largest arrears; a label that names the station where needed."""
    top = df.filter(pl.col("arrears") > 0).sort(["arrears", "station", "member"], descending=[True, False, False],
                                                nulls_last=True).head(n)
    names = top["member"].fill_null(labels.UNREGISTERED)
    repeated = names.is_duplicated()
    label = [f"{fmt.cut(m)}（{fmt.cut(s)}）" if r else fmt.cut(m)
             for m, s, r in zip(names, top["station"], repeated)]
    return top.with_columns(pl.Series("label", label, dtype=pl.Utf8))


def rate_floor(values: list[float]) -> float:
    """Where a rate axis starts: just below the lowest value, on a multiple of 5 when the
    range is wide, so differences near 100 % stay visible."""
    low = max(0, math.floor(min(values) - 0.5))
    return low if 100 - low <= 10 else low // 5 * 5


def month_rates(df: pl.DataFrame) -> list[float | None]:
    """Truncated percentages of bill months 1–12 (None for a month without bills)."""
    by_month = {p.month: percent(r) for p, r in zip(df["period"], df["recovery_rate"])}
    return [by_month.get(m) for m in range(1, 13)]


def point_label(day: dt.date) -> str:
    """A point of the projection's chart: a month end as 6 月, another day (D) as 6 月 10 日."""
    if (day + dt.timedelta(days=1)).day == 1:
        return labels.PROJECTION["month_end"].format(month=day.month)
    return labels.PROJECTION["day"].format(month=day.month, day=day.day)


def price(value) -> float | None:
    return None if value is None else round(float(value), 4)


def per_mille(rate) -> str:
    """A daily penalty rate as the rules write it: 0.002 → 2‰."""
    return f"{(Decimal(str(rate)) * 1000).normalize():f}‰"


def collector_labels(df: pl.DataFrame) -> list[str]:
    """A collector's name cut, with the station where two stations have one of that name."""
    repeated = df["collector"].is_duplicated()
    return [f"{fmt.cut(c)}（{fmt.cut(s)}）" if r else fmt.cut(c) for c, s, r in zip(df["collector"], df["station"], repeated)]


# --- slides ---------------------------------------------------------------------------------------

class Deck:
    def __init__(self, data: DeckData):
        self.data = data
        self.prs = pptx.presentation()

    @property
    def stamp(self) -> str:
        v = self.data.view
        return f"{self.data.scope_text}｜{fmt.stamp(v.as_of)}｜{labels.STAMP['year'].format(year=v.year)}"

    def slide(self, title: str):
        s = pptx.blank_slide(self.prs)
        pptx.textbox(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7), title, 28, bold=True)
        pptx.textbox(s, MARGIN, Inches(0.88), WIDTH - 2 * MARGIN, Inches(0.4), self.stamp, 14, color=GREY)
        n = len(self.prs.slides)
        pptx.textbox(s, MARGIN, HEIGHT - Inches(0.45), Inches(8), Inches(0.35),
                     f"{labels.APP_TITLE}｜{labels.STAMP['extract'].format(name=fmt.cut(self.data.view.extract_name))}",
                     11, color=GREY)
        pptx.textbox(s, WIDTH - MARGIN - Inches(1.5), HEIGHT - Inches(0.45), Inches(1.5), Inches(0.35),
                     str(n), 11, color=GREY, align=PP_ALIGN.RIGHT)
        return s

    def note(self, slide, text: str) -> None:
        pptx.textbox(slide, MARGIN, Inches(3.2), WIDTH - 2 * MARGIN, Inches(1), text, 24, color=GREY,
                     align=PP_ALIGN.CENTER)

    # --- the slides, in order
    def title_slide(self) -> None:
        v = self.data.view
        s = pptx.blank_slide(self.prs)
        band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.2), WIDTH, Inches(1.6))
        band.fill.solid()
        band.fill.fore_color.rgb = pptx.rgb(style.NEUTRAL)
        band.line.fill.background()
        pptx.write(band.text_frame, labels.DECK_TITLE, 44, bold=True, color=pptx.WHITE,
                   align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        pptx.textbox(s, MARGIN, Inches(4.2), WIDTH - 2 * MARGIN, Inches(2.2), [
            labels.STAMP["scope"].format(scope=self.data.scope_text),
            f"{fmt.stamp(v.as_of)}｜{labels.STAMP['year'].format(year=v.year)}",
            labels.STAMP["extract"].format(name=fmt.cut(v.extract_name)),
        ], 22, color=INK, align=PP_ALIGN.CENTER)

    def headline_slide(self) -> None:
        t, m, y, named = self.data.total, labels.METRIC, self.data.view.year, labels.named
        s = self.slide(f"{y} 年电费回收总体情况")
        tiles = [
            (named(m["billed"], "wan", y), fmt.wan(t["billed"], unit=False), f"{y} 年电费年月、已发行", style.NEUTRAL),
            (named(m["recovered"], "wan", y), fmt.wan(t["recovered"], unit=False), f"{y} 年电费已回收", style.GOOD),
            (named(m["arrears"], "wan"), fmt.wan(t["arrears"], unit=False),
             f"{m['arrears_current_year']} {fmt.wan(t['arrears_current_year'], unit=False)}｜"
             f"{m['arrears_prior_years']} {fmt.wan(t['arrears_prior_years'], unit=False)}", style.WARN),
            (named(m["arrears_customers"], "accounts"), fmt.count(t["arrears_customers"], unit=None), "已逾期未结清",
             style.WARN),
            (named(m["recovery_rate"], year=y), fmt.pct(t["recovery_rate"]),
             f"{m['target']} {fmt.pct(t['target'])}", style.GOOD),
            (m["prior_recovery_rate"], fmt.pct(t["prior_recovery_rate"]),
             f"{m['prior_opening']} {fmt.wan(t['prior_opening'])}", style.NEUTRAL),
            (m["cumulative_rate"], fmt.pct(t["cumulative_rate"]), "本年度与以前年度合计", style.NEUTRAL),
            (named(m["prior_recovered"], "wan"), fmt.wan(t["prior_recovered"], unit=False),
             f"{m['prior_opening']}中已回收", style.GOOD),
        ]
        self.tiles(s, tiles, cols=4, h=Inches(2.45))

    def tiles(self, slide, tiles: list[tuple[str, str, str, str]], cols: int, h, top=BODY_TOP + Inches(0.25),
              left=MARGIN, width=WIDTH - 2 * MARGIN, gap=Inches(0.3)) -> None:
        """Tiles in rows of `cols`: each a name, its value large in its colour, a line under it."""
        w = (width - gap * (cols - 1)) / cols
        for i, (label, value, sub, colour) in enumerate(tiles):
            x = left + (w + gap) * (i % cols)
            y = top + (h + gap) * (i // cols)
            box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, int(x), int(y), int(w), int(h))
            box.adjustments[0] = 0.06
            box.fill.solid()
            box.fill.fore_color.rgb = pptx.TILE
            box.line.color.rgb = pptx.rgb(colour)
            box.line.width = Pt(2)
            tf = box.text_frame
            pptx.write(tf, [label, value, sub], 18, color=GREY, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
            pptx.east_asian(tf.paragraphs[1].runs[0].font, 30, bold=True, color=pptx.rgb(colour))
            pptx.east_asian(tf.paragraphs[2].runs[0].font, 14, color=GREY)

    def curve_slide(self) -> None:
        d, year = self.data, self.data.view.year
        s = self.slide(f"{year} 年电费回收率逐日走势（%）")
        if d.curve.filter(pl.col("recovery_rate").is_not_null()).is_empty():
            return self.note(s, "范围内本年度尚无已发行电费。")
        rates = [percent(r) for r in d.curve["recovery_rate"]]
        target = percent(d.total["target"])
        low = max(0, math.floor(min(v for v in rates + [target] if v is not None) / 10) * 10)
        chart = pptx.chart(s, XL_CHART_TYPE.LINE, list(d.curve["day"]),
                           [(f"{labels.METRIC['recovery_rate']}（%）", rates, style.GOOD),
                            (f"{labels.METRIC['target']}（%）", [target] * len(rates), style.TARGET)],
                           f"{year} 年电费截至各日的回收率（%）", axis_format="0", value_range=(low, 100),
                           axis_title="回收率（%）")
        chart.series[1].format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        chart.series[1].format.line.width = Pt(2)
        axis = chart.category_axis
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = 'm"月"d"日"', False
        pptx.monthly_ticks(chart)

    def projection_slide(self) -> None:
        """Will D's year make its target: the chart (projection_chart), the figures in tiles and
        the projection in words. With too little history (or on 31 December) the words alone."""
        p, P = self.data.projection, labels.PROJECTION
        s = self.slide(P["slide"].format(year=p.year))
        if not projected(p):
            return self.note(s, sentence(p))
        chart_w, chart_h, gap = (WIDTH - 2 * MARGIN) * 2 / 3, Inches(4.3), Inches(0.3)
        self.projection_chart(s, int(chart_w), chart_h)
        start = p.as_of + dt.timedelta(days=1)
        reached = p.needed_daily == 0
        self.tiles(s, [
            (P["tile_rate"], fmt.pct(p.projected_rate),
             P["tile_band"].format(low=fmt.pct(p.low_rate), high=fmt.pct(p.high_rate)) if p.has_band
             else P["tile_one_year"], style.GOOD),
            (P["tile_now"].format(month=p.as_of.month, day=p.as_of.day), fmt.pct(p.recovery_rate),
             f"{labels.METRIC['target']} {fmt.pct(p.target)}", style.NEUTRAL),
            (P["tile_needed"], fmt.wan(p.needed_daily, unit=False),
             P["tile_reached"].format(target=fmt.pct(p.target)) if reached
             else P["tile_needed_sub"].format(month=start.month, day=start.day, days=p.days_left),
             style.GOOD if reached else style.WARN),
        ], cols=1, h=(chart_h - 2 * gap) / 3, top=BODY_TOP, left=int(MARGIN + chart_w + gap),
            width=int(WIDTH - 2 * MARGIN - chart_w - gap), gap=gap)
        pptx.textbox(s, MARGIN, BODY_TOP + chart_h + Inches(0.1), WIDTH - 2 * MARGIN, Inches(0.8), sentence(p), 16)
        pptx.textbox(s, MARGIN, BODY_TOP + chart_h + Inches(0.85), WIDTH - 2 * MARGIN, Inches(0.5),
                     P["based_on"].format(years=years_text(p)) + "。" + P["method"], 12, color=GREY)

    def projection_chart(self, slide, w: int, h: int) -> None:
        """The year's rate at each month end up to D (and on D), the projected path and its band on
        to 31 December, the target line. Month ends, like the path's points: the daily rate drops
        each time a month's bills are issued, and at this scale the drops would hide the outlook
        (the slide before has every day)."""
        p, P = self.data.projection, labels.PROJECTION
        ends = self.data.projection_curve.filter(
            ((pl.col("day") == pl.col("day").dt.month_end()) | (pl.col("day") == p.as_of))
            & pl.col("recovery_rate").is_not_null())
        curve = dict(zip(ends["day"], (percent(r) for r in ends["recovery_rate"])))
        path = {c: dict(zip(p.path["day"], (percent(r) for r in p.path[c]))) for c in ("rate", "low", "high")}
        days = sorted(curve.keys() | path["rate"].keys())
        series = [(f"{labels.METRIC['recovery_rate']}（%）", [curve.get(t) for t in days], style.GOOD),
                  (P["chart_path"], [path["rate"].get(t) for t in days], style.GOOD)]
        if p.has_band:
            series += [(f"{P['band']}（%）", [path[c].get(t) for t in days], style.BAND) for c in ("low", "high")]
        series.append((f"{labels.METRIC['target']}（%）", [percent(p.target)] * len(days), style.TARGET))
        shown = [v for _, values, _ in series for v in values if v is not None]
        chart = pptx.chart(slide, XL_CHART_TYPE.LINE_MARKERS, [point_label(t) for t in days], series,
                           P["chart_title"].format(year=p.year), w=w, h=h, axis_format="0.0",
                           value_range=(rate_floor(shown), 100), axis_title="回收率（%）")
        drawn = list(chart.plots[0].series)
        drawn[1].format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        for line in drawn[2:]:  # the band's edges and the target: lines without markers
            line.marker.style = XL_MARKER_STYLE.NONE
            line.format.line.width = Pt(1.5)
        if p.has_band:
            pptx.hide_legend_entry(chart, 3)  # the band's upper edge: the lower one names the band
        drawn[-1].format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        drawn[-1].format.line.width = Pt(2)
        pptx.label_point(drawn[0], days.index(p.as_of), "0.00", XL_LABEL_POSITION.BELOW)
        pptx.label_point(drawn[1], len(days) - 1, "0.00", XL_LABEL_POSITION.ABOVE)
        pptx.east_asian(chart.category_axis.tick_labels.font, 12)  # twelve month ends side by side

    def station_chart_slide(self) -> None:
        year = self.data.view.year
        s = self.slide(f"各供电所{labels.METRIC['recovery_rate']}与目标（%）")
        st = self.data.stations.filter(pl.col("recovery_rate").is_not_null())  # in ranking order
        if st.is_empty():
            return self.note(s, "范围内没有供电所有本年度已发行电费。")
        title = f"{year} 年各供电所电费回收率（%）"
        if st.height > MAX_STATIONS_CHART:
            st = st.tail(MAX_STATIONS_CHART)
            title = f"{year} 年回收率最低的 {MAX_STATIONS_CHART} 个供电所（%）"
        rates, targets = [percent(r) for r in st["recovery_rate"]], [percent(r) for r in st["target"]]
        pptx.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [fmt.cut(v) for v in st["station"]],
                   [(f"{labels.METRIC['recovery_rate']}（%）", rates, style.GOOD),
                    (f"{labels.METRIC['target']}（%）", targets, style.MUTED)],
                   title, labels_on=1 if st.height <= MAX_LABELLED else 0, axis_format="0.0",
                   value_range=(rate_floor(rates + targets), 100), axis_title="回收率（%）")

    def monthly_slide(self) -> None:
        d, v = self.data, self.data.view
        s = self.slide(f"各月电费回收率：{v.year} 年与 {v.year - 1} 年（%）")
        this, last = month_rates(d.months), month_rates(d.months_last_year)
        values = [r for r in this + last if r is not None]
        if not values:
            return self.note(s, "范围内没有这两年的已发行电费。")
        pptx.chart(s, XL_CHART_TYPE.LINE_MARKERS, [f"{m} 月" for m in range(1, 13)],
                   [(f"{v.year} 年", this, style.GOOD),
                    (f"{v.year - 1} 年", last, style.MUTED)],
                   f"电费年月回收率（截至 {v.as_of:%Y-%m-%d}；"
                   f"{labels.COMPARE['last_year'].format(day=f'{v.last_year:%Y-%m-%d}')}，%）",
                   labels_on=1, axis_format="0.0", value_range=(rate_floor(values), 100), axis_title="回收率（%）")

    def arrears_groups_slide(self, df: pl.DataFrame, what: str) -> None:
        top = top_arrears(df)
        count = f"（前 {top.height} 个）" if top.height else ""
        s = self.slide(f"欠费最多的{what}{count}：当年与往年（万元）")
        if top.is_empty():
            return self.note(s, "截至当日没有欠费。")
        top = top.reverse()  # a bar chart draws its first category at the bottom
        pptx.chart(s, XL_CHART_TYPE.BAR_STACKED, list(top["label"]),
                   [(labels.named(labels.METRIC["arrears_current_year"], "wan"), wan(top["arrears_current_year"]),
                     style.WARN),
                    (labels.named(labels.METRIC["arrears_prior_years"], "wan"), wan(top["arrears_prior_years"]),
                     style.ALERT)],
                   f"按{what}的欠费（截至 {self.data.view.as_of:%Y-%m-%d}，万元）", number_format="#,##0.00",
                   axis_format="#,##0", axis_title="欠费（万元）")

    def aging_slide(self) -> None:
        s = self.slide("欠费账龄（万元）")
        ag = self.data.aging
        if ag.is_empty() or sum(ag["arrears"].to_list(), Decimal(0)) == 0:
            return self.note(s, "截至当日没有欠费。")
        cats = [f"{labels.AGING_BUCKET.get(b, b)}\n{fmt.count(n)}"
                for b, n in zip(ag["bucket"], ag["arrears_customers"])]
        pptx.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                   [(labels.named(labels.METRIC["arrears"], "wan"), wan(ag["arrears"]), style.WARN)],
                   f"按逾期天数的欠费（截至 {self.data.view.as_of:%Y-%m-%d}，万元；分类下为欠费户数）",
                   labels_on=True, number_format="#,##0.00", axis_format="#,##0", axis_title="欠费（万元）")

    def high_energy_slide(self) -> None:
        d = self.data
        s = self.slide("高耗能企业：月度电费与平均电价")
        he = d.high_energy.filter(pl.col("customer_group") == "high_energy").sort("period")
        if he.is_empty():
            return self.note(s, "范围内没有高耗能企业的电费。")
        months = [f"{p:%Y-%m}" for p in he["period"]]
        half = (WIDTH - 2 * MARGIN - Inches(0.3)) / 2
        pptx.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, months,
                   [("高耗能企业电费（万元）", wan(he["amount"]), style.NEUTRAL)],
                   "高耗能企业月度电费（万元）", w=int(half), number_format="#,##0.00", axis_format="#,##0",
                   axis_title="电费（万元）")
        other = d.high_energy.filter(pl.col("customer_group") == "other_large_industry")
        price_other = dict(zip(other["period"], other["price_per_kwh"]))
        series = [("高耗能企业", [price(v) for v in he["price_per_kwh"]], style.ALERT)]
        if price_other:
            series.append(("其他大工业", [price(price_other.get(p)) for p in he["period"]], style.MUTED))
        pptx.chart(s, XL_CHART_TYPE.LINE_MARKERS, months, series, "平均电价（元/kWh）",
                   x=int(MARGIN + half + Inches(0.3)), w=int(half), number_format="0.0000",
                   axis_format="0.00", axis_title="元/kWh")

    def accounts_slide(self) -> None:
        s = self.slide(f"欠费前 {TOP_ACCOUNTS} 户（金额：万元；个人户名已脱敏）")
        if self.data.top_accounts.is_empty():
            return self.note(s, "截至当日没有欠费。")
        cut = fmt.cut
        rows = [[cut(r["customer_id"]), cut(r["customer_name"]) or "", r["risk_grade_label"], cut(r["station"]),
                 cut(r["village"]) or labels.UNREGISTERED, cut(labels.CATEGORY.get(r["category"], r["category"])),
                 cut(r["collector"]) or labels.UNASSIGNED, fmt.wan(r["arrears"], unit=False),
                 fmt.wan(r["arrears_prior_years"], unit=False), f"{r['days_overdue']:,}"]
                for r in self.data.top_accounts.iter_rows(named=True)]
        names = ("customer_id", "customer_name", "risk_grade", "station", "village", "category", "collector",
                 "arrears", "arrears_prior_years", "days_overdue")
        pptx.table(s, [bare(n) for n in names], rows, [1.75, 2.6, 0.8, 1.4, 1.4, 0.9, 1.3, 0.9, 0.95, 0.95],
                   right={7, 8, 9}, size=13)

    def ranking_slides(self) -> None:
        st = self.data.stations
        pages = max(1, math.ceil(st.height / TABLE_ROWS))
        for page in range(pages):
            suffix = f"（{page + 1}/{pages}）" if pages > 1 else ""
            s = self.slide(f"{labels.DIMENSION['station']}排名{suffix}（金额：{labels.UNIT['wan']}；"
                           f"{labels.COMPARE['gap']}：{labels.UNIT['points']}）")
            part = st.slice(page * TABLE_ROWS, TABLE_ROWS)
            if part.is_empty():
                self.note(s, "范围内没有供电所数据。")
                continue
            rows = [[str(r["rank"]), fmt.cut(r["station"]), fmt.pct(r["recovery_rate"]), fmt.pct(r["target"]),
                     fmt.points(r["gap_to_target"]), fmt.pct(r["cumulative_rate"]),
                     fmt.wan(r["billed"], unit=False), fmt.wan(r["recovered"], unit=False),
                     fmt.wan(r["arrears"], unit=False), fmt.count(r["arrears_customers"], unit=None)]
                    for r in part.iter_rows(named=True)]
            names = ("rank", "station", "recovery_rate", "target", "gap_to_target", "cumulative_rate", "billed",
                     "recovered", "arrears", "arrears_customers")
            pptx.table(s, [bare(n) for n in names], rows,
                       [0.7, 1.9, 1.3, 1.2, 1.1, 1.3, 1.45, 1.45, 1.1, 1.1], right=set(range(2, 10)))


    # --- collection operations (docs/DATA.md §6): grades, penalties, the collectors' ranking
    def risk_slide(self) -> None:
        """Customers per grade against last month's end, and how many moved: tiles."""
        d, R, D = self.data, labels.RISK, labels.DECK
        day = collections.last_month_end(d.view.as_of)
        s = self.slide(D["risk"].format(day=f"{day:%Y-%m-%d}"))
        then_now, kinds = collections.grades_then_and_now(d.risk_moves), collections.moves_by_kind(d.risk_moves)
        grades = []
        for r in d.risk.iter_rows(named=True):
            then, now = then_now[r["risk_grade"]]
            grades.append((labels.named(labels.RISK_GRADE_WORD[r["risk_grade"]], "accounts"),
                           fmt.count(r["customers"], unit=None),
                           f"{labels.METRIC['arrears']} {fmt.wan(r['arrears'])}｜{fmt.versus_month_end(now, then)}",
                           style.GRADE[r["risk_grade"]]))
        self.tiles(s, grades, cols=3, h=Inches(2.1))
        moved = [(labels.named(labels.RISK_MOVE[k], "accounts"), fmt.count(kinds[k], unit=None),
                  D["move_sub"][k], style.NEUTRAL) for k in ("up", "down", "new", "cleared")]
        self.tiles(s, moved, cols=4, h=Inches(1.9), top=BODY_TOP + Inches(2.65))
        pptx.textbox(s, MARGIN, BODY_TOP + Inches(4.75), WIDTH - 2 * MARGIN, Inches(0.8),
                     collections.rule_text(d.settings.risk), 13, color=GREY)

    def risk_stations_slide(self) -> None:
        """Arrears per grade by station: one stacked bar a station, the largest first."""
        top = self.data.risk_stations.filter(pl.col("arrears_customers") > 0) \
            .sort(["arrears", "station"], descending=[True, False]).head(TOP_GROUPS)
        s = self.slide(labels.DECK["risk_stations"])
        if top.is_empty():
            return self.note(s, labels.DECK["no_arrears"])
        top = top.reverse()  # a bar chart draws its first category at the bottom
        pptx.chart(s, XL_CHART_TYPE.BAR_STACKED, [fmt.cut(v) for v in top["station"]],
                   [(labels.RISK_GRADE_WORD[g], wan(top[f"arrears_{g}"]), style.GRADE[g]) for g in GRADES],
                   f"按{labels.DIMENSION['station']}与风险等级的欠费（截至 {self.data.view.as_of:%Y-%m-%d}，万元）",
                   number_format="#,##0.00", axis_format="#,##0", axis_title="欠费（万元）",
                   labels_on=1 if top.height <= MAX_LABELLED else 0)  # 高 labelled: the rest are small

    def penalty_slide(self) -> None:
        """The penalty exposure in total and per station."""
        d, D = self.data, labels.DECK
        s = self.slide(D["penalty"])
        p = d.penalty
        third = (WIDTH - 2 * MARGIN - Inches(0.3)) / 3
        box = [(labels.named(labels.METRIC["penalty_exposure"], "wan"), fmt.wan(p["penalty_exposure"], unit=False),
                f"{labels.METRIC['penalty_bills']} {fmt.count(p['penalty_bills'], 'bills')}", style.ALERT)]
        self.tiles(s, box, cols=3, h=Inches(2.4), top=BODY_TOP + Inches(0.6))
        rate = collections.rate_in_force(d.settings, d.view.as_of)
        note = D["no_rate"] if rate is None else D["penalty_note"].format(
            residential=per_mille(rate.residential), current_year=per_mille(rate.current_year),
            cross_year=per_mille(rate.cross_year), minimum=fmt.yuan(rate.minimum, unit=False))
        pptx.textbox(s, MARGIN, BODY_TOP + Inches(3.3), third, Inches(2.5), note, 14, color=GREY)
        stations = d.penalty_stations.head(TOP_GROUPS)
        if stations.is_empty():
            return
        stations = stations.reverse()
        pptx.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [fmt.cut(v) for v in stations["station"]],
                   [(labels.named(labels.METRIC["penalty_exposure"], "wan"), wan(stations["penalty_exposure"]),
                     style.ALERT)],
                   f"各{labels.DIMENSION['station']}{labels.METRIC['penalty_exposure']}（万元）",
                   x=int(MARGIN + third + Inches(0.3)), w=int(2 * third), number_format="#,##0.00",
                   axis_format="#,##0", labels_on=True, axis_title="违约金（万元）")

    def collector_chart_slide(self) -> None:
        """Each collector's rate against target, in the ranking's order (the first and the last
        15 when there are more than 30)."""
        d, D = self.data, labels.DECK
        rated = d.collectors.filter(pl.col("recovery_rate").is_not_null())
        first, last = fmt.ends(rated, COLLECTORS_CHART)
        shown = pl.concat([first, last])
        s = self.slide(D["collectors_chart_ends"].format(n=COLLECTORS_CHART, total=rated.height) if last.height
                       else D["collectors_chart"])
        if shown.is_empty():
            return self.note(s, D["no_collector_rates"])
        rates, targets = [percent(r) for r in shown["recovery_rate"]], [percent(r) for r in shown["target"]]
        pptx.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, collector_labels(shown),
                   [(f"{labels.METRIC['recovery_rate']}（%）", rates, style.GOOD),
                    (f"{labels.METRIC['target']}（%）", targets, style.MUTED)],
                   D["collectors_chart_title"].format(year=d.view.year),
                   labels_on=1 if shown.height <= MAX_LABELLED else 0, axis_format="0.0",
                   value_range=(rate_floor(rates + targets), 100), axis_title="回收率（%）")

    def collector_table_slide(self) -> None:
        """The collectors' ranking: every one, or the first and the last six."""
        d, D = self.data, labels.DECK
        first, last = fmt.ends(d.collectors, COLLECTORS_TABLE)
        s = self.slide(D["collectors_table_ends"].format(n=COLLECTORS_TABLE, total=d.collectors.height) if last.height
                       else D["collectors_table"])
        if first.is_empty():
            return self.note(s, D["no_collectors"])

        def row(r: dict) -> list[str]:
            return [str(r["rank"]), fmt.cut(r["station"]), fmt.cut(r["collector"]), fmt.pct(r["recovery_rate"]),
                    fmt.pct(r["target"]), fmt.points(r["gap_to_target"]), fmt.wan(r["billed"], unit=False),
                    fmt.wan(r["recovered"], unit=False), fmt.wan(r["arrears"], unit=False),
                    fmt.count(r["arrears_customers"], unit=None)]

        rows = [row(r) for r in first.iter_rows(named=True)]
        if last.height:
            rows += [["…"] + [""] * 9] + [row(r) for r in last.iter_rows(named=True)]
        names = ("rank", "station", "collector", "recovery_rate", "target", "gap_to_target", "billed", "recovered",
                 "arrears", "arrears_customers")
        pptx.table(s, [bare(n) for n in names], rows, [0.7, 1.7, 1.6, 1.2, 1.1, 1.1, 1.35, 1.35, 1.1, 1.1],
                   right=set(range(3, 10)), size=13)


def render(data: DeckData) -> bytes:
    """The slides, in the order of the meeting: headline, then one key chart per page."""
    deck = Deck(data)
    deck.title_slide()
    deck.headline_slide()
    deck.curve_slide()
    deck.projection_slide()
    deck.station_chart_slide()
    deck.monthly_slide()
    deck.arrears_groups_slide(data.villages, labels.DIMENSION["village"])
    deck.arrears_groups_slide(data.lines, labels.DIMENSION["line"])
    deck.aging_slide()
    deck.risk_slide()
    deck.risk_stations_slide()
    deck.penalty_slide()
    deck.high_energy_slide()
    deck.accounts_slide()
    deck.ranking_slides()
    deck.collector_chart_slide()
    deck.collector_table_slide()
    return pptx.to_bytes(deck.prs)


def build_deck(ex: Extract, view: View) -> bytes:
    """The meeting deck of a view: its scope, as of its date, for its year."""
    return render(collect(ex, view))
