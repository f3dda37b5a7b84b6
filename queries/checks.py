"""Finding an extract's files and checking them against docs/DATA.md §1–2 (rules of §4).

Refusals raise `ExtractRefused` with one Chinese sentence naming file, column, rule, count
and up to five examples. Findings are returned as rows for the data-quality view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from . import labels
from .schema import (CODES, QUIET_OPTIONAL_COLUMNS, REQUIRED_TABLES, ROW_NAME, SQL_TYPE, TABLES, UNIQUE_KEYS,
                     readable)


class ExtractRefused(Exception):
    """The extract breaks a refusing rule of docs/DATA.md §4; str(exc) is the Chinese message."""


@dataclass
class TableSource:
    name: str
    label: str  # how messages name it: "bills.parquet" or "bills/（3 个文件）"
    files: list[Path]
    columns: dict[str, str] = field(default_factory=dict)  # present column → DuckDB type (of its first file)
    types: dict[str, set[str]] = field(default_factory=dict)  # present column → its types in all files
    file_types: dict[Path, dict[str, str]] = field(default_factory=dict)  # file → its columns' DuckDB types


def sql_str(value: str) -> str:
    """A string literal: used only for file paths found on disk, never for user input."""
    return "'" + value.replace("'", "''") + "'"


def find_tables(data_dir: Path) -> dict[str, TableSource]:
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise ExtractRefused(labels.MSG["no_data_dir"].format(path=data_dir))
    if not data_dir.is_dir():
        raise ExtractRefused(labels.MSG["data_dir_is_file"].format(path=data_dir))
    found: dict[str, TableSource] = {}
    for table in TABLES:
        single, folder = data_dir / f"{table}.parquet", data_dir / table
        files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
        if single.is_file() and files:
            raise ExtractRefused(labels.refusal_message(
                f"{table}.parquet / {table}/", None, labels.RULE["ambiguous_table"], 0, []))
        if single.is_file():
            found[table] = TableSource(table, single.name, [single])
        elif files:
            found[table] = TableSource(table, f"{table}/（{len(files)} 个文件）", files)
        elif table in REQUIRED_TABLES:
            raise ExtractRefused(labels.refusal_message(
                f"{table}.parquet 或 {table}/*.parquet", None,
                f"{labels.RULE['missing_table']}（{labels.TABLE[table]}）", 0, []))
    return found


def relative(data_dir: Path, file: Path) -> str:
    return file.relative_to(data_dir).as_posix()


class Values:
    """How the checks read the extract's values: DuckDB over the files on this machine. The
    Spark build reads them with Spark instead (queries/spark.py `SparkValues`), through the same
    SQL; only the files' footers (their columns and types) are always read here."""

    def __init__(self, con: duckdb.DuckDBPyConnection, data_dir: Path | None = None):
        self.con, self.data_dir = con, data_dir  # data_dir: for name_files
        con.execute(f"create or replace temp macro double_text(x) as {DOUBLE_TEXT}")

    def rows(self, sql: str) -> list[tuple]:
        """The rows of a query in DuckDB's dialect over raw_<table>, check_files and double_text."""
        return self.con.sql(sql).fetchall()

    def name_files(self, sources: dict[str, TableSource]) -> None:
        """check_files(file, name): each file as raw_<table>.source_file holds it, and its name
        in the extract (its path in the data directory), for the messages."""
        self.con.execute("create or replace temp table check_files (file varchar, name varchar)")
        rows = [(str(f), relative(self.data_dir, f)) for source in sources.values() for f in source.files]
        if rows:
            self.con.executemany("insert into check_files values (?, ?)", rows)

    def number_counts(self, scans: list[tuple[str, Path, list[tuple[str, str, str]]]]) -> dict[tuple[Path, str], int]:
        """How many values of each (file, column) cannot be read as a number (_number_tests), for
        each (table, file, its number columns as (column, kind, type)): one scan of each file."""
        counts = {}
        for _, file, columns in scans:
            for column, n in _unreadable_number_counts(self.con, file, columns).items():
                counts[file, column] = n
        return counts

    def number_examples(self, file: Path, column: str, kind: str, duckdb_type: str) -> list[str]:
        """The first five values of a column of one file that cannot be read as a number, as text."""
        source = f"read_parquet({sql_str(str(file))}, hive_partitioning = false)"
        bad = number_condition(column, kind, duckdb_type)
        # An aggregate filter, not WHERE: a WHERE is pushed into the Parquet scan, whose min/max
        # statistics leave NaN out, and would skip the very row groups that hold one.
        examples = self.con.sql(f"select (list({value_text(column, duckdb_type)}) filter (where {bad}))[1:5] "
                                f"from {source}").fetchall()[0][0]
        return list(examples or [])


# A DOUBLE as text, as DuckDB writes it (the shortest digits that read back, Python's repr): the
# SQL of the macro double_text(x), which the Spark build defines to write the same text.
DOUBLE_TEXT = "x::varchar"


def value_text(column: str, duckdb_type: str) -> str:
    return f'double_text("{column}")' if duckdb_type.upper() in ("FLOAT", "DOUBLE") else f'"{column}"::varchar'


def read_schemas(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource],
                 values: Values | None = None) -> None:
    """Fill each source's columns; refuse a missing required column or an unreadable type, and
    numbers that are not (§4). The files' footers are read here with DuckDB; their values by
    `values` (DuckDB here by default), in one pass over all files before the first refusal."""
    values = values or Values(con, data_dir)
    described: dict[Path, dict[str, str] | ExtractRefused] = {}
    scans = []
    for source in sources.values():
        declared = {c.name: c for c in TABLES[source.name]}
        for file in source.files:
            try:
                rows = con.sql(f"describe select * from read_parquet({sql_str(str(file))}, "
                               "hive_partitioning = false)").fetchall()
            except duckdb.Error as exc:
                described[file] = ExtractRefused(labels.refusal_message(
                    relative(data_dir, file), None,
                    labels.RULE["unreadable"].format(error=str(exc).splitlines()[0][:120]), 0, []))
                continue
            types = described[file] = {row[0]: row[1] for row in rows}
            numbers = [(name, col.kind, types[name]) for name, col in declared.items()
                       if col.kind in ("money", "double") and name in types and readable(col.kind, types[name])
                       and _number_tests(name, col.kind, types[name])]
            if numbers:
                scans.append((source.name, file, numbers))
    bad_numbers = values.number_counts(scans) if scans else {}
    for source in sources.values():
        declared = {c.name: c for c in TABLES[source.name]}
        for file in source.files:
            rel, types = relative(data_dir, file), described[file]
            if isinstance(types, ExtractRefused):
                raise types
            for name, col in declared.items():
                if name not in types:
                    if not col.nullable:
                        raise ExtractRefused(labels.refusal_message(
                            rel, name, labels.RULE["missing_column"], 0, []))
                    continue
                if not readable(col.kind, types[name]):
                    rule = labels.RULE["type"].format(expected=labels.TYPE_NAME[col.kind], actual=types[name])
                    count, examples = _unreadable_rows(con, file, name)
                    raise ExtractRefused(labels.refusal_message(rel, name, rule, count, examples))
                count = bad_numbers.get((file, name))
                if count:
                    # NaN and infinities cannot be read as a number of kWh or yuan, nor can money
                    # of magnitude ≥ 10^12 (§4): refused like a wrong type, naming the rows.
                    rule = labels.RULE["not_money" if col.kind == "money" else "not_finite"]
                    examples = values.number_examples(file, name, col.kind, types[name])
                    raise ExtractRefused(labels.refusal_message(rel, name, rule, int(count), examples))
                source.columns.setdefault(name, types[name])
                source.types.setdefault(name, set()).add(types[name].upper())
            source.file_types[file] = {name: types[name] for name in declared if name in types}


def _unreadable_rows(con: duckdb.DuckDBPyConnection, file: Path, column: str) -> tuple[int, list[str]]:
    """Every non-null value of a column of the wrong type breaks the rule; show the first five.
    (Read here with DuckDB whichever engine builds: a file refused by its footer.)"""
    source = f"read_parquet({sql_str(str(file))}, hive_partitioning = false)"
    count = con.sql(f'select count("{column}") from {source}').fetchall()[0][0]
    rows = con.sql(f'select "{column}"::varchar from {source} where "{column}" is not null limit 5').fetchall()
    return int(count), [r[0] for r in rows]


MONEY_LIMIT = 10**12  # yuan: a larger magnitude cannot be money on a bill (docs/DATA.md §4)


def _number_tests(column: str, kind: str, duckdb_type: str) -> list[str]:
    tests = []
    if duckdb_type.upper() in ("FLOAT", "DOUBLE"):
        tests.append(f'not isfinite("{column}")')
    if kind == "money":
        tests.append(f'abs("{column}"::double) >= {MONEY_LIMIT}')
    return tests


def number_condition(column: str, kind: str, duckdb_type: str) -> str:
    """The rows of a column that cannot be read as a number (DuckDB's dialect)."""
    return f'"{column}" is not null and ({" or ".join(_number_tests(column, kind, duckdb_type))})'


def number_measures(columns: list[tuple[str, str, str]]) -> list[str]:
    """For each (column, kind, type): how many of its values cannot be read as a number."""
    return [f"count(*) filter (where {number_condition(*c)})" for c in columns]


def _unreadable_number_counts(con: duckdb.DuckDBPyConnection, file: Path,
                              columns: list[tuple[str, str, str]]) -> dict[str, int]:
    """How many values of each (column, kind, type) of one file cannot be read as a number:
    one scan of the file for all its number columns."""
    source = f"read_parquet({sql_str(str(file))}, hive_partitioning = false)"
    counts = con.sql(f"select {', '.join(number_measures(columns))} from {source}").fetchall()[0]
    return {column: int(n) for (column, _, _), n in zip(columns, counts)}


def _at_most_fen(duckdb_type: str) -> bool:
    """Whether a stored type is a DECIMAL with at most two decimals (yuan to the fen)."""
    match = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duckdb_type)
    return match is not None and int(match.group(2)) <= 2


def raw_view_sql(source: TableSource) -> str:
    """A view with the contract's columns and types; money rounded to the fen (§2)."""
    files = ", ".join(sql_str(str(f)) for f in source.files)
    return (f"select {', '.join(raw_columns(source))}, filename as source_file from read_parquet([{files}], "
            f"union_by_name = true, filename = true, hive_partitioning = false)")


def raw_columns(source: TableSource) -> list[str]:
    """The select list of raw_<table> over the table's files (`expr as column`): the Spark build
    reads the files with the same list (queries/spark.py)."""
    selects = []
    for col in TABLES[source.name]:
        target = SQL_TYPE[col.kind]
        if col.name not in source.columns:
            expr = f"null::{target}"
        elif col.kind == "money" and all(_at_most_fen(t) for t in source.types.get(col.name, {"?"})):
            # Every file holds it as DECIMAL(p, s ≤ 2): exact as it is, and it fits (the checks
            # refused magnitudes of 10^12 and more). A plain cast is many times cheaper than the
            # rounding below, and the build reads these columns a dozen times.
            expr = f"{col.name}::{target}"
        elif col.kind == "money":
            # One reading for every file, whatever its type: a DOUBLE goes through its
            # decimal digits (2.675 → 2.68, as written), a DECIMAL(p,2) stays exact.
            expr = f"round({col.name}::decimal(38, 9), 2)::{target}"
        else:
            expr = f"{col.name}::{target}"
        selects.append(f"{expr} as {col.name}")
    return selects


def check_refusals(values: Values, sources: dict[str, TableSource]) -> None:
    """Duplicate keys and periods not on the 1st (the data-level refusals of §4), read by
    `values` over raw_<table> and check_files."""
    values.name_files(sources)
    for table, key in UNIQUE_KEYS.items():
        groups, rows = values.rows(f"""
            with dups as (select {key} as k, count(*) as n
                          from raw_{table} where {key} is not null group by {key} having count(*) > 1)
            select count(*) as groups, coalesce(sum(n), 0) as rows from dups""")[0]
        if groups:
            examples = values.rows(f"""
                with shown as (select {key} from raw_{table} where {key} is not null
                               group by {key} having count(*) > 1 order by {key} limit 5)
                select r.{key}, count(*) as n, list(distinct f.name) as files
                from raw_{table} as r join shown using ({key}) join check_files as f on f.file = r.source_file
                group by r.{key} order by r.{key}""")
            shown = [f"{k}（{n} 次，{'、'.join(sorted(files))}）" for k, n, files in examples]
            raise ExtractRefused(labels.refusal_message(
                sources[table].label, key, labels.RULE["duplicate"], int(rows), shown))
    bad = values.rows("select count(*) from raw_bills where day(period) <> 1")[0][0]
    if bad:
        rows = values.rows("""
            select b.bill_id, strftime(b.period, '%Y-%m-%d'), f.name
            from raw_bills as b join check_files as f on f.file = b.source_file
            where day(b.period) <> 1 order by f.name, b.bill_id limit 5""")
        files = sorted({r[2] for r in rows})
        label = sources["bills"].label if len(sources["bills"].files) == 1 else "、".join(files)
        raise ExtractRefused(labels.refusal_message(
            label, "period", labels.RULE["period_first"], int(bad), [f"{r[0]}：{r[1]}" for r in rows]))


# Columns a page groups or filters by; text longer than this is a finding (§4).
GROUPING_COLUMNS = {"customers": ("station", "village", "line", "transformer", "industry", "meter_reader")}
LONG_TEXT = 200


def _finding_queries(sources: dict[str, TableSource]) -> list[tuple[str, str, str, str, str]]:
    """(table, column, rule key, where-condition, example expression) for each non-refusing rule."""
    q: list[tuple[str, str, str, str, str]] = []
    for table in sources:
        for col in TABLES[table]:
            if not col.nullable:
                key = ROW_NAME.get(table, col.name)
                q.append((table, col.name, "null", f"{col.name} is null", key))
    q += [
        ("bills", "customer_id", "orphan_customer", "customer_id is not null and not customer_known",
         "bill_id || '：' || customer_id"),
        ("payments", "customer_id", "orphan_customer", "customer_id is not null and not customer_known",
         "payment_id || '：' || customer_id"),
        ("payments", "bill_id", "orphan_bill", "bill_id is not null and not bill_known",
         "payment_id || '：' || bill_id"),
        ("payments", "customer_id", "bill_customer_mismatch", "bill_customer_id <> customer_id",
         "payment_id || '：' || customer_id"),
        ("bills", "due_on", "due_before_issue", "due_on < issued_on",
         "bill_id || '：' || issued_on || ' → ' || due_on"),
        ("bills", "kwh", "negative_kwh", "kwh < 0 or kwh_peak < 0 or kwh_flat < 0 or kwh_valley < 0",
         "bill_id || '：' || double_text(kwh)"),
        ("bills", "kwh_peak", "tou_mismatch",
         "(kwh_peak is not null or kwh_flat is not null or kwh_valley is not null) and "
         "abs(coalesce(kwh_peak, 0) + coalesce(kwh_flat, 0) + coalesce(kwh_valley, 0) - kwh) > 1",
         "bill_id || '：' || double_text(kwh) || ' ≠ ' || "
         "double_text(coalesce(kwh_peak, 0) + coalesce(kwh_flat, 0) + coalesce(kwh_valley, 0))"),
    ]
    for (table, column), allowed in CODES.items():
        in_list = ", ".join(sql_str(a) for a in allowed)
        q.append((table, column, "unknown_code", f"{column} is not null and {column} not in ({in_list})",
                  f"{UNIQUE_KEYS[table]} || '：' || {column}"))
    implausible = "{c} < timestamp '1990-01-01' or {c}::date > latest_issue + 366"
    for column in ("paid_at", "posted_at"):
        q.append(("payments", column, "implausible_date", implausible.format(c=column),
                  f"payment_id || '：' || strftime({column}, '%Y-%m-%d %H:%M:%S')"))
    for table, columns in GROUPING_COLUMNS.items():
        for column in columns:
            q.append((table, column, "long_text", f"length({column}) > {LONG_TEXT}",
                      f"{UNIQUE_KEYS[table]} || '：' || left({column}, 40) || '…（共 ' || length({column}) || ' 字）'"))
    if "targets" in sources:
        q.append(("targets", "recovery_target", "target_range", "recovery_target not between 0 and 1",
                  "station || ' ' || year || '：' || double_text(recovery_target)"))
        q.append(("targets", "station", "orphan_station", "station is not null and not station_known",
                  "station || ' ' || year"))
        q.append(("targets", "collector", "orphan_collector", "collector is not null and not collector_known",
                  "station || ' ' || collector || ' ' || year"))
    if "instalment_plans" in sources:
        q.append(("instalment_plans", "bill_id", "orphan_plan_bill",
                  "bill_id is not null and not bill_known", "bill_id || '：' || due_on"))
    return q


# What each table's findings read: its rows ({rows}) with the facts the rules about other tables
# need, joined once (refusals come first, so the keys joined on are unique).
_FINDING_SOURCE = {
    "bills": """
        select r.*, c.customer_id is not null as customer_known
        from {rows} as r
        left join (select customer_id from raw_customers where customer_id is not null) as c using (customer_id)""",
    "payments": """
        select r.*, c.customer_id is not null as customer_known, b.bill_id is not null as bill_known,
               b.customer_id as bill_customer_id, m.latest_issue
        from {rows} as r
        left join ({customers}) as c on c.customer_id = r.customer_id
        left join ({bills}) as b on b.bill_id = r.bill_id
        cross join ({latest_issue}) as m""",
    "targets": """
        select r.*, s.station is not null as station_known, c.station is not null as collector_known
        from {rows} as r
        left join (select distinct station from raw_customers where station is not null) as s
               on s.station = r.station
        left join (select distinct station, meter_reader from raw_customers where meter_reader is not null) as c
               on c.station = r.station and c.meter_reader = r.collector""",
    # the few plans' bills are looked up among the many bills, not the other way round
    "instalment_plans": """
        select r.*, b.bill_id is not null as bill_known
        from {rows} as r
        left join (select distinct bill_id from raw_bills
                   where bill_id in (select bill_id from raw_instalment_plans)) as b using (bill_id)""",
}


def finding_rules(sources: dict[str, TableSource]) -> dict[str, list[tuple[str, str, str, str]]]:
    """Each table's non-refusing rules: (column, rule as worded, where-condition, example)."""
    by_table: dict[str, list[tuple[str, str, str, str]]] = {}
    for table, column, rule, where, example in _finding_queries(sources):
        text = labels.RULE[rule]
        if rule == "unknown_code":
            text = text.format(allowed="、".join(CODES[(table, column)]))
        by_table.setdefault(table, []).append((column, text, where, example))
    return by_table


def merge_examples(keys: list, examples: list, more_keys: list, more_examples: list) -> tuple[list, list]:
    """The first five examples of two sets of rows, in the order of the row's name and then of
    the example (what is missing last), as table_findings picks them: (examples, their names)."""
    pairs = sorted(zip(keys + more_keys, examples + more_examples),
                   key=lambda pair: (pair[0] is None, pair[0] or "", pair[1] is None, pair[1] or ""))[:5]
    return [e for _, e in pairs], [k for k, _ in pairs]


def _payments_findings_of_buckets(values: Values, rules: list[tuple[str, str, str, str]]
                                  ) -> list[tuple[str, str, str, int, list[str], list[str]]]:
    """The payments' findings of a large extract, built in buckets. The rules that look a
    payment's bill up read only the payments whose bill the build did not find among their
    customer's bills in their bucket, with that bill looked up among all the bills
    (odd_payment_bills, queries/sql/_rollups.sql): every other payment breaks neither rule.
    Every other rule runs in one scan of the payments, without the bills."""
    looks_up_bill = [rule for rule in rules if "bill_known" in rule[2] or "bill_customer_id" in rule[2]]
    others = [rule for rule in rules if rule not in looks_up_bill]
    no_bills = "select null::varchar as bill_id, null::varchar as customer_id where false"
    sources = ((others, finding_source("payments", None, dict(FINDING_LOOKUPS, bills=no_bills))),
               (looks_up_bill, "(select * from odd_payment_bills) as raw_payments"))
    found = {}
    for subset, source in sources:
        for row in table_findings(values.rows, "payments", subset, source) if subset else ():
            found[row[1], row[2]] = row  # by (column, rule)
    return [found[column, text] for column, text, _, _ in rules if (column, text) in found]


# Where the payments' rules look customers and bills up: in the extract's files (a build) or in
# the cache (a refresh: queries/sql/_refresh.sql).
FINDING_LOOKUPS = {
    "customers": "select customer_id from raw_customers where customer_id is not null",
    "bills": "select bill_id, customer_id from raw_bills where bill_id is not null",
    "latest_issue": "select max(issued_on) as latest_issue from raw_bills",
}


def finding_source(table: str, rows: str | None = None, lookups: dict[str, str] | None = None) -> str:
    """What a table's findings read: its rows (raw_<table>, or the view `rows`) with the facts
    the rules about other tables need (FINDING_LOOKUPS, or `lookups`)."""
    rows = rows or f"raw_{table}"
    sql = _FINDING_SOURCE.get(table, "select * from {rows}").format(rows=rows, **(lookups or FINDING_LOOKUPS))
    return f"({sql}) as raw_{table}"


def table_findings(rows: Callable[[str], list[tuple]], table: str, rules: list[tuple[str, str, str, str]],
                   source: str) -> list[tuple[str, str, str, int, list[str], list[str]]]:
    """(table, column, rule, rows, examples, the examples' row names) of each rule some rows of
    `source` break, in one scan (`rows`: DuckDB's `Values.rows`, or Spark's): each rule's count
    and its first five examples in the order of the row's name, then of the example (what is
    missing last), as `order by name, example limit 5` would pick them."""
    key = ROW_NAME.get(table, "station")
    measures = []
    for _, _, where, example in rules:
        # the example's text only for the rows that break the rule: Spark works an aggregate's
        # arguments out for every row, before its filter
        text = f"(case when {where} then ({example})::varchar end)"
        measures.append(f"count(*) filter (where {where}), arg_min([{text}, {key}::varchar], "
                        f"({key} is null, {key}, {text} is null, {text}), 5) filter (where {where})")
    values = rows(f"select {', '.join(measures)} from {source}")[0]
    found = []
    for n, (column, text, _, _) in enumerate(rules):
        count, shown = values[2 * n], values[2 * n + 1]
        if count:
            found.append((table, column, text, int(count), [r[0] for r in shown], [r[1] for r in shown]))
    return found


def create_findings(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource], buckets: int = 1,
                    values: Values | None = None) -> None:
    """The table `findings`: every non-refusing finding with rows (and each missing optional
    column): table, column, rule, count and up to five examples in the order of the row's name
    (example_keys: those names, for a refresh to merge the examples of new rows), read by
    `values` (DuckDB's by default, Spark's in a Spark build). With `buckets` > 1 (a large
    extract, built in buckets) only the payments the build found odd are looked up among the
    bills."""
    values = values or Values(con)
    rows: list[tuple[str, str, str, int, list[str], list[str]]] = []
    for table, rules in finding_rules(sources).items():
        if table == "payments" and buckets > 1:
            rows += _payments_findings_of_buckets(values, rules)
        else:
            rows += table_findings(values.rows, table, rules, finding_source(table))
    for table, src in sources.items():
        for col in TABLES[table]:
            if col.nullable and col.name not in src.columns and (table, col.name) not in QUIET_OPTIONAL_COLUMNS:
                rows.append((table, col.name, labels.RULE["missing_optional_column"], 0, [], []))
    con.execute("create table findings (table_name varchar, column_name varchar, rule varchar, "
                "rows bigint, examples varchar[], example_keys varchar[])")
    if rows:
        con.executemany("insert into findings values (?, ?, ?, ?, ?, ?)", rows)
