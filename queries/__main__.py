"""Command line: python -m queries summary --data DIR [--as-of D] [--year Y] [--station S] [--json]
              python -m queries collections --data DIR [--as-of D] [--station S] [--json]
              python -m queries users add NAME --role R [--station S]… [--collector C] --users FILE
              python -m queries users remove NAME --users FILE | list --users FILE
              python -m queries import FILE_OR_DIR… --out DIR [--mapping FILE] [--append]
              python -m queries build --data DIR [--cache DIR] [--engine duckdb|spark]

The parser, the checks of --data, --as-of, --year and --station, and the process's exit
handling are shared: `python -m reports` (the daily report) imports them from here."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable

from . import labels, remote
from .checks import ExtractRefused
from .extract import CacheUnavailable, Extract, Scope, SparkFailed, open_extract, spark_unavailable
from .progress import StderrBar, seconds
from .summary import METRICS, MONEY, default_view, summary
from .view import View

DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
YEARS = (1900, 9999)  # a sane --year, and the years an --as-of may lie in
CLI, HELP = labels.CLI, labels.CLI_HELP


def year_arg(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(CLI["bad_year"].format(text=text)) from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise argparse.ArgumentTypeError(CLI["year_range"].format(low=YEARS[0], high=YEARS[1], text=text))
    return year


def date_arg(text: str) -> dt.date:
    try:
        if not DATE.fullmatch(text):  # fromisoformat alone also takes 20210301, 2021-W09-1, …
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(CLI["bad_date"].format(text=text)) from None
    if day.year < YEARS[0]:
        raise argparse.ArgumentTypeError(CLI["date_range"].format(
            low=dt.date(YEARS[0], 1, 1), high=dt.date(YEARS[1], 12, 31), text=text))
    return day


class Parser(argparse.ArgumentParser):
    """argparse, with its own error messages said in Chinese like the rest of the tool."""

    def error(self, message: str):
        for pattern, chinese in CLI_ARGPARSE:
            message = re.sub(pattern, chinese, message)
        super().error(message)


CLI_ARGPARSE = [(re.compile(pattern), chinese) for pattern, chinese in labels.CLI_ARGPARSE]


class Command(Parser):
    """A subcommand's parser: an argument it does not know is its own error, so the message
    comes with the subcommand's usage line rather than the top-level one."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error(CLI["unknown_args"].format(args=" ".join(extra)))
        return parsed, extra


def view_arguments(command: argparse.ArgumentParser, year: bool = True) -> None:
    """--data, --as-of, --year and --station: the view a subcommand looks at."""
    command.add_argument("--data", required=True, metavar="DIR", help=HELP["data"])
    command.add_argument("--as-of", type=date_arg, metavar="YYYY-MM-DD", help=HELP["as_of"])
    if year:
        command.add_argument("--year", type=year_arg, metavar="YYYY",
                             help=HELP["year"].format(low=YEARS[0], high=YEARS[1]))
    command.add_argument("--station", metavar="NAME", help=HELP["station"])


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m queries", description=f"{labels.APP_TITLE}：{HELP['queries']}", epilog=HELP["docs"])
    sub = p.add_subparsers(dest="command", required=True, parser_class=Command)
    s = sub.add_parser("summary", help=HELP["summary"])
    view_arguments(s)
    s.add_argument("--json", action="store_true", help=HELP["json"])
    c = sub.add_parser("collections", help=HELP["collections"])
    view_arguments(c, year=False)  # by_collector is of D's year
    c.add_argument("--json", action="store_true", help=HELP["collections_json"])
    users_arguments(sub.add_parser("users", help=HELP["users"]))
    from .importer import add_arguments as import_arguments  # marketing-system exports (§7)
    import_arguments(sub.add_parser("import", help=labels.IMPORT["help"]))
    build_arguments(sub.add_parser("build", help=HELP["build"], description=HELP["build_description"],
                                   epilog=HELP["build_docs"]))
    return p


def users_arguments(command: argparse.ArgumentParser) -> None:
    """users add|remove|list: each takes --users FILE (default $FEE_USERS_FILE)."""
    from .users import ROLES

    actions = command.add_subparsers(dest="action", required=True, parser_class=Command)
    add = actions.add_parser("add", help=HELP["users_add"])
    add.add_argument("name", metavar="NAME", help=HELP["user_name"])
    add.add_argument("--role", required=True, choices=ROLES, help=HELP["role"])
    add.add_argument("--station", action="append", default=[], metavar="NAME", help=HELP["user_station"])
    add.add_argument("--collector", metavar="NAME", help=HELP["user_collector"])
    remove = actions.add_parser("remove", help=HELP["users_remove"])
    remove.add_argument("name", metavar="NAME", help=HELP["user_name"])
    listing = actions.add_parser("list", help=HELP["users_list"])
    for a in (add, remove, listing):
        a.add_argument("--users", metavar="FILE", default=os.environ.get("FEE_USERS_FILE") or None,
                       help=HELP["users_file"])


def opened(args: argparse.Namespace) -> Extract | int:
    """The extract, or the exit status after printing why not on stderr: 2 for a refused
    extract, no as-of date or an unknown station; 1 for a cache that cannot be written.
    An --as-of outside the extract's dates is answered, with a note."""
    try:  # a URI: the copy of it the last Spark build left here (queries/remote.py)
        data = remote.local_data_dir(args.data)
    except ExtractRefused as exc:
        return fail(str(exc), 2)
    ex, _ = open_showing_progress(str(data), None, {ExtractRefused: 2, CacheUnavailable: 1})
    if isinstance(ex, int):
        return ex
    if args.as_of is None and ex.default_as_of is None:
        return fail(labels.MSG["no_as_of_cli"], 2)
    if args.station is not None:
        stations = ex.query("filter_options", stations=[]).filter(dimension="station")["value"].to_list()
        if args.station not in stations:
            known = "、".join(_text(s) for s in stations) or CLI["no_stations"]
            return fail(CLI["unknown_station"].format(station=_text(args.station), stations=known), 2)
    note = ex.outside_dates(args.as_of) if args.as_of else None
    if note:
        print(note, file=sys.stderr)
    return ex


def open_showing_progress(data: str, cache_dir: str | None, codes: dict[type, int],
                          **build) -> tuple[Extract | int, StderrBar]:
    """The extract, built first if need be with its progress on stderr; or, for a refused
    extract or a cache fault, the exit status `codes` gives it after printing why, below the
    stage the build stopped in."""
    bar = StderrBar(sys.stderr)
    try:
        ex = open_extract(data, cache_dir, progress=bar, **build)
    except (ExtractRefused, CacheUnavailable) as exc:
        bar.end()
        return fail(str(exc), codes[type(exc)]), bar
    finally:
        bar.end()  # also when interrupted
    return ex, bar


def fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def view_of(ex: Extract, args: argparse.Namespace) -> View:
    """The view the arguments ask for; --station narrows the scope to one station."""
    scope = Scope(stations=(args.station,)) if args.station is not None else Scope()
    return default_view(ex, args.as_of, getattr(args, "year", None), scope)


# --- the text summary ---------------------------------------------------------------------

RECOVERY = ("billed", "recovered", "recovery_rate", "prior_opening", "prior_recovered",
            "prior_recovery_rate", "cumulative_rate")
ARREARS = ("arrears", "arrears_current_year", "arrears_prior_years", "arrears_customers")
CUT = 40  # a longer grouping value is shown cut, with … (docs/DATA.md §4)


def _text(value: str | None) -> str:
    """Text from the extract for a terminal: control characters (escape sequences, line
    breaks) shown as �, so they act on nothing; cut at 40 characters."""
    if value is None:
        return labels.UNREGISTERED
    shown = "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in value)
    return shown if len(shown) <= CUT else shown[:CUT] + "…"


def _width(text: str) -> int:
    """The columns a terminal gives `text`: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]], align: str) -> list[str]:
    """Rows as aligned columns; `align` has one letter per column, l or r."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(align))]

    def cell(text: str, width: int, side: str) -> str:
        gap = " " * (width - _width(text))
        return gap + text if side == "r" else text + gap

    return ["  ".join(cell(t, w, a) for t, w, a in zip(row, widths, align)).rstrip() for row in rows]


def _cell(key: str, value, fmt, unit: bool = True) -> str:
    """One figure as the pages show it: 元 with two decimals, rates truncated, — if undefined."""
    if key in MONEY:
        text = fmt.yuan(value)
        return text if unit else text.removesuffix(" 元")
    if key == "arrears_customers":
        return fmt.count(value)
    return fmt.pct(value)


def _print_text(result: dict) -> None:
    from reports import format as fmt

    scope = _text(result["station"]) if result["station"] is not None else CLI["all_stations"]
    print(CLI["header"].format(as_of=fmt.date_cn(dt.date.fromisoformat(result["as_of"])),
                               year=result["year"], scope=scope))
    print(f"\n{CLI['total']}")
    rows = []
    for key in METRICS:
        value = result["total"][key]
        also = f"（{fmt.wan(value)}）" if key in MONEY and abs(value) >= 10_000 else ""
        rows.append(["  " + labels.METRIC[key], _cell(key, value, fmt), also])
    print("\n".join(_table(rows, "lrl")))
    for title, keys in ((CLI["recovery"], RECOVERY), (CLI["arrears"], ARREARS)):
        print(f"\n{CLI['by_station']} · {title}（{CLI['unit_yuan']}）")
        if not result["by_station"]:
            print(f"  {CLI['no_rows']}")
            continue
        header = ["  " + labels.DIMENSION["station"], *(labels.METRIC[k] for k in keys)]
        body = [["  " + _text(r["station"]), *(_cell(k, r[k], fmt, unit=False) for k in keys)]
                for r in result["by_station"]]
        print("\n".join(_table([header, *body], "l" + "r" * len(keys))))
    print(f"\n{CLI['more_in_json']}")


def _print_collections_text(result: dict) -> None:
    from reports import format as fmt

    words = labels.COLLECTIONS_CLI
    scope = _text(result["station"]) if result["station"] is not None else CLI["all_stations"]
    as_of = dt.date.fromisoformat(result["as_of"])
    print(words["header"].format(as_of=fmt.date_cn(as_of), scope=scope))
    posting = result["posting"]
    print(f"\n{words['posting'].format(year=as_of.year)}")
    print("\n".join(_table([
        ["  " + labels.METRIC["payments"], fmt.count(posting["payments"], "bills")],
        ["  " + labels.METRIC["posted_same_day"], fmt.count(posting["posted_same_day"], "bills")],
        ["  " + labels.METRIC["same_day_posting_rate"], fmt.pct(posting["same_day_posting_rate"])],
        ["  " + labels.METRIC["in_transit"], fmt.count(posting["in_transit"], "bills")],
        ["  " + labels.METRIC["in_transit_amount"], fmt.yuan(posting["in_transit_amount"])]], "lr")))
    print(f"\n{words['penalty']}  {fmt.yuan(result['penalty_exposure'])}"
          f"（{fmt.count(result['penalty_bills'], 'bills')}）")
    print(f"\n{words['risk']}")
    print("\n".join(_table([["  " + labels.RISK_GRADE[g], fmt.count(v["customers"]), fmt.yuan(v["arrears"])]
                             for g, v in result["risk"].items()], "lrr")))
    print(f"\n{words['instalments']}  " + "　".join(f"{labels.INSTALMENT_STATUS[s]} {n}"
                                                  for s, n in result["instalments"].items()))
    print(f"\n{words['more_in_json']}")


def _collections(ex: Extract, args: argparse.Namespace) -> int:
    from .collections import SettingsError, collections

    try:
        result = collections(ex, view_of(ex, args))
    except SettingsError as exc:  # a branch's settings file that cannot be used
        return fail(str(exc), 2)
    return _answer(result, args.json, _print_collections_text)


def _answer(result: dict, as_json: bool, print_text: Callable[[dict], None]) -> int:
    """The answer on stdout: the JSON object alone, or the text the pages would show."""
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_text(result)
    return 0


def parse(p: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace | int:
    """The arguments, or the exit status once argparse has printed the usage line (or --help)."""
    try:
        return p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def main(argv: list[str] | None = None) -> int:
    args = parse(parser(), argv)
    if isinstance(args, int):
        return args
    if args.command == "users":
        return _users(args)
    if args.command == "import":
        from . import importer
        return importer.run(args.inputs, args.out, args.mapping, args.append)
    if args.command == "build":
        return _build_command(args)
    ex = opened(args)
    if isinstance(ex, int):
        return ex
    if args.command == "collections":
        return _collections(ex, args)
    return _answer(summary(ex, view_of(ex, args)), args.json, _print_text)


# --- building ahead of time (docs/DATA.md §9) ------------------------------------------------

ENGINES = ("duckdb", "spark")


def build_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", required=True, metavar="DIR|URI", help=HELP["data_build"])
    command.add_argument("--cache", metavar="DIR", help=HELP["cache"])
    command.add_argument("--engine", choices=ENGINES, default="duckdb", help=HELP["engine"])
    command.add_argument("--master", metavar="URL", help=HELP["master"])


def _build_command(args: argparse.Namespace) -> int:
    """build: check the extract and build its cache unless it is current. 0 built or already
    current, 1 a refused extract, 2 a data directory that is not one, a cache fault or an engine
    not available (the same messages as the pages)."""
    say = labels.BUILD_CLI
    if args.master and args.engine != "spark":
        return fail(say["master_without_spark"], 2)
    source = args.data if remote.is_uri(args.data) else None
    if source is not None and args.engine != "spark":
        return fail(say["uri_without_spark"].format(uri=source), 2)
    if args.engine == "spark" and (problem := spark_unavailable()):
        return fail(problem, 2)
    if source is not None:
        synced = _sync(source, args)
        if isinstance(synced, int):
            return synced
        data = str(synced.mirror)
    else:
        data = os.path.abspath(args.data)
    if not os.path.isdir(data):
        return fail(labels.MSG["data_dir_is_file" if os.path.exists(data) else "no_data_dir"].format(path=data), 2)
    ex, bar = open_showing_progress(data, args.cache, {ExtractRefused: 1, CacheUnavailable: 2},
                                    engine=args.engine, master=args.master, source=source)
    if isinstance(ex, int):
        return ex
    as_of = ex.default_as_of or say["no_as_of"]
    if bar.started and ex.build_kind == "refresh":
        print(say["refreshed"].format(seconds=seconds(bar.stages.total_seconds()), as_of=as_of,
                                      note=ex.build_note, file=ex.cache_file))
    elif bar.started:
        print(say["built"].format(seconds=seconds(bar.stages.total_seconds()), as_of=as_of, file=ex.cache_file))
        if ex.build_note:
            print(say["why_full"].format(note=ex.build_note))
    else:
        print(say["current"].format(as_of=as_of, file=ex.cache_file))
    findings = ex.query("data_findings", Scope()).height
    if findings:
        print(say["findings"].format(n=findings))
    return 0


def _sync(uri: str, args: argparse.Namespace) -> remote.Synced | int:
    """Bring this machine's copy of the extract at `uri` up to date (queries/remote.py), with
    its progress on stderr; or the exit status after saying why not (2)."""
    from . import spark

    bar = StderrBar(sys.stderr)
    step = labels.REMOTE["sync_step"]
    try:
        session = spark.session(args.master)
        synced = remote.sync(session, uri, args.cache, lambda k, n: bar(k, n, step.format(n=n)))
    except (ExtractRefused, SparkFailed) as exc:
        bar.end()
        return fail(str(exc), 2)
    finally:
        bar.end()
    print(labels.BUILD_CLI["synced"].format(uri=uri, copied=synced.copied, mb=f"{synced.bytes_copied / 1e6:.1f}",
                                            kept=synced.kept, removed=synced.removed, mirror=synced.mirror))
    return synced


# --- the users file (docs/DATA.md §8) -----------------------------------------------------------

def _users(args: argparse.Namespace) -> int:
    """users add|remove|list: 0 done, 2 a refused argument, password or file, 1 a file that
    cannot be written."""
    from . import users

    say = labels.USERS
    if not args.users:
        return fail(say["no_users_file"], 2)
    try:
        book = users.load_or_new(args.users) if args.action == "add" else users.load(args.users)
    except users.UsersFileError as exc:
        return fail(str(exc), 2)
    if args.action == "list":
        _print_users(book)
        return 0
    if args.action == "remove":
        if args.name not in book.users:
            return fail(say["no_such_user"].format(name=_text(args.name)), 2)
        return _save(users.without_user(book, args.name), say["removed"].format(name=args.name, file=book.path))
    user = _new_user(args)
    if isinstance(user, int):
        return user
    said = say["replaced" if user.name in book.users else "added"]
    return _save(users.with_user(book, user), said.format(name=user.name, who=_scope_of(user), file=book.path))


def _new_user(args: argparse.Namespace):
    """The user `users add` describes, with its password hashed; or the exit status."""
    from . import users

    say = labels.USERS
    names = [("bad_user_name", args.name), *(("bad_station", s) for s in args.station),
             *([("bad_collector_name", args.collector)] if args.collector is not None else [])]
    for message, name in names:
        problem = users.name_problem(name)
        if problem:
            return fail(say[message].format(problem=problem, name=_text(name)), 2)
    rule = {"manager": (args.station or args.collector is not None) and "manager_scope",
            "station": (not args.station and "station_needs") or (args.collector is not None and "station_no_collector"),
            "collector": (args.collector is None and "collector_needs") or (args.station and "collector_no_station"),
            }[args.role]
    if rule:
        return fail(say[rule], 2)
    password = os.environ.get("FEE_PASSWORD")
    if password is None:
        try:
            password = getpass.getpass(say["password_prompt"].format(name=args.name))
            if getpass.getpass(say["password_again"]) != password:
                return fail(say["password_mismatch"], 2)
        except EOFError:
            return fail(say["no_password"], 2)
    problem = users.password_problem(password)
    if problem:
        return fail(problem, 2)
    return users.User(name=args.name, role=args.role, password=users.hash_password(password),
                      stations=tuple(dict.fromkeys(args.station)), collector=args.collector)


def _save(book, message: str) -> int:
    from . import users

    try:
        users.save(book)
    except OSError as exc:
        return fail(labels.USERS["unwritable"].format(file=book.path, error=exc), 1)
    print(message)
    return 0


def _scope_of(user) -> str:
    say = labels.USERS
    if user.role == "station":
        scope = "、".join(_text(s) for s in user.stations)
    elif user.role == "collector":
        scope = say["of_collector"].format(collector=_text(user.collector))
    else:
        scope = say["all_rows"]
    return f"{labels.ROLE[user.role]}，{scope}"


def _print_users(book) -> None:
    """The users and what each may see, and the settings; never a password hash."""
    say = labels.USERS
    print(say["list_file"].format(file=book.path))
    if book.users:
        rows = [[_text(u.name), labels.ROLE[u.role], _scope_of(u).split("，", 1)[1]] for u in book.users.values()]
        print("\n".join(_table([say["list_header"], *rows], "lll")))
    else:
        print(say["no_users"])
    s = book.settings
    print(say["list_settings"].format(
        idle=s.idle_minutes, failures=s.max_failures,
        contacts="、".join(labels.ROLE[r] for r in s.contacts_roles) or say["none"],
        ranking=say["yes" if s.station_branch_ranking else "no"], audit=book.audit_path(),
        sso=say["list_sso"].format(role=_text(s.sso_role_claim), stations=_text(s.sso_station_claim),
                                   collector=_text(s.sso_collector_claim), user=_text(s.sso_user_claim))
        if s.sso else say["no"]))


def run(main: Callable[[], int]) -> int:
    """A command line's main() for the process: output piped into a reader that stops early
    (| head) and Ctrl-C (say during a long first build) end quietly."""
    try:
        code = main()
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 1
    except (KeyboardInterrupt, RuntimeError) as exc:
        # DuckDB turns Ctrl-C inside a statement into RuntimeError("Query interrupted")
        if isinstance(exc, RuntimeError) and str(exc) != "Query interrupted":
            raise
        print(CLI["interrupted"], file=sys.stderr)
        return 130


def _run() -> int:
    return run(main)


if __name__ == "__main__":
    sys.exit(_run())
