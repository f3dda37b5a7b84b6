"""The files a manager takes to a meeting or a chat group: the deck and the daily brief.
Each is built only when its button is clicked (deferred), for the view on screen: its
scope, as-of date and 统计年度."""

from __future__ import annotations

from queries import Extract, labels
from reports import daily
from reports import format as fmt
from reports.deck import build_deck

from .filters import View

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stem(view: View) -> str:
    """The file name's scope: the chosen stations, else the user's stations or collector
    (docs/DATA.md §8), else 全部供电所."""
    stations = view.scope.stations or view.scope.allowed_stations or view.scope.allowed_collectors
    scope = "_".join(fmt.cut(s, 20) for s in stations) if stations else labels.DOWNLOAD["all_stations"]
    return f"{fmt.cut(scope, 60)}_{view.as_of:%Y%m%d}"


def meeting_deck(container, ex: Extract, view: View) -> None:
    container.download_button(
        labels.DOWNLOAD["deck"], icon=":material/slideshow:", on_click="ignore", mime=PPTX,
        file_name=labels.DOWNLOAD["deck_file"].format(stem=_stem(view)), key="download_deck",
        data=lambda: build_deck(ex, view),
        help=labels.DOWNLOAD["deck_help"])


def daily_report(container, ex: Extract, view: View) -> None:
    left, right = container.columns(2)
    left.download_button(
        labels.DOWNLOAD["daily_xlsx"], icon=":material/table_view:", on_click="ignore", mime=XLSX,
        file_name=labels.DOWNLOAD["daily_file"].format(stem=_stem(view), suffix="xlsx"), key="download_daily_xlsx",
        data=lambda: daily.to_xlsx(daily.build(ex, view)),
        help=labels.DOWNLOAD["daily_xlsx_help"])
    right.download_button(
        labels.DOWNLOAD["daily_md"], icon=":material/chat:", on_click="ignore", mime="text/markdown",
        file_name=labels.DOWNLOAD["daily_file"].format(stem=_stem(view), suffix="md"), key="download_daily_md",
        data=lambda: daily.to_markdown(daily.build(ex, view)).encode("utf-8"),
        help=labels.DOWNLOAD["daily_md_help"])
