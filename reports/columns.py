"""Column specs for tables: one place says a column's Chinese header and its kind, so the
screen, the Excel file and the CSV all show it the same way."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from queries import labels

from .format import CUT, cut_column


@dataclass(frozen=True)
class Col:
    name: str
    label: str
    kind: str = "text"  # text | money | rate | int | date | month | kwh | price | share | bool | days
    cut: int | None = CUT  # text on screen: characters shown before … (CONTRACT §4); None: whole


COMMON = {
    "customer_id": Col("customer_id", "户号"),
    "customer_name": Col("customer_name", "户名"),
    "phone": Col("phone", "联系电话"),
    "station": Col("station", "供电所"),
    "village": Col("village", "村/社区"),
    "line": Col("line", "10kV 线路"),
    "transformer": Col("transformer", "台区"),
    "category": Col("category", "用电类别"),
    "collector": Col("collector", "抄表催费责任人"),
    "industry": Col("industry", "行业"),
    "is_high_energy": Col("is_high_energy", "高耗能", "bool"),
    "is_key_account": Col("is_key_account", "重点客户", "bool"),
    "billed": Col("billed", "应收（元）", "money"),
    "recovered": Col("recovered", "实收（元）", "money"),
    "recovery_rate": Col("recovery_rate", "回收率", "rate"),
    "prior_opening": Col("prior_opening", "年初陈欠（元）", "money"),
    "prior_recovered": Col("prior_recovered", "陈欠回收（元）", "money"),
    "prior_recovery_rate": Col("prior_recovery_rate", "以前年度回收率", "rate"),
    "cumulative_rate": Col("cumulative_rate", "累计回收率", "rate"),
    "arrears": Col("arrears", "欠费（元）", "money"),
    "arrears_current_year": Col("arrears_current_year", "当年欠费（元）", "money"),
    "arrears_prior_years": Col("arrears_prior_years", "往年欠费（元）", "money"),
    "arrears_customers": Col("arrears_customers", "欠费户数", "int"),
    "arrears_bills": Col("arrears_bills", "欠费笔数", "int"),
    "target": Col("target", "回收目标", "rate"),
    "gap_to_target": Col("gap_to_target", "与目标差（百分点）", "share"),
    "oldest_period": Col("oldest_period", "最早欠费月份", "month"),
    "days_overdue": Col("days_overdue", "逾期天数", "days"),
    "period": Col("period", "电费年月", "month"),
    "kwh": Col("kwh", "电量（kWh）", "kwh"),
    "amount": Col("amount", "电费（元）", "money"),
    "price_per_kwh": Col("price_per_kwh", "平均电价（元/kWh）", "price"),
}


def col(name: str, label: str | None = None, kind: str | None = None, cut: int | None = CUT) -> Col:
    base = COMMON.get(name, Col(name, name))
    return Col(name, label or base.label, kind or base.kind, cut)


def display_frame(df: pl.DataFrame, cols: list[Col], screen: bool = False) -> pl.DataFrame:
    """The columns in order, codes turned into Chinese labels, numbers as floats for display,
    rates as truncated percentages (so 99.996 % reads 99.99 %). On `screen`, text is cut at
    each column's `cut` (downloads keep it whole)."""
    from .format import truncated_rate

    out = []
    for c in cols:
        s = df.get_column(c.name)
        if c.name == "category":
            s = s.replace_strict(labels.CATEGORY, default=s, return_dtype=pl.Utf8)
        elif c.name == "channel":
            s = s.replace_strict(labels.CHANNEL, default=s, return_dtype=pl.Utf8)
        elif c.name in ("village", "line"):
            s = s.fill_null(labels.UNREGISTERED)
        if c.kind == "rate":
            s = pl.Series(c.name, [None if v is None else float(truncated_rate(v)) for v in s.to_list()],
                          dtype=pl.Float64)
        elif c.kind in ("money", "kwh", "price", "share"):
            s = s.cast(pl.Float64)
        elif screen:
            s = cut_column(s, c.cut)
        out.append(s.alias(c.label))
    return pl.DataFrame(out)
