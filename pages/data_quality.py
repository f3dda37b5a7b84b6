"""数据质量 — what the dashboard is reading: the extract, its files and rows, the months it
covers and how the as-of date is chosen, and the findings of the checks (docs/DATA.md §4)."""

import polars as pl
import streamlit as st

from queries import labels
from reports import format as fmt
from reports.columns import col
from ui import app, data, frame, tables


def month(day) -> str:
    return fmt.DASH if day is None else f"{day:%Y-%m}"


ex, view = app.page_view()
frame.header(view, "数据质量")
if app.page_access().restricted:  # the files and findings are the whole extract's (docs/DATA.md §8)
    st.info(labels.ACCESS["whole_extract_only"], icon=":material/lock:")
    st.stop()
st.caption("本页描述整份数据提取，不受左侧筛选条件影响。")

files = data.query("extract_tables", view.scope)
findings = data.query("data_findings", view.scope)

# --- the extract -------------------------------------------------------------------------
frame.text(f"数据提取：{ex.name}　　数据目录：{ex.source}")  # the folder's name is data text
c = st.columns([2, 1.5, 1.2, 1])
c[0].metric("电费年月范围", f"{month(ex.first_period)} 至 {month(ex.last_period)}", border=True)
c[1].metric("默认数据截至", f"{ex.default_as_of or fmt.DASH}", border=True,
            help="数据中最后一笔入账（posted_at）的日期。")
c[2].metric("数据表", fmt.count(files["table_name"].n_unique(), unit="tables"), border=True,
            help=f"共 {files.height:,} 个 Parquet 文件。")
c[3].metric("检查发现", fmt.count(findings.height, unit="items"), border=True,
            help="不影响看板打开、但不符合数据约定的情况；数字仍按约定口径计算。")
st.info(
    "数据目录只读：看板不会修改、删除或写入其中的任何文件，计算用的索引缓存存放在数据目录之外。\n\n"
    f"**数据截至日期如何确定**：默认取数据中最后一笔入账（posted_at）的日期，即 "
    f"{fmt.date_cn(ex.default_as_of)}，而不是电脑的当天日期；可在左侧“数据截至”中改为更早的日期，"
    f"所有数字按该日期（含）重新计算。当前按 {fmt.date_cn(view.as_of)} 计算。",
    icon=":material/lock:")

# --- tables and files --------------------------------------------------------------------
st.subheader("数据表")
per_table = (
    files.group_by("table_name")
    .agg(pl.len().alias("files"), pl.col("rows").sum(), pl.col("bytes").sum())
    .with_columns(pl.col("table_name").replace_strict(labels.TABLE, default=pl.col("table_name")).alias("table_label"),
                  (pl.col("bytes") / 1024).alias("kilobytes"))
    .sort("table_name")
)
tables.show_table(per_table, [col("table_name"), col("table_label"), col("rows"), col("files"), col("kilobytes")],
                  view, key="dq_tables", filename="数据表", title="数据表")

with st.expander(f"文件清单（{files.height:,} 个文件）", icon=":material/folder_open:"):
    files_kb = files.with_columns((pl.col("bytes") / 1024).alias("kilobytes"))
    tables.show_table(files_kb, [col("table_name"), col("file"), col("rows"), col("kilobytes")], view,
                      key="dq_files", filename="文件清单", title="文件清单")

# --- findings ----------------------------------------------------------------------------
st.subheader("检查发现")
if findings.is_empty():
    st.success("未发现问题：数据提取符合数据约定的全部检查。", icon=":material/check_circle:")
else:
    st.warning(f"共 {findings.height} 项、{findings['rows'].sum():,} 行不符合数据约定。这些行按约定处理"
               "（例如户号不在用户档案中的电费和付款不计入任何统计），其余数字照常计算。",
               icon=":material/report:")
    shown = findings.with_columns(
        pl.col("table_name").replace_strict(labels.TABLE, default=pl.col("table_name")).alias("table_label"),
        pl.col("examples").list.join("；"),
    )
    tables.show_table(shown, [
        col("table_name"), col("table_label"), col("column_name"), col("rule"), col("rows"), col("examples"),
    ], view, key="dq_findings", filename="数据检查发现", title="数据检查发现")
