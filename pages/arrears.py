"""欠费分析 — where the arrears sit: tiles, arrears by village or 10 kV line (click a bar to
narrow the account list), the station → village/line treemap, aging, the risk grades (per
grade by station, village or collector, and their moves since last month's end), the accounts
to chase with their grade (filter by grade), and the in-transit and bank-shortfall lists."""

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from queries import Scope, collections, labels
from reports import format as fmt
from reports import style
from reports.columns import col
from reports.format import wan_numbers
from ui import app, charts, data, frame, personal, selection, tables, tiles

ex, view = app.page_view()
frame.header(view, "欠费分析")

# a village or line is a member of one station; '' stands for a null one (as in Scope)
DIMENSIONS = {d: labels.DIMENSION[d] for d in ("village", "line")}
BARS = "arrears_bars"  # the clickable bar chart (ui/selection.py)
SHOWN = 2000  # rows of the account list on screen; the downloads hold every account
RISK_DIMENSIONS = {d: labels.DIMENSION[d] for d in ("station", "village", "collector")}
RISK_CHART_GROUPS = 25  # groups on the risk-grade bars (the table holds all)
GRADE_ROWS = ("high", "medium", "low", "none")  # a move's grade, highest first


def narrowed(dimension: str, station: str, key: str) -> Scope:
    return dataclasses.replace(view.scope, stations=(station,), **{f"{dimension}s": (key,)})


def listing(df: pl.DataFrame, title: str, icon: str, note: str, cols: list, key: str) -> None:
    """A folded list under the page: its count in the title, a note, the table or 'none'."""
    with st.expander(f"{title}（{df.height:,} 笔）", icon=icon):
        st.caption(note)
        if df.is_empty():
            st.success(f"没有{title.removesuffix('提醒')}。", icon=":material/check_circle:")
        else:
            tables.show_table(df, cols, view, key=key, filename=title, title=title)


def arrears(as_of: dt.date, group_by: str) -> pl.DataFrame:
    return data.query("arrears_by_group", view.scope, as_of=as_of, group_by=group_by)


now = arrears(view.as_of, "total").row(0, named=True)
prev = arrears(view.yesterday, "total").row(0, named=True)

# --- tiles -------------------------------------------------------------------------------
m = labels.METRIC
c = st.columns(5)
tiles.money(c[0], m["arrears"], now["arrears"], prev["arrears"], warn=True,
            help="所有年份已发行、已过缴费截止日且未结清的电费。")
tiles.money(c[1], m["arrears_current_year"], now["arrears_current_year"],
            prev["arrears_current_year"], warn=True, help=f"电费年月在 {view.as_of.year} 年的欠费。")
tiles.money(c[2], m["arrears_prior_years"], now["arrears_prior_years"],
            prev["arrears_prior_years"], warn=True, help=f"陈欠：电费年月在 {view.as_of.year} 年以前的欠费。")
tiles.customers(c[3], m["arrears_customers"], now["arrears_customers"], prev["arrears_customers"])
tiles.customers(c[4], m["arrears_bills"], now["arrears_bills"], prev["arrears_bills"],
                help="未结清的已逾期电费单张数。", unit="bills")

if not now["arrears"]:
    st.success("截至当日，当前范围内没有欠费。", icon=":material/check_circle:")
    picks: list[tuple[str, str]] = []
else:
    # --- by village or line: clickable bars | treemap and aging ----------------------------
    st.subheader("欠费分布")
    dimension = st.segmented_control("分组", list(DIMENSIONS), format_func=DIMENSIONS.get, default="village",
                                     required=True, key="arrears_dimension")
    name = DIMENSIONS[dimension]
    st.caption(f"点击{name}的条形，下方欠费户明细只列该{name}；按住 Shift 可多选。")
    groups = (
        arrears(view.as_of, dimension)
        .filter(pl.col("arrears") > 0)
        .with_columns(pl.col("member").fill_null("").alias("key"),
                      pl.col("member").fill_null(labels.UNREGISTERED).alias("name"))
        .sort(["arrears", "station", "key"], descending=[True, False, False])
    )
    # a name shared by two stations (未登记 often is) carries its station; names show cut and
    # escaped (charts.labels), whole in the hover; customdata keeps the raw keys for clicks
    shared = groups["name"].is_duplicated().to_list()
    bar_labels = charts.labels(
        [f"{fmt.cut(n)}（{fmt.cut(s)}）" if d else fmt.cut(n)
         for n, s, d in zip(groups["name"], groups["station"], shared)],
        keys=zip(groups["station"], groups["key"]), limit=None)

    left, right = st.columns([3, 2])
    with left:
        fig = go.Figure()
        where = [charts.hover_text(f"{n}（{s}）") for n, s in zip(groups["name"], groups["station"])]
        custom = list(zip(map(charts.key, groups["station"]), map(charts.key, groups["key"]), where,
                          wan_numbers(groups["arrears"]),
                          groups["arrears_customers"], groups["arrears_bills"]))
        for column, colour in (("arrears_current_year", charts.WARN), ("arrears_prior_years", charts.ALERT)):
            part = m[column]
            fig.add_bar(
                y=bar_labels, x=wan_numbers(groups[column]), orientation="h", name=part, marker_color=colour,
                customdata=custom,
                hovertemplate=f"%{{customdata[2]}}<br>{part} %{{x:,.2f}} 万元<br>欠费合计 %{{customdata[3]:,.2f}} 万元"
                              "<br>欠费户数 %{customdata[4]:,} 户<br>欠费笔数 %{customdata[5]:,} 笔<extra></extra>")
        charts.layout(fig, view, f"各{name}欠费", height=max(420, 22 * groups.height + 140))
        fig.update_layout(barmode="stack", clickmode="event+select", legend_traceorder="normal")
        fig.update_xaxes(title="欠费（万元）", tickformat=",.2f", showgrid=True, gridcolor="#EEF2F5")
        fig.update_yaxes(title=None, autorange="reversed", showgrid=False)
        bars_key = selection.chart_key(BARS, dimension)
        charts.show(fig, bars_key, f"各{name}欠费_{view.as_of:%Y%m%d}", select="points")
    # a selection survives a filter change; keep only picks that are still on the chart
    shown = {(charts.key(s), charts.key(k)): (s, k) for s, k in zip(groups["station"], groups["key"])}
    picks = list(dict.fromkeys((p["customdata"][0], p["customdata"][1])
                               for p in selection.points(bars_key) if p.get("customdata")))
    picks = [shown[p] for p in picks if p in shown]  # the raw station and village / line

    with right:
        stations = arrears(view.as_of, "station").filter(pl.col("arrears") > 0).sort("arrears", descending=True)
        # the tree's ids are positions (no click reads them); labels cut and escaped, whole in the hover
        station_id = {v: f"s{i}" for i, v in enumerate(stations["station"])}
        nodes = pl.concat([
            stations.select(pl.lit("__total__").alias("id"), pl.lit("合计").alias("label"),
                            pl.lit("").alias("parent"), pl.col("arrears", "arrears_current_year",
                            "arrears_prior_years", "arrears_customers").sum()),
            stations.select(pl.col("station").replace_strict(station_id).alias("id"), pl.col("station").alias("label"),
                            pl.lit("__total__").alias("parent"), "arrears", "arrears_current_year",
                            "arrears_prior_years", "arrears_customers"),
            groups.with_row_index().select(
                pl.format("{}|{}", pl.col("station").replace_strict(station_id), "index").alias("id"),
                pl.col("name").alias("label"), pl.col("station").replace_strict(station_id).alias("parent"),
                "arrears", "arrears_current_year", "arrears_prior_years", "arrears_customers"),
        ])
        share = (nodes["arrears_prior_years"].cast(pl.Float64) / nodes["arrears"].cast(pl.Float64)).to_list()
        fig = go.Figure(go.Treemap(
            ids=nodes["id"], labels=[charts.label(v) for v in nodes["label"]], parents=nodes["parent"],
            values=wan_numbers(nodes["arrears"]),
            branchvalues="total", sort=True,
            marker={"colors": share, "colorscale": [[0, "#F6D2A8"], [0.5, charts.WARN], [1, charts.ALERT]],
                    "cmin": 0, "cmax": 1, "line": {"color": "white", "width": 1},
                    "colorbar": {"title": {"text": "往年占比", "side": "right"}, "tickformat": ".0%",
                                 "thickness": 10, "len": 0.8}},
            customdata=list(zip(wan_numbers(nodes["arrears_current_year"]), wan_numbers(nodes["arrears_prior_years"]),
                                nodes["arrears_customers"], share, [charts.hover_text(v) for v in nodes["label"]])),
            texttemplate="%{label}<br>%{value:,.2f} 万元",
            hovertemplate="%{customdata[4]}<br>欠费 %{value:,.2f} 万元<br>当年 %{customdata[0]:,.2f} 万元"
                          "<br>往年 %{customdata[1]:,.2f} 万元（占 %{customdata[3]:.0%}）"
                          "<br>欠费户数 %{customdata[2]:,} 户<extra></extra>",
            pathbar={"visible": False}, tiling={"pad": 2}))
        charts.layout(fig, view, f"供电所 → {name} 欠费（万元）", height=400, legend=False)
        fig.update_layout(uniformtext={"minsize": 10, "mode": "hide"})
        charts.show(fig, f"arrears_treemap_{dimension}", f"欠费树图_{view.as_of:%Y%m%d}")

        aging = data.query("arrears_aging", view.scope, as_of=view.as_of)
        fig = go.Figure()
        fig.add_bar(
            x=[labels.AGING_BUCKET.get(b, b) for b in aging["bucket"]], y=wan_numbers(aging["arrears"]),
            marker_color=["#F0B37A", charts.WARN, "#C9622F", charts.ALERT, "#7A2424"][: aging.height],
            customdata=list(zip(aging["arrears_customers"], aging["arrears_bills"])),
            hovertemplate="逾期 %{x}<br>欠费 %{y:,.2f} 万元<br>欠费户数 %{customdata[0]:,} 户"
                          "<br>欠费笔数 %{customdata[1]:,} 笔<extra></extra>")
        charts.layout(fig, view, "欠费账龄（按逾期天数）", height=340, legend=False)
        fig.update_xaxes(title="逾期天数")
        fig.update_yaxes(title="欠费（万元）", tickformat=",.2f")
        charts.show(fig, "arrears_aging", f"欠费账龄_{view.as_of:%Y%m%d}")

# --- risk grades (风险分级, docs/DATA.md §6) ---------------------------------------------------
settings = collections.load_settings()  # a file that cannot be used: ui/frame.guard says why
params = settings.params()
R = labels.RISK
month_end = collections.last_month_end(view.as_of)
moves = data.query("risk_grade_moves", view.scope, as_of=view.as_of, **params)
per_grade = {r["risk_grade"]: r for r in
             data.query("risk_grade_summary", view.scope, as_of=view.as_of, group_by="total", **params).to_dicts()}


def risk_tiles() -> None:
    """Customers per grade now (against the end of last month) | how many moved, and how."""
    then_now, kinds = collections.grades_then_and_now(moves), collections.moves_by_kind(moves)
    grades_col, moves_col = st.columns([3, 4])
    for c, g in zip(grades_col.columns(3), collections.GRADES):
        tiles.versus_month_end(c, labels.RISK_GRADE_WORD[g], per_grade[g]["customers"], then_now[g][0],
                               help=R["grade_help"].format(arrears=fmt.wan(per_grade[g]["arrears"]), day=month_end,
                                                           then=fmt.count(then_now[g][0])))
    for c, kind in zip(moves_col.columns(4), ("up", "down", "new", "cleared")):
        c.metric(labels.named(labels.RISK_MOVE[kind], "accounts"), fmt.count(kinds[kind], unit=None), border=True,
                 help=labels.RISK_MOVE_HELP[kind] + R["move_help"].format(day=month_end))


def group_labels(df: pl.DataFrame, dimension: str) -> list[str]:
    """Bar labels of groups: a name cut and escaped, with its station where two stations share it."""
    if dimension == "station":
        return charts.labels(df["station"])
    names = df["member"].fill_null(labels.UNREGISTERED if dimension == "village" else labels.UNASSIGNED)
    shared = names.is_duplicated().to_list()
    return charts.labels([f"{fmt.cut(n)}（{fmt.cut(s)}）" if d else fmt.cut(n)
                          for n, s, d in zip(names, df["station"], shared)],
                         keys=zip(df["station"], df["member"]), limit=None)


def grade_bars(df: pl.DataFrame, dimension: str, measure: str, title: str) -> go.Figure:
    """Per group, one bar stacked by grade: customers, or arrears in 万元."""
    names = group_labels(df, dimension)
    fig = go.Figure()
    money = measure == "arrears"
    unit, number = labels.UNIT["wan" if money else "accounts"], ",.2f" if money else ",d"
    for g in collections.GRADES:
        values = df[f"{measure}_{g}"]
        fig.add_bar(y=names, x=wan_numbers(values) if money else values.to_list(), orientation="h",
                    name=labels.RISK_GRADE_WORD[g], marker_color=style.GRADE[g],
                    hovertemplate=f"%{{y}}<br>{labels.RISK_GRADE_WORD[g]} %{{x:{number}}} {unit}<extra></extra>")
    charts.layout(fig, view, title, height=max(320, 24 * df.height + 150))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=labels.named(labels.METRIC["arrears"], "wan") if money else R["customers_axis"],
                     tickformat=number, showgrid=True, gridcolor="#EEF2F5")
    fig.update_yaxes(title=None, autorange="reversed", showgrid=False)
    return fig


def risk_by_group() -> None:
    """Customers and arrears per grade, by station, village or collector: stacked bars, a table."""
    dimension = st.segmented_control(R["by"], list(RISK_DIMENSIONS), format_func=RISK_DIMENSIONS.get,
                                     default="station", required=True, key="risk_dimension")
    name = RISK_DIMENSIONS[dimension]
    table = collections.grade_table(
        data.query("risk_grade_summary", view.scope, as_of=view.as_of, group_by=dimension, **params))
    table = table.filter(pl.col("arrears_customers") > 0).sort(["arrears", "station", "member"],
                                                               descending=[True, False, False], nulls_last=True)
    top = table.head(RISK_CHART_GROUPS)
    if table.height > RISK_CHART_GROUPS:
        st.caption(R["top_groups"].format(n=RISK_CHART_GROUPS, name=name, total=f"{table.height:,}"))
    left, right = st.columns(2)
    with left:
        title = R["customers_chart"].format(name=name)
        charts.show(grade_bars(top, dimension, "customers", title), f"risk_customers_{dimension}",
                    f"{title}_{view.as_of:%Y%m%d}")
    with right:
        title = R["arrears_chart"].format(name=name)
        charts.show(grade_bars(top, dimension, "arrears", title), f"risk_arrears_{dimension}",
                    f"{title}_{view.as_of:%Y%m%d}")
    keys = [col("station")] + ([col(dimension)] if dimension != "station" else [])
    tables.show_table(table.rename({"member": dimension}) if dimension != "station" else table, [
        *keys, *(col(f"customers_{g}") for g in collections.GRADES), *(col(f"arrears_{g}") for g in collections.GRADES),
        col("arrears_customers"), col("arrears"), col("penalty_exposure"),
    ], view, key=f"risk_table_{dimension}", filename=R["group_table"].format(name=name),
       title=R["group_table"].format(name=name))


def moves_matrix() -> None:
    """How many customers went from each grade at the end of last month to each grade now (a
    then → now matrix), and per kind of move their arrears then and now."""
    cells = {(r["grade_then"], r["grade_now"]): r for r in moves.to_dicts()}
    word = {**labels.RISK_GRADE_WORD, "none": labels.RISK_GRADE_NONE}

    def hover(then: str, now: str) -> str:
        c = cells.get((then, now))
        return R["moves_hover"].format(then=word[then], now=word[now], customers=f"{c['customers']:,}",
                                       arrears_then=fmt.wan(c["arrears_then"]),
                                       arrears_now=fmt.wan(c["arrears_now"])) if c else ""

    counts = [[cells[(t, n)]["customers"] if (t, n) in cells else None for n in GRADE_ROWS] for t in GRADE_ROWS]
    fig = go.Figure(go.Heatmap(
        z=counts, x=[word[n] for n in GRADE_ROWS], y=[word[t] for t in GRADE_ROWS],
        text=[[f"{v:,}" if v is not None else "" for v in row] for row in counts], texttemplate="%{text}",
        customdata=[[hover(t, n) for n in GRADE_ROWS] for t in GRADE_ROWS],
        hovertemplate="%{customdata}<extra></extra>", hoverongaps=False,
        colorscale=[[0, "#E3ECF5"], [1, charts.NEUTRAL]], showscale=False, xgap=3, ygap=3))
    charts.layout(fig, view, R["moves_chart"], height=380, legend=False)
    fig.update_xaxes(title=R["now"], showgrid=False)
    fig.update_yaxes(title=R["then"].format(day=f"{month_end:%Y-%m-%d}"), autorange="reversed", showgrid=False)
    left, right = st.columns(2)
    with left:
        charts.show(fig, "risk_moves", f"{R['moves_table']}_{view.as_of:%Y%m%d}")
    with right:
        kinds = collections.moves_summary(moves).rename({"customers": "accounts"})
        tables.show_table(kinds, [col("move"), col("accounts"), col("arrears_then"), col("arrears_now")], view,
                          key="risk_moves_table", filename=R["moves_table"], title=R["moves_table"])


if now["arrears"] or not moves.is_empty():
    st.subheader(R["section"])
    st.caption(collections.rule_text(settings.risk) + R["settings"])
    risk_tiles()
    if now["arrears"]:
        risk_by_group()
    st.markdown(f"**{R['moves'].format(day=f'{month_end:%Y-%m-%d}')}**")
    moves_matrix()

# --- the accounts to chase ---------------------------------------------------------------
st.subheader("欠费户明细")
grade_pick, toggle = st.columns([2, 3], vertical_alignment="bottom")
show_personal = personal.contacts_toggle(view, "arrears_show_personal", container=toggle)
grades = grade_pick.multiselect(R["grade_filter"], list(collections.GRADES), format_func=labels.RISK_GRADE_WORD.get,
                                key="arrears_grades", placeholder=labels.RISK_GRADE_ALL, help=R["grade_filter_help"])
in_grades = sum(per_grade[g]["customers"] for g in grades) if grades else now["arrears_customers"]


def owing_accounts(scope: Scope, limit: int) -> pl.DataFrame:
    """arrears_accounts.sql in the chosen grades, with the grade and its reason in words."""
    return collections.with_risk_words(
        data.query("arrears_accounts", scope, as_of=view.as_of, show_personal=show_personal, limit=limit,
                   grades=list(grades), **params), settings)


if picks:
    literal = fmt.markdown_text  # data text in a message body: cut, never read as Markdown
    chosen = "、".join(
        f"{literal(k, streamlit=True) if k else labels.UNREGISTERED}（{literal(s, streamlit=True)}）" for s, k in picks)
    info, clear = st.columns([5, 1])
    info.info(f"已选{DIMENSIONS[dimension]}：{chosen}", icon=":material/filter_alt:")
    clear.button("清除选择", key="arrears_clear", icon=":material/close:", on_click=selection.clear, args=(BARS,))
    accounts = pl.concat([owing_accounts(narrowed(dimension, s, k), limit=0) for s, k in picks]) \
        .sort(["arrears", "customer_id"], descending=[True, False])
else:
    # a whole branch can owe on hundreds of thousands of accounts: show the largest, download all
    accounts = owing_accounts(view.scope, limit=SHOWN)

if accounts.is_empty():
    st.success(R["no_arrears_in_grades"] if grades and now["arrears"] else "没有欠费户。",
               icon=":material/check_circle:")
else:
    shortened = not picks and accounts.height == SHOWN and in_grades > SHOWN
    which = R["in_grades"].format(grades="、".join(labels.RISK_GRADE_WORD[g] for g in grades)) if grades else ""
    st.caption((f"共 {which}{in_grades:,} 户，表中列出欠费最多的 {SHOWN:,} 户，下载的 Excel/CSV 含全部；"
                if shortened else
                f"共 {which}{accounts.height:,} 户，欠费合计 {fmt.yuan(accounts['arrears'].sum())}；")
               + "逾期天数按最早一笔欠费计。" + ("" if show_personal else f"{labels.MASKED}（企业名称照常显示）。"))
    tables.show_table(accounts, [
        # who, how much and why first: the list is for chasing, and a wide table scrolls
        col("customer_id"), col("customer_name"), *([col("phone")] if show_personal else []),
        col("risk_grade"), col("arrears"), col("days_overdue"), col("risk_reason"),
        col("station"), col("village"), col("line"), col("transformer"), col("category"), col("collector"),
        col("arrears_current_year"), col("arrears_prior_years"), col("arrears_bills"), col("oldest_period"),
    ], view, key="arrears_accounts", filename="欠费户明细", title="欠费户明细", height=420,
       complete=(lambda: owing_accounts(view.scope, limit=0)) if shortened else None)

# --- payments in transit and bank shortfalls ---------------------------------------------
transit = data.query("payments_in_transit", view.scope, as_of=view.as_of, show_personal=show_personal)
listing(transit, "在途付款", ":material/schedule:",
        f"客户已付款、截至当日尚未入账的款项（多为银行代收在途）；入账前不计入{m['recovered']}。"
        f"{labels.COLUMN['posted_at']}空白的，数据中至今{labels.NOT_POSTED}。", [
            col("payment_id"), col("customer_id"), col("customer_name"), col("station"), col("village"),
            col("collector"), col("bill_id"), col("channel"), col("paid_at"), col("posted_at"),
            col("payment_amount"), col("days_in_transit"),
        ], key="arrears_transit")

shortfall = data.query("bank_shortfall", view.scope, as_of=view.as_of, show_personal=show_personal)
listing(shortfall, "银行代扣不足提醒", ":material/account_balance:",
        "最近一笔经银行代收代扣的付款少于应缴金额、截至当日仍欠费的电费单：请提醒客户补足。", [
            col("customer_id"), col("customer_name"), *([col("phone")] if show_personal else []),
            col("station"), col("village"), col("collector"), col("bill_id"), col("period"), col("paid"),
            col("shortfall"), col("days_overdue"),
        ], key="arrears_shortfall")
