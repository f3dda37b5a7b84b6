"""重点客户 — the key and high-energy accounts one by one (docs/DATA.md §6): for each, this
month's bill, paid and outstanding against its due date, its arrears, last payment and
instalment plan; the watch list of those paying later month after month; one account's bills
and price per kWh since the 2021 reform, how late it paid each month and its plan; and every
instalment part in scope."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from plotly.subplots import make_subplots

from queries import labels
from queries.collections import SettingsError, load_settings
from reports import format as fmt
from reports.columns import col
from reports.format import wan_numbers
from ui import app, charts, data, frame, personal, tables

ex, view = app.page_view()
frame.header(view, labels.PAGE_TITLE["key_accounts"])
words, names = labels.KEY_ACCOUNTS, labels.COLUMN
PERSONAL = "key_accounts_show_personal"  # the contact toggle, drawn above the list

DELAY_MONTHS = 12  # bill months on the chart of how late an account paid


def columns(*wanted: str) -> list:
    return [col(name) for name in wanted]


def in_words(df: pl.DataFrame, **codes: dict) -> pl.DataFrame:
    """Code columns (bill_status, channel, status) in their Chinese words, for screen and download."""
    return df.with_columns(pl.col(c).replace_strict(w, default=pl.col(c), return_dtype=pl.String)
                           for c, w in codes.items())


show_personal = personal.contacts_wanted(view, PERSONAL)  # the toggle itself is drawn above the list
accounts = data.query("key_accounts", view.scope, as_of=view.as_of, show_personal=show_personal)
if accounts.is_empty():
    frame.empty(words["empty"])
    st.stop()
try:  # a settings file that cannot be used is named, and the rest of the page still shows
    settings, broken = load_settings(), None
    watch = data.query("payment_slippage", view.scope, as_of=view.as_of, show_personal=show_personal,
                       watch=settings.params()["watch"])
except SettingsError as exc:
    settings, watch, broken = None, None, str(exc)
parts = data.query("instalment_parts", view.scope, as_of=view.as_of, show_personal=show_personal)

# --- tiles -------------------------------------------------------------------------------
owing = accounts.filter(pl.col("arrears") > 0)
overdue = accounts.filter(pl.col("bill_status") == "overdue")["outstanding"].sum()
month = accounts["period"].drop_nulls().mode().max()
c = st.columns(5)
c[0].metric(labels.named(words["accounts"], "accounts"), fmt.count(accounts.height, unit=None), border=True,
            help=words["accounts_help"])
c[1].metric(labels.named(words["month_amount"], "wan"), fmt.wan(accounts["amount"].sum(), unit=False), border=True,
            help=words["month_amount_help"].format(month=fmt.month_cn(month)))
c[2].metric(labels.named(words["month_outstanding"], "wan"), fmt.wan(accounts["outstanding"].sum(), unit=False),
            border=True, help=words["month_outstanding_help"].format(overdue=fmt.yuan(overdue)))
c[3].metric(labels.named(labels.METRIC["arrears"], "wan"), fmt.wan(owing["arrears"].sum(), unit=False), border=True,
            help=words["arrears_help"].format(accounts=owing.height))
c[4].metric(labels.named(words["watch"], "accounts"), fmt.DASH if watch is None else fmt.count(watch.height, unit=None),
            border=True, help=words["watch_help"])

# --- every account -----------------------------------------------------------------------
st.subheader(words["list"])
personal.contacts_toggle(view, PERSONAL, words["show_personal"], words["show_personal_help"])
st.caption(words["list_note"] + ("" if show_personal else words["masked"]))
listed = in_words(accounts, bill_status=labels.BILL_STATUS, last_payment_channel=labels.CHANNEL)
tables.show_table(listed, columns(
    "customer_id", "customer_name", *(["phone"] if show_personal else []), "station", "collector", "industry",
    "is_key_account", "is_high_energy", "period", "amount", "paid", "outstanding", "due_on", "days_to_due",
    "days_overdue", "bill_status", "arrears", "last_paid_at", "last_payment_amount", "last_payment_channel",
    "plan_parts", "next_part_due_on", "next_part_amount", "parts_missed",
), view, key="key_accounts_list", filename=words["list"], title=words["list"],
   height=min(36 * accounts.height + 40, 560))

# --- the watch list ----------------------------------------------------------------------
st.subheader(words["watch"])
if watch is None:
    st.error(words["settings_broken"], icon=":material/settings_alert:")
    frame.text(broken)
else:
    st.caption(words["watch_rule"].format(months=settings.watch.rises + 1, days=settings.watch.min_rise_days))
    if watch.is_empty():
        st.success(words["watch_none"], icon=":material/check_circle:")
    else:
        watch = watch.with_columns(
            pl.col("days_late_by_month").cast(pl.List(pl.Float64)).alias("days_late_trend"),
            pl.col("days_late_by_month").list.eval(pl.element().cast(pl.String)).list.join(" → ").alias("days_late_text"))
        tables.show_table(watch, columns(
            "customer_id", "customer_name", *(["phone"] if show_personal else []), "station", "collector", "industry",
            "is_key_account", "days_late_trend", "days_late_text", "latest_period", "latest_days_late", "arrears",
        ), view, key="key_accounts_watch", filename=words["watch"], title=words["watch"])

# --- one account -------------------------------------------------------------------------
st.subheader(words["one"])
ids = accounts["customer_id"].to_list()
shown = dict(zip(ids, fmt.distinct([f"{n}（{i}）" for n, i in zip(accounts["customer_name"], ids)], keys=ids)))
if st.session_state.get("key_accounts_pick") not in shown:  # a filter change left it out of scope
    st.session_state.pop("key_accounts_pick", None)
pick = st.selectbox(words["pick"], ids, format_func=shown.get, key="key_accounts_pick", help=words["pick_help"])
account = accounts.filter(pl.col("customer_id") == pick).row(0, named=True)
name = account["customer_name"]

c = st.columns(5)
period = account["period"]
c[0].metric(labels.named(f"{period:%Y-%m} {names['amount']}" if period else names["amount"], "wan"),
            fmt.wan(account["amount"], unit=False), border=True)
c[1].metric(labels.named(names["paid"], "wan"), fmt.wan(account["paid"], unit=False), border=True)
c[2].metric(labels.named(names["outstanding"], "wan"), fmt.wan(account["outstanding"], unit=False), border=True)
if account["bill_status"] is None:
    status = words["no_bill"]
elif account["bill_status"] == "paid":
    status = words["paid_in_full"]
elif account["bill_status"] == "overdue":
    status = words["overdue_by"].format(days=account["days_overdue"])
else:
    status = words["due_today"] if account["days_to_due"] == 0 else words["due_in"].format(days=account["days_to_due"])
c[3].metric(words["status_tile"].format(due=account["due_on"] or fmt.DASH), status, border=True)
c[4].metric(labels.named(labels.METRIC["arrears"], "wan"), fmt.wan(account["arrears"], unit=False), border=True)
if account["last_paid_at"] is None:
    st.caption(words["no_payment"])
else:
    frame.text(words["last_payment"].format(
        at=f"{account['last_paid_at']:%Y-%m-%d %H:%M}", amount=fmt.yuan(account["last_payment_amount"]),
        channel=labels.CHANNEL.get(account["last_payment_channel"], account["last_payment_channel"])), "fee-caption")

monthly = data.query("account_monthly", view.scope, as_of=view.as_of, customer_id=pick)
left, right = st.columns([3, 2])
with left:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    charts.by_month(fig, x=monthly["period"], y=wan_numbers(monthly["amount"]), name=names["amount"],
                    marker_color=charts.WARN,
                    hovertemplate=f"{charts.MONTH_HOVER}<br>{names['amount']} %{{y:,.2f}} {labels.UNIT['wan']}"
                                  "<extra></extra>", secondary_y=False)
    charts.by_month(fig, kind="line", x=monthly["period"], y=monthly["price_per_kwh"].to_list(),
                    name=names["price_per_kwh"], mode="lines+markers", line={"color": charts.PRICE, "width": 2.5},
                    marker={"size": 5}, secondary_y=True,
                    hovertemplate=f"{charts.MONTH_HOVER}<br>{names['price_per_kwh']} %{{y:.4f}} "
                                  f"{labels.UNIT['price']}<extra></extra>")
    charts.mark_reform(fig, monthly["period"])
    charts.layout(fig, view, words["trend"].format(name=charts.label(name)), height=400)
    fig.update_yaxes(title=labels.named(names["amount"], "wan"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title=labels.named(names["price_per_kwh"], "price"), tickformat=".2f", rangemode="tozero",
                     showgrid=False, secondary_y=True)
    charts.month_axis(fig, 6)
    fig.update_xaxes(title=labels.DIMENSION["period"])
    charts.show(fig, "key_accounts_trend", words["trend"].format(name=fmt.cut(name)))
with right:
    late = monthly.filter(pl.col("days_late").is_not_null()).tail(DELAY_MONTHS)
    fig = go.Figure()
    charts.by_month(fig, x=late["period"], y=late["days_late"].to_list(), name=names["days_overdue"],
                    marker_color=[charts.ALERT if o else charts.NEUTRAL for o in late["owing"]],
                    text=late["days_late"].to_list(), textposition="outside", cliponaxis=False,  # 0 shows too
                    hovertemplate=f"{charts.MONTH_HOVER}<br>{names['days_overdue']} %{{y}} {labels.UNIT['days']}"
                                  "<extra></extra>")
    charts.mark_reform(fig, late["period"])
    charts.layout(fig, view, words["delays"].format(name=charts.label(name), months=DELAY_MONTHS), height=400,
                  legend=False)
    fig.update_yaxes(title=labels.named(names["days_overdue"], "days"), rangemode="tozero")
    charts.month_axis(fig, 6)
    fig.update_xaxes(title=labels.DIMENSION["period"])
    charts.show(fig, "key_accounts_delays", words["delays"].format(name=fmt.cut(name), months=DELAY_MONTHS))
    st.caption(words["delays_note"])

st.markdown(f"**{words['plan']}**")
own = in_words(parts.filter(pl.col("customer_id") == pick), status=labels.INSTALMENT_STATUS)
if own.is_empty():
    st.caption(words["plan_none"])
else:
    tables.show_table(own, columns(
        "bill_id", "period", "part_due_on", "part_amount", "instalment_status", "due_by_then", "paid_by_due",
        "paid_now", "bill_amount",
    ), view, key="key_accounts_plan", filename=f"{words['plan']}_{pick}", title=f"{words['plan']}（{pick}）",
       height=min(36 * own.height + 40, 560))

# --- every instalment part in scope ------------------------------------------------------
st.subheader(words["plans"])
st.caption(words["plans_note"])
statuses = data.query("instalment_status", view.scope, as_of=view.as_of)
c = st.columns(4)
for box, row in zip(c, statuses.iter_rows(named=True)):
    box.metric(labels.named(labels.INSTALMENT_STATUS[row["status"]], "parts"), fmt.count(row["parts"], unit=None),
               border=True, help=f"{fmt.count(row['bills'], unit='bills')}，{fmt.yuan(row['amount'])}")
if parts.is_empty():
    st.info(words["plans_none"], icon=":material/info:")
else:
    tables.show_table(in_words(parts, status=labels.INSTALMENT_STATUS), columns(
        "customer_id", "customer_name", "station", "collector", "bill_id", "period", "part_due_on", "part_amount",
        "instalment_status", "due_by_then", "paid_by_due", "paid_now", "bill_amount",
    ), view, key="key_accounts_plans", filename=words["plans"], title=words["plans"],
       height=min(36 * parts.height + 40, 560))
