"""高耗能客户 — energy, bills and price per kWh of the high-energy enterprises around the
October 2021 tariff reform, compared with other large industry; time-of-use and tariff mix;
each customer's bills and arrears; and the split by industry."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from plotly.subplots import make_subplots

from queries import labels
from reports import format as fmt
from reports.columns import col
from reports.format import wan_numbers
from ui import app, charts, data, frame, tables

ex, view = app.page_view()
frame.header(view, "高耗能客户")

monthly = data.query("high_energy_monthly", view.scope, as_of=view.as_of)
customers = data.query("high_energy_customers", view.scope, as_of=view.as_of)
high = monthly.filter(pl.col("customer_group") == "high_energy").sort("period")
others = monthly.filter(pl.col("customer_group") == "other_large_industry").sort("period")
if customers.is_empty() or high.is_empty():
    frame.empty("当前筛选范围内没有高耗能客户的电费。请放宽筛选条件（供电所、村/社区、线路、类别）。")
    st.stop()

# --- tiles -------------------------------------------------------------------------------
latest = high.row(-1, named=True)
year_before = high.filter(pl.col("period") == latest["period"].replace(year=latest["period"].year - 1))
price_before = year_before["price_per_kwh"][0] if year_before.height else None
in_arrears = customers.filter(pl.col("arrears") > 0)
month_text = f"{latest['period']:%Y-%m}"

named, names = labels.named, labels.COLUMN
price = latest["price_per_kwh"]
c = st.columns(4)
c[0].metric(named("高耗能客户", "accounts"), fmt.count(customers.height, unit=None), border=True,
            help="范围内标记为高耗能企业的用户数。")
c[1].metric(named(f"{month_text} {names['amount']}", "wan"), fmt.wan(latest["amount"], unit=False), border=True,
            help=f"{fmt.month_cn(latest['period'])}（截至当日已发行的最新电费年月）高耗能客户的应收电费；"
                 f"{names['kwh']} {fmt.wan(latest['kwh'], unit=False)} {labels.UNIT['wan_kwh']}。")
c[2].metric(named(f"{month_text} {names['price_per_kwh']}", "price"), fmt.DASH if price is None else f"{price:.4f}",
            None if price is None or price_before is None else f"{price - price_before:+.4f} 较去年同月",
            delta_color="inverse", border=True, help="平均电价 = 电费 ÷ 电量；较去年同一电费年月。")
c[3].metric(named(f"高耗能客户{labels.METRIC['arrears']}", "wan"), fmt.wan(in_arrears["arrears"].sum(), unit=False),
            border=True, help=f"截至当日已过缴费截止日且未结清的电费；涉及 {in_arrears.height} 户。")

# --- energy, amount and price per month --------------------------------------------------
fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
charts.by_month(fig, x=high["period"], y=wan_numbers(high["kwh"]), name="电量", marker_color=charts.NEUTRAL,
                hovertemplate=charts.MONTH_HOVER + "<br>电量 %{y:,.2f} 万kWh<extra></extra>", row=1, col=1)
charts.by_month(fig, x=high["period"], y=wan_numbers(high["amount"]), name="电费", marker_color=charts.WARN,
                hovertemplate=charts.MONTH_HOVER + "<br>电费 %{y:,.2f} 万元<extra></extra>", row=2, col=1)
charts.by_month(fig, kind="line", x=high["period"], y=high["price_per_kwh"].to_list(), name="平均电价",
                mode="lines+markers", line={"color": charts.PRICE, "width": 2.5}, marker={"size": 6},
                hovertemplate=charts.MONTH_HOVER + "<br>平均电价 %{y:.4f} 元/kWh<extra></extra>", row=3, col=1)
charts.mark_reform(fig, high["period"], note_yref="y3 domain")
charts.layout(fig, view, "高耗能客户月度电量、电费与平均电价", height=640, legend=False)
fig.update_yaxes(title="电量（万kWh）", rangemode="tozero", row=1, col=1)
fig.update_yaxes(title="电费（万元）", rangemode="tozero", row=2, col=1)
fig.update_yaxes(title="平均电价（元/kWh）", tickformat=".2f", rangemode="tozero", row=3, col=1)
charts.month_axis(fig)
fig.update_xaxes(title="电费年月", row=3, col=1)
charts.show(fig, "high_energy_trend", "高耗能客户月度电量电费电价")

# --- price per kWh against other large industry --------------------------------------------
fig = go.Figure()
for df, name, style in (
    (others, "其他大工业客户", {"color": charts.MUTED, "width": 2, "dash": "dot"}),
    (high, "高耗能客户", {"color": charts.PRICE, "width": 3}),
):
    if df.is_empty():
        continue
    charts.by_month(fig, kind="line", x=df["period"], y=df["price_per_kwh"].to_list(), name=name, mode="lines+markers",
                    line=style, marker={"size": 6, "color": style["color"]},
                    hovertemplate=charts.MONTH_HOVER + f"<br>{name}<br>平均电价 %{{y:.4f}} 元/kWh<extra></extra>")
charts.mark_reform(fig, high["period"])
charts.layout(fig, view, "平均电价：高耗能客户与其他大工业客户")
fig.update_yaxes(title="平均电价（元/kWh）", tickformat=".2f", rangemode="tozero")
charts.month_axis(fig)
fig.update_xaxes(title="电费年月")
charts.show(fig, "high_energy_price", "高耗能与其他大工业平均电价")
if others.is_empty():
    st.caption("当前范围内没有其他大工业客户，无法对比。")

# --- time-of-use shares and tariff mix -----------------------------------------------------
left, right = st.columns(2)
with left:
    tou = high.filter(pl.col("peak_share").is_not_null())
    fig = go.Figure()
    for share, name, colour in (("valley_share", "谷段", "#3AA3B5"), ("flat_share", "平段", charts.NEUTRAL),
                                ("peak_share", "峰段", charts.WARN)):
        charts.by_month(fig, x=tou["period"], y=(tou[share] * 100).to_list(), name=name, marker_color=colour,
                        hovertemplate=charts.MONTH_HOVER + f"<br>{name}电量占比 %{{y:.1f}} %<extra></extra>")
    charts.mark_reform(fig, tou["period"])
    charts.layout(fig, view, "高耗能客户峰平谷电量占比")
    fig.update_layout(barmode="stack", bargap=0.15)
    # headroom above 100 % for the reform note
    fig.update_yaxes(title="电量占比（%）", range=[0, 122],
                     tickvals=list(range(0, 101, 20)), ticktext=[f"{v} %" for v in range(0, 101, 20)])
    charts.month_axis(fig, 6)
    fig.update_xaxes(title="电费年月")
    charts.show(fig, "high_energy_tou", "高耗能客户峰平谷电量占比")
    st.caption("只计分时计量（峰、平、谷电量齐全）的电费。")
with right:
    fig = go.Figure()
    for column, tariff, colour in (("amount_catalogue", "catalogue", charts.MUTED),
                                   ("amount_agency", "agency", "#C9A227"),
                                   ("amount_market", "market", charts.NEUTRAL)):
        if not (high[column] != 0).any():
            continue
        name = labels.TARIFF[tariff]
        charts.by_month(fig, x=high["period"], y=wan_numbers(high[column]), name=name, marker_color=colour,
                        hovertemplate=charts.MONTH_HOVER + f"<br>{name} %{{y:,.2f}} 万元<extra></extra>")
    charts.mark_reform(fig, high["period"])
    charts.layout(fig, view, "高耗能客户电费按电价类型")
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(title="电费（万元）")
    charts.month_axis(fig, 6)
    fig.update_xaxes(title="电费年月")
    charts.show(fig, "high_energy_tariff", "高耗能客户电费按电价类型")
    st.caption("未标电价类型的电费计入目录电价。")

# --- each customer -----------------------------------------------------------------------
st.subheader("高耗能客户明细")
customers = customers.with_columns(
    pl.when(pl.col("arrears") > 0).then(pl.col("days_overdue")).alias("days_overdue"))
tables.show_table(customers, [
    col("customer_id"), col("customer_name"), col("industry"), col("station"), col("line"), col("is_key_account"),
    col("amounts_12m"), col("latest_period"), col("latest_amount"), col("latest_kwh"), col("latest_price_per_kwh"),
    col("amount_ytd", year=view.as_of.year), col("arrears"), col("days_overdue"),
], view, key="high_energy_customers", filename="高耗能客户明细", title="高耗能客户明细",
   height=min(36 * customers.height + 40, 720))

# --- by industry ---------------------------------------------------------------------------
st.subheader("按行业")
industries = data.query("high_energy_by_industry", view.scope, as_of=view.as_of, year=view.year)
industries = industries.with_columns(pl.col("industry").fill_null(labels.UNREGISTERED))


def industry_bars(df: pl.DataFrame, column: str, what: str, colour: str, title: str, key: str) -> None:
    values = wan_numbers(df[column])
    fig = go.Figure()
    fig.add_bar(  # industry names cut and escaped on the axis, whole in the hover
        y=charts.labels(df["industry"]), x=values, orientation="h", name=what, marker_color=colour,
        customdata=list(zip(df["accounts"], wan_numbers(df["kwh"]),
                            df["price_per_kwh"].fill_null(float("nan")).to_list(),
                            wan_numbers(df["amount"]), wan_numbers(df["arrears"]),
                            [charts.hover_text(v) for v in df["industry"]])),
        hovertemplate="<b>%{customdata[5]}</b>（%{customdata[0]} 户）<br>电费 %{customdata[3]:,.2f} 万元"
                      "<br>电量 %{customdata[1]:,.2f} 万kWh<br>平均电价 %{customdata[2]:.4f} 元/kWh"
                      "<br>欠费 %{customdata[4]:,.2f} 万元<extra></extra>",
        text=[f"{v:,.2f}" for v in values], textposition="outside", cliponaxis=False)
    charts.layout(fig, view, title, height=max(300, 36 * df.height + 140), legend=False)
    fig.update_layout(margin_r=60)
    fig.update_xaxes(title=f"{what}（万元）", rangemode="tozero")
    fig.update_yaxes(title=None, autorange="reversed")
    charts.show(fig, key, title)


if industries.is_empty():
    st.info(f"{view.year} 年没有高耗能客户的电费。", icon=":material/info:")
else:
    left, right = st.columns(2)
    with left:
        industry_bars(industries, "amount", "电费", charts.NEUTRAL, f"{view.year} 年高耗能客户电费按行业",
                      "high_energy_industry_amount")
    with right:
        owing = industries.filter(pl.col("arrears") > 0).sort("arrears", descending=True)
        if owing.is_empty():
            st.success("截至当日高耗能客户没有欠费。", icon=":material/check_circle:")
        else:
            industry_bars(owing, "arrears", "欠费", charts.WARN, "高耗能客户欠费按行业", "high_energy_industry_arrears")
    tables.show_table(industries, [
        col("industry"), col("accounts"), col("kwh", year=view.year), col("amount", year=view.year),
        col("price_per_kwh"), col("arrears"),
    ], view, key="high_energy_industry_table", filename="高耗能客户按行业", title="高耗能客户按行业")
