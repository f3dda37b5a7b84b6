"""The files a manager takes to a meeting or a chat group: the deck and the daily brief.
Each is built only when its button is clicked (deferred), for the view on screen: its
scope, as-of date and 统计年度."""

from __future__ import annotations

from queries import Extract
from reports import daily
from reports import format as fmt
from reports.deck import build_deck

from .filters import View

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stem(view: View) -> str:
    scope = "_".join(fmt.cut(s, 20) for s in view.scope.stations) if view.scope.stations else "全部供电所"
    return f"{fmt.cut(scope, 60)}_{view.as_of:%Y%m%d}"


def meeting_deck(container, ex: Extract, view: View) -> None:
    container.download_button(
        "下载会议汇报（PPT）", icon=":material/slideshow:", on_click="ignore", mime=PPTX,
        file_name=f"电费回收汇报_{_stem(view)}.pptx", key="download_deck",
        data=lambda: build_deck(ex, view),
        help="当前筛选范围与截至日期的汇报 PPT（16:9，图表可在 PowerPoint 中编辑，个人信息已遮蔽）。")


def daily_report(container, ex: Extract, view: View) -> None:
    left, right = container.columns(2)
    left.download_button(
        "日报 Excel", icon=":material/table_view:", on_click="ignore", mime=XLSX,
        file_name=f"电费回收日报_{_stem(view)}.xlsx", key="download_daily_xlsx",
        data=lambda: daily.to_xlsx(daily.build(ex, view)),
        help="汇总、供电所、线路、催费责任人、欠费前列、银行代扣不足、在途款项。")
    right.download_button(
        "日报文本", icon=":material/chat:", on_click="ignore", mime="text/markdown",
        file_name=f"电费回收日报_{_stem(view)}.md", key="download_daily_md",
        data=lambda: daily.to_markdown(daily.build(ex, view)).encode("utf-8"),
        help="可直接粘贴到微信群的简报（Markdown）。")
