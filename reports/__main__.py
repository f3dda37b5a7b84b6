"""Command line: python -m reports daily-report --data DIR [--as-of D] [--station S] --out FILE.xlsx|FILE.md

The options, their checks, the messages and the exit codes are those of `python -m queries`,
whose shared helpers this imports (reports/ builds on queries/, never the other way)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from queries import labels
from queries.__main__ import Command, Parser, fail, opened, run, view_arguments, view_of

from . import daily


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m reports", description=f"{labels.APP_TITLE}：报表命令行")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Command)
    d = sub.add_parser("daily-report", help="电费回收日报：写出 Excel（.xlsx）或微信群文字（.md）")
    view_arguments(d, year=False)
    d.add_argument("--out", required=True, metavar="FILE",
                   help="输出文件：.xlsx 为格式化的 Excel 日报，.md 为可粘贴到微信群的文字；不能写入数据目录")
    return p


def daily_report(args: argparse.Namespace) -> int:
    """Write the daily brief; a bad --out, a refused extract or an unknown station exit 2."""
    out, data = Path(args.out), Path(args.data)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".md"):
        return fail(f"输出文件须以 .xlsx（Excel 日报）或 .md（微信群文字）结尾：{args.out}", 2)
    if out.resolve().is_relative_to(data.resolve()):
        return fail(f"数据目录只读，不能把日报写入其中：{args.out}", 2)
    ex = opened(args)
    if isinstance(ex, int):
        return ex
    report = daily.build(ex, view_of(ex, args))
    body = daily.to_xlsx(report) if suffix == ".xlsx" else daily.to_markdown(report).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
    except OSError as exc:
        return fail(f"无法写入输出文件 {args.out}：{exc.strerror or exc}", 2)
    print(f"已写出 {out}（{labels.APP_TITLE}日报，数据截至 {report.view.as_of:%Y-%m-%d}，范围：{report.scope_text}）")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage line
        return int(exc.code or 0)
    return daily_report(args)


if __name__ == "__main__":
    sys.exit(run(main))
