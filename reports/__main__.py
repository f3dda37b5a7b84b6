"""Command line: python -m reports daily-report --data DIR [--as-of D] [--station S] --out FILE.xlsx|FILE.md

The options, their checks, the messages and the exit codes are those of `python -m queries`,
whose shared helpers this imports (reports/ builds on queries/, never the other way)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from queries import labels
from queries.__main__ import Command, Parser, fail, opened, parse, run, view_arguments, view_of
from queries.collections import SettingsError

from . import daily
from . import format as fmt

HELP, SAY = labels.CLI_HELP, labels.REPORT_CLI


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m reports", description=f"{labels.APP_TITLE}：{HELP['reports']}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Command)
    d = sub.add_parser("daily-report", help=HELP["daily_report"])
    view_arguments(d, year=False)
    d.add_argument("--out", required=True, metavar="FILE", help=HELP["out"])
    return p


def daily_report(args: argparse.Namespace) -> int:
    """Write the daily brief; a bad --out, a refused extract or an unknown station exit 2."""
    out, data = Path(args.out), Path(args.data)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".md"):
        return fail(SAY["bad_out"].format(file=args.out), 2)
    if out.resolve().is_relative_to(data.resolve()):
        return fail(SAY["out_in_data"].format(file=args.out), 2)
    ex = opened(args)
    if isinstance(ex, int):
        return ex
    try:
        report = daily.build(ex, view_of(ex, args))
    except SettingsError as exc:  # a branch's settings file that cannot be used: which key, and why
        return fail(str(exc), 2)
    body = daily.to_xlsx(report) if suffix == ".xlsx" else daily.to_markdown(report).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
    except OSError as exc:
        return fail(SAY["unwritable"].format(file=args.out, error=exc.strerror or exc), 2)
    print(SAY["written"].format(file=out, title=labels.DAILY_TITLE, day=fmt.date_cn(report.view.as_of),
                                scope=report.scope_text))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(parser(), argv)
    return args if isinstance(args, int) else daily_report(args)


if __name__ == "__main__":
    sys.exit(run(main))
