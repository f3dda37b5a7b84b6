"""The refresh: when the only change to an extract is new payments files (a day's export added
with `python -m queries import --append`, or dropped into payments/), its new cache is made
from the previous one by queries/sql/_refresh.sql in seconds, instead of a full build.

`refresh()` raises CannotRefresh, with the reason in Chinese, whenever that is not exactly
right; the caller then builds in full (queries/extract.py: open_extract), and the reason is
kept in extract_info.build_note."""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from . import checks, labels
from .checks import TableSource

# The summed tables: their keys, their sums, and the column they are stored in order of. A
# refresh adds d_<table> (what the new rows make minus what the old rows made) key by key, and
# drops the rows whose sums all come to 0, as a full build never makes one. The differences of a
# day's payments lie on few days of the ordering column, so only those row groups are read.
SUMMED = {
    "out_events": (("seg_id", "period", "issued_on", "posted_on", "eff_date"), ("delta",), "eff_date"),
    "cohorts": (("seg_id", "period", "issued_on"), ("bills", "billed", "out_open", "out_final"), "period"),
    "year_openings": (("year", "seg_id"), ("prior_opening",), "year"),
    "month_end_balances": (("seg_id", "bill_year", "month_no"), ("billed", "unpaid"), "month_no"),
    "same_day_settlements": (("seg_id", "paid_on", "next_working_day", "due_on", "bill_year", "channel"),
                             ("bills", "payments", "settled"), "paid_on"),
    "payment_days": (("seg_id", "paid_on", "posted_on", "channel"), ("payments", "amount", "prepaid"), "paid_on"),
    "postings_daily": (("seg_id", "posted_on"), ("payments", "amount", "prepaid"), "posted_on"),
}
BLOCKED = "blocked_"


class CannotRefresh(Exception):
    """The change is not one a refresh makes exactly; str(exc) says why, in Chinese."""


def previous_cache(cache_dir: Path, folder: str, current: Path) -> Path | None:
    """The newest other cache of the same data folder, if any."""
    others = [p for p in cache_dir.glob(f"extract-{folder}-*.duckdb") if p != current]
    return max(others, key=lambda p: p.stat().st_mtime_ns) if others else None


def _read_previous(previous: Path) -> tuple[dict, dict, dict]:
    """The previous cache's extract_info, its files {(table, file): (bytes, modified)} and its
    columns {(table, column): (type, types)}, read on a connection of its own (read-only)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {checks.sql_str(str(previous))} as previous (read_only)")
        info = con.sql("select * from previous.extract_info").pl().row(0, named=True)
        files = {(t, f): (b, m) for t, f, b, m in
                 con.sql("select table_name, file, bytes, modified from previous.extract_files").fetchall()}
        columns = {(t, c): (ty, set(tys)) for t, c, ty, tys in
                   con.sql("select table_name, column_name, type, types from previous.extract_columns").fetchall()}
        return info, files, columns
    except duckdb.Error as exc:  # an older layout, or unreadable: build in full
        raise CannotRefresh(labels.REFRESH_BLOCKED["previous_unreadable"].format(
            error=str(exc).splitlines()[0][:120])) from None
    finally:
        con.close()


@dataclass(frozen=True)
class Plan:
    """A refresh to make: the cache to start from, the payments files added since, and the
    columns the earlier files hold (as the cache was built from them)."""

    previous: Path
    new_files: list[Path]
    old_columns: dict


def plan(data_dir: Path, sources: dict[str, TableSource], previous: Path, code: str) -> Plan:
    """The refresh from `previous`, if the only change since it is the arrival of payments files."""
    info, old_files, old_columns = _read_previous(previous)
    if info.get("code") != code:
        raise CannotRefresh(labels.REFRESH_BLOCKED["code"])
    current = {}
    for name, source in sources.items():
        for f in source.files:
            st = f.stat()
            current[(name, f.relative_to(data_dir).as_posix())] = (st.st_size, st.st_mtime_ns, f)
    for key, (size, modified) in old_files.items():
        now = current.get(key)
        if now is None:
            raise CannotRefresh(labels.REFRESH_BLOCKED["file_gone"].format(file=key[1]))
        if (now[0], now[1]) != (size, modified):
            raise CannotRefresh(labels.REFRESH_BLOCKED["file_changed"].format(file=key[1]))
    added = [key for key in current if key not in old_files]
    others = [file for table, file in added if table != "payments"]
    if others:
        raise CannotRefresh(labels.REFRESH_BLOCKED["not_payments"].format(file=others[0]))
    if not added:
        raise CannotRefresh(labels.REFRESH_BLOCKED["nothing_new"])
    return Plan(previous, [current[key][2] for key in sorted(added)], old_columns)


def refresh(data_dir: Path, sources: dict[str, TableSource], planned: Plan, target: Path, progress=None) -> str:
    """Make `target` from the planned previous cache plus the new payments files; returns the note kept in
    extract_info (what was added). Raises CannotRefresh (build in full instead) or OSError /
    duckdb.Error (the caller words them as cache faults)."""
    from .extract import build_settings, create_raw_views, record_files, sql_statements

    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    spill = target.parent / f"spill-{os.getpid()}"
    steps = labels.REFRESH_STEP

    def step(i: int, key: str) -> None:
        if progress:
            progress(i, len(steps) - 1, steps[key])

    previous, new_files, old_columns = planned.previous, planned.new_files, planned.old_columns
    tmp.touch()  # at once: pages tell a refresh under way by it (ui/freshness.py)
    try:
        step(0, "check")
        _check_new_files(data_dir, sources, new_files, old_columns)
        step(1, "copy")
        shutil.copyfile(previous, tmp)
        con = duckdb.connect(str(tmp))
        try:
            build_settings(con, spill)
            known = {}
            for name, source in sources.items():  # the columns the files hold, as the full build read them
                columns = {c: ty for (t, c), (ty, _) in old_columns.items() if t == name}
                types = {c: tys for (t, c), (_, tys) in old_columns.items() if t == name}
                known[name] = replace(source, columns=columns, types=types)
            create_raw_views(con, known)
            old = [f for f in known["payments"].files if f not in new_files]
            for view, files in (("raw_new_payments", new_files), ("raw_old_payments", old)):
                con.execute(f"create temp view {view} as "
                            f"{checks.raw_view_sql(replace(known['payments'], files=files))}")
            for statement in sql_statements(con, "_parts"):
                con.execute(statement)
            step(2, "apply")
            for statement in sql_statements(con, "_refresh"):
                con.execute(statement)
                blocked = _blocked_table(statement)
                if blocked and con.sql(f"select count(*) from {blocked}").fetchall()[0][0]:
                    raise CannotRefresh(labels.REFRESH_BLOCKED[blocked.removeprefix(BLOCKED)])
            step(3, "sum")
            for table, (keys, sums, ordered_by) in SUMMED.items():
                _merge(con, table, keys, sums, ordered_by)
            step(4, "findings")
            _merge_findings(con, known)
            rows = con.sql("select count(*) from new_payments").fetchall()[0][0]
            note = labels.REFRESH_NOTE.format(files=len(new_files), rows=rows)
            con.execute("delete from extract_files")
            con.execute("delete from extract_columns")
            record_files(con, data_dir, known)
            con.execute("update extract_info set built_at = now()::timestamp, build_kind = 'refresh', "
                        "build_note = ?", [note])
            step(5, "save")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
        step(6, "done")
        return note
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        if spill.is_dir():
            shutil.rmtree(spill, ignore_errors=True)


def _check_new_files(data_dir: Path, sources: dict[str, TableSource], new_files: list[Path],
                     old_columns: dict) -> None:
    """The new files are read as a full build reads them (a refusal is the full build's to
    give), with no column or type the earlier payments files do not have."""
    con = duckdb.connect(":memory:")
    try:
        new = TableSource("payments", sources["payments"].label, new_files)
        try:
            checks.read_schemas(con, data_dir, {"payments": new})
        except checks.ExtractRefused as exc:
            raise CannotRefresh(str(exc)) from None
        for column, types in new.types.items():  # read by the very view the cache was made with
            if not types <= old_columns.get(("payments", column), (None, set()))[1]:
                raise CannotRefresh(labels.REFRESH_BLOCKED["columns"].format(column=column))
    finally:
        con.close()


_BLOCKED_TABLE = re.compile(r"^\s*create\s+temp\s+table\s+(blocked_\w+)", re.IGNORECASE | re.MULTILINE)


def _blocked_table(statement) -> str | None:
    """The blocked_<reason> table a statement creates (after its comments), if any."""
    match = _BLOCKED_TABLE.search(getattr(statement, "query", str(statement)))
    return match.group(1) if match else None


def _merge(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], sums: tuple[str, ...],
           ordered_by: str) -> None:
    """table += d_<table>, key by key (names from SUMMED above, never from data)."""
    delta = f"d_{table}"
    low, high, nulls = con.sql(f"select min({ordered_by}), max({ordered_by}), count(*) - count({ordered_by}) "
                               f"from {delta}").fetchall()[0]
    if low is None and not nulls:
        return  # nothing changed
    # where the keys can be: a range of the ordering column, bound so the row groups outside it are skipped
    where, params = (f"t.{ordered_by} between $low and $high", {"low": low, "high": high}) if not nulls else ("true", {})
    match = " and ".join(f"t.{k} is not distinct from d.{k}" for k in keys)
    columns = [c for c, in con.sql("select column_name from duckdb_columns() where table_name = $table "
                                   "and schema_name = 'main' order by column_index", params={"table": table}).fetchall()]
    key_list, sum_list = ", ".join(keys), ", ".join(sums)
    con.execute(f"""
        create or replace temp table merged as
        select {key_list}, {", ".join(f"sum({s}) as {s}" for s in sums)}
        from (
            select {", ".join(f"t.{c}" for c in keys + sums)} from {table} as t
            where {where} and exists (select 1 from {delta} as d where {match})
            union all
            select {key_list}, {sum_list} from {delta}
        )
        group by all""", params or None)
    con.execute(f"delete from {table} as t using {delta} as d where {where} and {match}", params or None)
    nonzero = " or ".join(f"coalesce({s}, 0) <> 0" for s in sums)
    con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from merged where {nonzero}")


def _merge_findings(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource]) -> None:
    """The payments rules' findings of the new rows, added to the table's: counts add up, and the
    examples are the first five by payment_id of the old and the new ones."""
    rules = checks.finding_rules(sources).get("payments", [])
    lookups = {  # the customers and bills the new rows name, from the cache rather than the files
        "customers": "select customer_id from accounts",
        "bills": "select bill_id, customer_id from payment_bills union all "
                 "select bill_id, customer_id from other_bills where bill_id in (select bill_id from new_payments)",
        "latest_issue": "select last_issued as latest_issue from extract_dates",
    }
    found = checks.table_findings(checks.Values(con).rows, "payments", rules,
                                  checks.finding_source("payments", "new_payments", lookups))
    for table, column, rule, count, examples, keys in found:
        old = con.sql("select rows, examples, example_keys from findings "
                      "where table_name = ? and column_name = ? and rule = ?", params=[table, column, rule]).fetchall()
        if old:
            rows, old_examples, old_keys = old[0]
            examples, keys = checks.merge_examples(old_keys, old_examples, keys, examples)
            con.execute("update findings set rows = ?, examples = ?, example_keys = ? "
                        "where table_name = ? and column_name = ? and rule = ?",
                        [rows + count, examples, keys, table, column, rule])
        else:
            con.execute("insert into findings values (?, ?, ?, ?, ?, ?)", [table, column, rule, count, examples, keys])
