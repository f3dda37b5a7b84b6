"""Finding an extract's files and checking them against docs/DATA.md §1–2 (rules of §4).

Refusals raise `ExtractRefused` with one Chinese sentence naming file, column, rule, count
and up to five examples. Findings are returned as rows for the data-quality view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

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


def _relative(data_dir: Path, file: Path) -> str:
    return file.relative_to(data_dir).as_posix()


def read_schemas(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource]) -> None:
    """Fill each source's columns; refuse a missing required column or an unreadable type."""
    for source in sources.values():
        declared = {c.name: c for c in TABLES[source.name]}
        seen_in: dict[str, list[str]] = {}
        for file in source.files:
            rel = _relative(data_dir, file)
            try:
                described = con.sql(f"describe select * from read_parquet({sql_str(str(file))}, "
                                    "hive_partitioning = false)").fetchall()
            except duckdb.Error as exc:
                raise ExtractRefused(labels.refusal_message(
                    rel, None, labels.RULE["unreadable"].format(error=str(exc).splitlines()[0][:120]), 0, []))
            types = {row[0]: row[1] for row in described}
            bad_numbers = _unreadable_number_counts(con, file, [
                (name, col.kind, types[name]) for name, col in declared.items()
                if col.kind in ("money", "double") and name in types and readable(col.kind, types[name])])
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
                if bad_numbers.get(name):
                    _refuse_unreadable_numbers(con, file, rel, name, col.kind, types[name])
                seen_in.setdefault(name, []).append(rel)
                source.columns.setdefault(name, types[name])
                source.types.setdefault(name, set()).add(types[name].upper())
        # A nullable column present in only some files reads as null in the others.
        for name in list(source.columns):
            if len(seen_in.get(name, [])) == 0:
                del source.columns[name]


def _unreadable_rows(con: duckdb.DuckDBPyConnection, file: Path, column: str) -> tuple[int, list[str]]:
    """Every non-null value of a column of the wrong type breaks the rule; show the first five."""
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


def _unreadable_number_counts(con: duckdb.DuckDBPyConnection, file: Path,
                              columns: list[tuple[str, str, str]]) -> dict[str, int]:
    """How many values of each (column, kind, type) cannot be read as a number (see below):
    one scan of the file for all its number columns."""
    measures = []
    for column, kind, duckdb_type in columns:
        tests = _number_tests(column, kind, duckdb_type)
        if tests:
            measures.append((column, f'count(*) filter (where "{column}" is not null and ({" or ".join(tests)}))'))
    if not measures:
        return {}
    source = f"read_parquet({sql_str(str(file))}, hive_partitioning = false)"
    counts = con.sql(f"select {', '.join(m for _, m in measures)} from {source}").fetchall()[0]
    return {column: int(n) for (column, _), n in zip(measures, counts)}


def _refuse_unreadable_numbers(con: duckdb.DuckDBPyConnection, file: Path, rel: str, column: str,
                               kind: str, duckdb_type: str) -> None:
    """NaN and infinities cannot be read as a number of kWh or yuan, nor can money of
    magnitude ≥ 10^12 (§4): refused like a wrong type, naming the rows."""
    tests = _number_tests(column, kind, duckdb_type)
    if not tests:
        return
    source = f"read_parquet({sql_str(str(file))}, hive_partitioning = false)"
    bad = f'"{column}" is not null and ({" or ".join(tests)})'
    # An aggregate filter, not WHERE: a WHERE is pushed into the Parquet scan, whose min/max
    # statistics leave NaN out, and would skip the very row groups that hold one.
    count, examples = con.sql(f'select count(*) filter (where {bad}), '
                              f'(list("{column}"::varchar) filter (where {bad}))[1:5] from {source}').fetchall()[0]
    if count:
        rule = labels.RULE["not_money" if kind == "money" else "not_finite"]
        raise ExtractRefused(labels.refusal_message(rel, column, rule, int(count), list(examples or [])))


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


def _short(data_dir: Path, path: str) -> str:
    try:
        return Path(path).relative_to(data_dir).as_posix()
    except ValueError:
        return Path(path).name


def check_refusals(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource]) -> None:
    """Duplicate keys and periods not on the 1st (the data-level refusals of §4)."""
    for table, key in UNIQUE_KEYS.items():
        dup = con.sql(f"""
            with dups as (select {key} as k, count(*) as n
                          from raw_{table} where {key} is not null group by {key} having count(*) > 1)
            select count(*) as groups, coalesce(sum(n), 0) as rows from dups""").fetchall()[0]
        if dup[0]:
            examples = con.sql(f"""
                select {key}, count(*) as n, list(distinct source_file order by source_file) as files
                from raw_{table} where {key} is not null group by {key} having count(*) > 1
                order by {key} limit 5""").fetchall()
            shown = [f"{k}（{n} 次，{'、'.join(_short(data_dir, f) for f in files)}）" for k, n, files in examples]
            raise ExtractRefused(labels.refusal_message(
                sources[table].label, key, labels.RULE["duplicate"], int(dup[1]), shown))
    bad = con.sql("select count(*) from raw_bills where day(period) <> 1").fetchall()[0][0]
    if bad:
        rows = con.sql("""select bill_id, strftime(period, '%Y-%m-%d'), source_file from raw_bills
                          where day(period) <> 1 order by source_file, bill_id limit 5""").fetchall()
        files = sorted({_short(data_dir, r[2]) for r in rows})
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
         "bill_id || '：' || kwh"),
        ("bills", "kwh_peak", "tou_mismatch",
         "(kwh_peak is not null or kwh_flat is not null or kwh_valley is not null) and "
         "abs(coalesce(kwh_peak, 0) + coalesce(kwh_flat, 0) + coalesce(kwh_valley, 0) - kwh) > 1",
         "bill_id || '：' || kwh || ' ≠ ' || (coalesce(kwh_peak, 0) + coalesce(kwh_flat, 0) + coalesce(kwh_valley, 0))"),
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
                  "station || ' ' || year || '：' || recovery_target"))
        q.append(("targets", "station", "orphan_station",
                  "station not in (select station from raw_customers where station is not null)",
                  "station || ' ' || year"))
        q.append(("targets", "collector", "orphan_collector",
                  "collector is not null and not exists (select 1 from raw_customers c "
                  "where c.station = raw_targets.station and c.meter_reader = raw_targets.collector)",
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
    """The first five examples of two sets of rows, in the order of the row's name (rows
    without a name last; the first set first among equal names): (examples, their names)."""
    pairs = sorted(zip(keys + more_keys, examples + more_examples),
                   key=lambda pair: (pair[0] is None, pair[0] or ""))[:5]
    return [e for _, e in pairs], [k for k, _ in pairs]


def _payments_findings_of_buckets(con: duckdb.DuckDBPyConnection, rules: list[tuple[str, str, str, str]]
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
        for row in table_findings(con, "payments", subset, source) if subset else ():
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


def table_findings(con: duckdb.DuckDBPyConnection, table: str, rules: list[tuple[str, str, str, str]],
                   source: str) -> list[tuple[str, str, str, int, list[str], list[str]]]:
    """(table, column, rule, rows, examples, the examples' row names) of each rule some rows of
    `source` break, in one scan: each rule's count and its first five examples in the order of
    the row's name (rows without a name last), as `order by name limit 5` would pick them."""
    key = ROW_NAME.get(table, "station")
    columns = ", ".join(
        f"count(*) filter (where {where}), "
        f"arg_min([({example})::varchar, {key}::varchar], ({key} is null, {key}), 5) filter (where {where})"
        for _, _, where, example in rules)
    values = con.sql(f"select {columns} from {source}").fetchall()[0]
    found = []
    for n, (column, text, _, _) in enumerate(rules):
        count, shown = values[2 * n], values[2 * n + 1]
        if count:
            found.append((table, column, text, int(count), [r[0] for r in shown], [r[1] for r in shown]))
    return found


def create_findings(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource], buckets: int = 1) -> None:
    """The table `findings`: every non-refusing finding with rows (and each missing optional
    column): table, column, rule, count and up to five examples in the order of the row's name
    (example_keys: those names, for a refresh to merge the examples of new rows). With
    `buckets` > 1 (a large extract, built in buckets) only the payments the build found odd
    are looked up among the bills."""
    rows: list[tuple[str, str, str, int, list[str], list[str]]] = []
    for table, rules in finding_rules(sources).items():
        if table == "payments" and buckets > 1:
            rows += _payments_findings_of_buckets(con, rules)
        else:
            rows += table_findings(con, table, rules, finding_source(table))
    for table, src in sources.items():
        for col in TABLES[table]:
            if col.nullable and col.name not in src.columns and (table, col.name) not in QUIET_OPTIONAL_COLUMNS:
                rows.append((table, col.name, labels.RULE["missing_optional_column"], 0, [], []))
    con.execute("create table findings (table_name varchar, column_name varchar, rule varchar, "
                "rows bigint, examples varchar[], example_keys varchar[])")
    if rows:
        con.executemany("insert into findings values (?, ?, ?, ?, ?, ?)", rows)
