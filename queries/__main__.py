"""Command line: python -m queries summary --data DIR [--as-of D] [--year Y] [--station S] --json
             python -m queries daily-report --data DIR [--as-of D] [--station S] --out FILE.xlsx|FILE.md"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from . import labels
from .checks import ExtractRefused
from .extract import Extract, Scope, open_extract
from .summary import summary


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m queries", description=f"{labels.APP_TITLE}：查询层命令行")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="回收汇总（CONTRACT §5）：合计、按供电所、村、线路")
    s.add_argument("--data", required=True, metavar="DIR", help="数据目录（一个电费提取）")
    s.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="统计截至日期，默认取最后入账日期")
    s.add_argument("--year", type=int, metavar="YYYY", help="统计年度，默认取截至日期所在年")
    s.add_argument("--station", metavar="NAME", help="只统计一个供电所")
    s.add_argument("--json", action="store_true", help="输出 JSON（CONTRACT §5）")
    d = sub.add_parser("daily-report", help="电费回收日报：写出 Excel（.xlsx）或微信群文字（.md）")
    d.add_argument("--data", required=True, metavar="DIR", help="数据目录（一个电费提取）")
    d.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="统计截至日期，默认取最后入账日期")
    d.add_argument("--station", metavar="NAME", help="只统计一个供电所")
    d.add_argument("--out", required=True, metavar="FILE",
                   help="输出文件：.xlsx 为格式化的 Excel 日报，.md 为可粘贴到微信群的文字；不能写入数据目录")
    return p


def _open(data, as_of) -> Extract | None:
    """The extract, or None after printing why not (a refused extract, no as-of date)."""
    try:
        ex = open_extract(data)
    except ExtractRefused as exc:
        print(str(exc), file=sys.stderr)
        return None
    if ex.default_as_of is None and as_of is None:
        print("数据中没有已入账的付款，无法确定截至日期；请用 --as-of 指定。", file=sys.stderr)
        return None
    return ex


def _daily_report(args: argparse.Namespace) -> int:
    """Write the daily brief; a bad --out, a refused extract or an unknown station exit 2."""
    out, data = Path(args.out), Path(args.data)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".md"):
        print(f"输出文件须以 .xlsx（Excel 日报）或 .md（微信群文字）结尾：{args.out}", file=sys.stderr)
        return 2
    if out.resolve().is_relative_to(data.resolve()):
        print(f"数据目录只读，不能把日报写入其中：{args.out}", file=sys.stderr)
        return 2
    ex = _open(data, args.as_of)
    if ex is None:
        return 2
    if args.station:
        stations = ex.query("filter_options", stations=[]).filter(dimension="station")["value"].to_list()
        if args.station not in stations:
            print(f"数据中没有这个供电所：{args.station}（可选：{'、'.join(stations)}）", file=sys.stderr)
            return 2
    from reports import daily

    scope = Scope(stations=(args.station,)) if args.station else Scope()
    report = daily.build(ex, as_of=args.as_of, scope=scope)
    body = daily.to_xlsx(report) if suffix == ".xlsx" else daily.to_markdown(report).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
    except OSError as exc:
        print(f"无法写入输出文件 {args.out}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"已写出 {out}（{labels.APP_TITLE}日报，数据截至 {report.as_of:%Y-%m-%d}，范围：{report.scope_text}）")
    return 0


def _print_text(result: dict) -> None:
    t = result["total"]
    print(f"数据截至 {result['as_of']}  年度 {result['year']}  供电所 {result['station'] or '全部'}")
    for key, value in t.items():
        print(f"  {labels.METRIC.get(key, key)}：{value}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage line
        return int(exc.code or 0)
    if args.command == "daily-report":
        return _daily_report(args)
    ex = _open(args.data, args.as_of)
    if ex is None:
        return 2
    scope = Scope(stations=(args.station,)) if args.station else Scope()
    result = summary(ex, as_of=args.as_of, year=args.year, scope=scope)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
