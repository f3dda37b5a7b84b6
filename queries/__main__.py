"""Command line: python -m queries summary --data DIR [--as-of D] [--year Y] [--station S] --json"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from . import labels
from .checks import ExtractRefused
from .extract import Scope, open_extract
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
    return p


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
    try:
        ex = open_extract(args.data)
    except ExtractRefused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if ex.default_as_of is None and args.as_of is None:
        print("数据中没有已入账的付款，无法确定截至日期；请用 --as-of 指定。", file=sys.stderr)
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
