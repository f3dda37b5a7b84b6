"""Opening one extract: check it, build its rollups once into a cache outside the data
directory, and answer named questions on a sandboxed, read-only connection."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb
import polars as pl

from . import checks, labels, schema
from .checks import TableSource
from .schema import SQL_TYPE, TABLES

SQL_DIR = Path(__file__).parent / "sql"
CACHE_FORMAT = "2"  # bump when the cache's layout changes in a way the SQL hash misses
_PARAM = re.compile(r"\$([a-z_]+)")
# Parameters a question may be asked without: no risk-grade filter ($grades, as an empty scope
# list means no filter), and the §6 settings ($risk, $penalty_rates) in force at that moment
# (queries/collections.py: load_settings).
OPTIONAL = {"grades": []}
SETTINGS_PARAMS = {"risk", "penalty_rates"}


class SparkFailed(Exception):
    """The Spark build cannot run here (no pyspark, no Java, a master that does not answer) or
    its job failed (queries/spark.py); str(exc) says so in Chinese."""


def spark_unavailable() -> str | None:
    """Why the Spark build cannot run here, in Chinese (no pyspark or sqlglot: the `.[spark]`
    extra; no Java), or None."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        return labels.BUILD_CLI["no_spark"]
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return labels.BUILD_CLI["no_java"]
    return None


class CacheUnavailable(Exception):
    """The rollup cache cannot be written or read (permissions, a full disk, memory);
    str(exc) is the Chinese message naming the place. Not cached by callers: once the
    cause is gone, the next attempt builds again."""


@dataclass(frozen=True)
class Scope:
    """Filters on customer attributes (docs/DATA.md §3), bound to every question as one STRUCT
    parameter, $scope, read by the macro scoped_segments alone (queries/sql/_macros.sql).
    Empty means all; '' is a null village/line. A new dimension is a field here, a line in
    scoped_segments, and a widget in ui/filters.py.

    The last three fields are the rows a user may see (docs/DATA.md §8), set by
    queries/access.py (Access.restrict) and never by a filter: a restricted scope sees only
    the customers of allowed_stations (when given) whose meter_reader is in
    allowed_collectors (when given), and nothing at all when both are empty (fail closed).
    The filters above narrow within that; no filter value widens it."""

    stations: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    collectors: tuple[str, ...] = ()  # 催费责任人 (meter_reader); '' is one not assigned
    high_energy_only: bool = False
    key_accounts_only: bool = False
    restricted: bool = False
    allowed_stations: tuple[str, ...] = ()
    allowed_collectors: tuple[str, ...] = ()  # meter_reader names; never '' (no one is "unassigned")

    @classmethod
    def nothing(cls) -> "Scope":
        """The scope that sees no row: what a caller that names no scope gets in the app."""
        return cls(restricted=True)

    def params(self) -> dict[str, object]:
        return {"scope": {f.name: _bound(getattr(self, f.name)) for f in fields(self)}}


def _bound(value):
    return list(value) if isinstance(value, tuple) else bool(value)


def scope_sql_type() -> str:
    """The STRUCT type of $scope, from Scope's fields: an empty list then binds as VARCHAR[]."""
    kinds = {"tuple[str, ...]": "varchar[]", "bool": "boolean"}
    return "struct(" + ", ".join(f"{f.name} {kinds[str(f.type)]}" for f in fields(Scope)) + ")"


def sql_text(name: str) -> str:
    """Read on every call (microseconds), so an edited .sql file is picked up by a running server."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def question_names() -> list[str]:
    return sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_"))


def _typed(sql: str, names: set[str]) -> str:
    """Give the scope and list parameters an explicit type, so empty lists bind."""
    if "scope" in names:
        sql = re.sub(r"\$scope\b", f"$scope::{scope_sql_type()}", sql)
    if "stations" in names:
        sql = re.sub(r"\$stations\b", "$stations::varchar[]", sql)
    return sql


def default_cache_dir() -> Path:
    env = os.environ.get("FEE_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fee-recovery"


BUILD_SQL = ("_parts", "_rollups", "_odd_payments_bucket", "_odd_payments", "_rollups_buckets", "_rollups_after",
             "_macros", "_refresh")


def code_version() -> str:
    """The code that builds and refreshes a cache: a cache made by other code is never refreshed."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for part in BUILD_SQL:
        h.update(sql_text(part).encode())
    for module in ("checks.py", "schema.py", "extract.py", "refresh.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    return h.hexdigest()[:24]


def _fingerprint(data_dir: Path, sources: dict[str, TableSource]) -> str:
    h = hashlib.sha256(code_version().encode())
    h.update(str(data_dir.resolve()).encode())
    for name in sorted(sources):
        for f in sources[name].files:
            st = f.stat()
            h.update(f"{name}|{f.relative_to(data_dir)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def sql_statements(con: duckdb.DuckDBPyConnection, name: str) -> list:
    """The statements of queries/sql/<name>.sql, split by DuckDB's own parser."""
    return list(con.extract_statements(sql_text(name)))


def create_raw_views(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource], empty: bool = False) -> None:
    """raw_<table> for every table: the files' rows with the contract's columns and types,
    and no rows for an optional table the extract does not have (`empty`: none for any)."""
    for name, source in sources.items():
        sql = checks.raw_view_sql(source)
        if empty:
            sql = f"select * from ({sql}) where false"
        con.execute(f"create or replace temp view raw_{name} as {sql}")
    for name in TABLES.keys() - sources.keys():
        columns = ", ".join(f"null::{SQL_TYPE[c.kind]} as {c.name}" for c in TABLES[name])
        con.execute(f"create or replace temp view raw_{name} as select {columns}, "
                    "null::varchar as source_file where false")


def build_settings(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    con.execute("set enable_progress_bar = false")  # never mix DuckDB's bar into stdout
    con.execute("set preserve_insertion_order = false")
    # A 30 M-bill build spills to disk rather than take most of the machine's memory;
    # the spill files sit beside the cache, never in the extract.
    con.execute(f"set memory_limit = '{os.environ.get('FEE_BUILD_MEMORY_LIMIT', '4GB')}'")
    con.execute(f"set temp_directory = {checks.sql_str(str(spill))}")


def record_files(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource]) -> None:
    """Add the extract's files to extract_files and the columns they hold to extract_columns
    (a refresh compares them with the files it finds)."""
    files, columns = [], []
    for name, source in sources.items():
        for f in source.files:
            rows = con.sql(f"select sum(num_rows) from parquet_file_metadata({checks.sql_str(str(f))})").fetchall()[0][0]
            st = f.stat()
            files.append((name, f.relative_to(data_dir).as_posix(), int(rows or 0), st.st_size, st.st_mtime_ns))
        for column, first in source.columns.items():
            columns.append((name, column, first, sorted(source.types.get(column, ()))))
    if files:
        con.executemany("insert into extract_files values (?, ?, ?, ?, ?)", files)
    if columns:
        con.executemany("insert into extract_columns values (?, ?, ?, ?)", columns)


def _raw_views(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource],
               values: checks.Values | None = None) -> None:
    checks.read_schemas(con, data_dir, sources, values)
    create_raw_views(con, sources)


def _cache_fault(exc: BaseException, where: Path) -> CacheUnavailable:
    """A Chinese message for a failure to write or read the cache at `where`."""
    text = str(exc)
    err = getattr(exc, "errno", None)
    if err in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text or "disk is full" in text.lower():
        key = "cache_full"
    elif err in (errno.EACCES, errno.EPERM, errno.EROFS) or "Permission denied" in text or "Read-only file system" in text:
        key = "cache_read_only"
    elif err == errno.ENOTDIR or "Not a directory" in text:
        key = "cache_not_dir"
    elif "Out of Memory" in text or "memory limit" in text.lower():
        key = "cache_memory"
    else:
        key = "cache_other"
    return CacheUnavailable(labels.MSG[key].format(path=where, error=text.splitlines()[0][:200] if text else type(exc).__name__))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_builds(cache_dir: Path) -> list[Path]:
    """Remove what builds killed mid-way (kill -9, a power cut) left behind: their
    `.<pid>.<thread>.tmp` files, WAL files and spill folders, when that process is gone."""
    removed: list[Path] = []
    if not cache_dir.is_dir():
        return removed
    for path in list(cache_dir.glob("*.tmp")) + list(cache_dir.glob("*.tmp.wal")) + list(cache_dir.glob("spill-*")):
        match = re.search(r"\.(\d+)\.\d+\.tmp(\.wal)?$", path.name) or re.fullmatch(r"spill-(\d+)", path.name)
        if not match or _pid_alive(int(match.group(1))):
            continue
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
        except OSError:
            pass  # another process got there first, or it is not ours to remove
    return removed


Progress = Callable[[int, int, str], None]


def _build(data_dir: Path, sources: dict[str, TableSource], target: Path,
           progress: Progress | None = None, note: str | None = None, engine: str = "duckdb",
           master: str | None = None, source: str | None = None) -> None:
    """Check the extract and write its rollups to `target` (atomically). `progress(i, n, what)`
    is told each step, for a progress bar on the page or on stderr. `note`: why this is a full
    build although an earlier cache of the folder exists (kept in extract_info). `engine`
    "spark": the rollups are made by Apache Spark at `master` (queries/spark.py); `source`: the
    URI `data_dir` mirrors, which Spark reads (queries/remote.py)."""
    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    spill = target.parent / f"spill-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned_builds(target.parent)
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
    except (OSError, duckdb.Error) as exc:
        raise _cache_fault(exc, target.parent) from None
    total = 0

    def step(i: int, what: str) -> None:
        if progress:
            progress(i, total, what)

    try:
        before, odd_each, odd, per_bucket, after = (
            sql_statements(con, name)
            for name in ("_rollups", "_odd_payments_bucket", "_odd_payments", "_rollups_buckets", "_rollups_after"))
        buckets = 1 if engine == "spark" else bucket_count(con, sources)
        # One step per statement, a bucket's statements once per bucket (and the split: one,
        # plus the odd payments' statements, those of _odd_payments_bucket once per bucket), the
        # macros one (they take no time), plus the checks, the findings and the save.
        split = 1 + buckets * len(odd_each) + len(odd) if buckets > 1 else 0
        total = len(before) + split + buckets * len(per_bucket) + len(after) + 1 + 3
        if engine == "spark":  # each statement and each table loaded into the cache
            total += len(before) + len(per_bucket) + len(after)
        build_settings(con, spill)
        values = checks.Values(con, data_dir)
        if engine == "spark":  # the checks, the rollups and the findings read the values with Spark
            from . import spark

            step(0, labels.BUILD_STEP["spark_start"])
            values = spark.SparkValues(con, data_dir, master, source)
        step(0, labels.BUILD_STEP["check"])
        _raw_views(con, data_dir, sources, values)
        if engine == "spark":
            values.read(sources)
        checks.check_refusals(values, sources)
        for statement in sql_statements(con, "_parts"):  # the tables' definitions: no time
            con.execute(statement)
        i = 0

        def run_in_stages(statements: list, label: str | None = None) -> None:
            """Each statement, under `label` or else the stage of the table it makes
            (labels.ROLLUP_STAGE)."""
            nonlocal i
            stage = labels.BUILD_STEP["rollups"]
            for statement in statements:
                i += 1
                stage = label or _rollup_stage(getattr(statement, "query", statement), stage)
                step(i, stage)
                con.execute(statement)

        def enter_bucket(parts: Path, bucket: int) -> None:
            """raw_bills, raw_payments and bucket_accounts as those of one bucket of the split."""
            con.execute("update build_bucket set bucket = ?", [bucket])
            _bucket_views(con, sources, parts, bucket)

        if engine == "spark":
            def spark_step(what: str) -> None:
                nonlocal i
                i += 1
                step(i, what)

            spark.build_rollups(con, sources, spill / "spark", values, (before, per_bucket, after), spark_step)
            after = []  # Spark made those tables too
        else:
            run_in_stages(before)
            con.execute("insert into build_bucket values (0, ?)", [buckets])
            if buckets == 1:
                run_in_stages(per_bucket)
            else:
                i += 1
                step(i, labels.BUILD_STEP["split"].format(n=buckets))
                parts = _split_by_bucket(con, spill)
                for bucket in range(buckets):  # the payments whose bill is elsewhere (_rollups.sql)
                    enter_bucket(parts, bucket)
                    run_in_stages(odd_each, labels.BUILD_STEP["odd_payments"].format(k=bucket + 1, n=buckets))
                create_raw_views(con, sources)
                run_in_stages(odd, labels.BUILD_STEP["odd_payments"].format(k=buckets, n=buckets))
                for bucket in range(buckets):  # one stage per bucket
                    enter_bucket(parts, bucket)
                    run_in_stages([s.query if bucket == 0 else _as_insert(s.query) for s in per_bucket],
                                  labels.BUILD_STEP["bucket"].format(k=bucket + 1, n=buckets))
                shutil.rmtree(parts, ignore_errors=True)  # the split's copy: room on disk for what follows
                create_raw_views(con, sources)  # the whole extract again, for what follows
        run_in_stages([*after, sql_text("_macros")])
        step(total - 2, labels.BUILD_STEP["findings"])
        checks.create_findings(con, sources, buckets, values)
        con.execute("create table extract_files (table_name varchar, file varchar, rows bigint, bytes bigint, "
                    "modified bigint)")
        con.execute("create table extract_columns (table_name varchar, column_name varchar, type varchar, "
                    "types varchar[])")
        record_files(con, data_dir, sources)
        con.execute("create table extract_info as select ? as name, ? as data_dir, now()::timestamp as built_at, "
                    "'full' as build_kind, ?::varchar as build_note, ? as code, ?::integer as buckets, "
                    "? as engine",
                    [_name(data_dir, source), source or str(data_dir.resolve()), note, code_version(), buckets,
                     engine])
        step(total - 1, labels.BUILD_STEP["save"])
        con.execute("checkpoint")
        con.close()
        os.replace(tmp, target)
        step(total, labels.BUILD_STEP["done"])
    except checks.ExtractRefused:
        raise
    except SparkFailed as exc:
        raise CacheUnavailable(str(exc)) from None
    except (OSError, duckdb.IOException, duckdb.OutOfMemoryException, duckdb.PermissionException) as exc:
        raise _cache_fault(exc, target.parent) from None
    finally:
        con.close()
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)


def _name(data_dir: Path, source: str | None) -> str:
    """How the extract is named on the pages: the last two parts of its folder or URI."""
    if source is not None:
        from .remote import name_of
        return name_of(source)
    return "/".join(data_dir.resolve().parts[-2:])


# The most bills a bucket of the build holds (FEE_BUILD_BUCKET_ROWS): 30 M bills, about a 1 M-account
# branch over 30 months, fit in the build's default 4 GB; a larger extract is split into buckets.
# Buckets of 15 M bills were faster at 1 M and 3 M accounts but slower at 10 M, with the same peak
# memory (benchmarks/results.md), so the default stays 30 M.
BUCKET_ROWS = 30_000_000


def bucket_count(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource]) -> int:
    """How many buckets the build splits the extract into: its bills (from the files' metadata)
    over the most a bucket holds, at least 1."""
    source = sources.get("bills")
    if source is None:
        return 1
    files = ", ".join(checks.sql_str(str(f)) for f in source.files)
    rows = con.sql(f"select coalesce(sum(num_rows), 0) from parquet_file_metadata([{files}])").fetchall()[0][0]
    limit = int(os.environ.get("FEE_BUILD_BUCKET_ROWS") or BUCKET_ROWS)
    return max(1, -(-int(rows) // max(1, limit)))


_BUCKET_TABLES = ("bills", "payments")


def _split_by_bucket(con: duckdb.DuckDBPyConnection, spill: Path) -> Path:
    """Write the bills and payments of known customers into the spill folder as Parquet, one
    folder per bucket (bucket=<k>), in one pass each: every bucket then reads only its own rows."""
    parts = spill / "buckets"
    parts.mkdir(parents=True, exist_ok=True)
    for table in _BUCKET_TABLES:
        con.execute(f"copy (select r.* exclude (source_file), a.seg_id % (select buckets from build_bucket) as bucket "
                    f"from raw_{table} as r join accounts as a using (customer_id)) "
                    f"to {checks.sql_str(str(parts / table))} (format parquet, partition_by (bucket))")
    return parts


def _bucket_views(con: duckdb.DuckDBPyConnection, sources: dict[str, TableSource], parts: Path,
                  bucket: int) -> None:
    """raw_bills and raw_payments as the rows of one bucket (none when it has none)."""
    for table in _BUCKET_TABLES:
        if table not in sources:
            continue  # raw_<table> stays the empty view of a table the extract does not have
        folder = parts / table / f"bucket={bucket}"
        if folder.is_dir():
            sql = f"select * from read_parquet({checks.sql_str(str(folder / '*.parquet'))}, hive_partitioning = false)"
        else:
            sql = f"select * exclude (source_file) from ({checks.raw_view_sql(sources[table])}) limit 0"
        con.execute(f"create or replace temp view raw_{table} as {sql}")


_CREATE_TABLE = re.compile(r"^(\s*)create\s+table\s+(\w+)\s+as\b", re.IGNORECASE | re.MULTILINE)


def _as_insert(statement: str) -> str:
    """A bucket after the first adds its rows to the tables the first made: `create table t as
    <query>` becomes `insert into t <query>`; other statements (temp tables and views, made
    again for each bucket and dropped) stay as they are."""
    return _CREATE_TABLE.sub(r"\1insert into \2", statement, count=1)


_CREATES = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?(?:temp\s+)?(table|view|macro)\s+(\w+)",
                      re.IGNORECASE | re.MULTILINE)


def _rollup_stage(statement: str, before: str) -> str:
    """The progress stage a statement of the build belongs to (labels.ROLLUP_STAGE): by the
    table it creates; a macro is 准备查询; anything else stays in the stage before."""
    match = _CREATES.search(statement)
    if match is None:
        return before
    if match.group(1).lower() == "macro":
        return labels.ROLLUP_STAGE_MACROS
    return labels.ROLLUP_STAGE.get(match.group(2), before)


class Extract:
    """One opened extract. `query(name, ...)` runs queries/sql/<name>.sql; thread-safe."""

    def __init__(self, data_dir: Path, cache_file: Path):
        self.data_dir = data_dir
        self.cache_file = cache_file
        self._stat = _file_identity(cache_file)
        # Its own in-memory DuckDB with the cache attached read-only: a rebuilt or replaced
        # cache file is never served by an older instance of the same path (DuckDB shares
        # one instance per database path in a process, with its locked configuration).
        self._con = duckdb.connect(":memory:")
        try:
            self._con.execute(f"attach {checks.sql_str(str(cache_file))} as rollups (read_only)")
            self._con.execute("use rollups")
            # Every page question fits well inside this; a runaway plan fails instead of swapping.
            self._con.execute(f"set memory_limit = '{os.environ.get('FEE_MEMORY_LIMIT', '2GB')}'")
            self._con.execute("set enable_progress_bar = false")  # output meant for machines stays clean
            # Sandbox: a question can read the rollups and nothing else, and write no file.
            self._con.execute("set allowed_directories = []")
            self._con.execute("set enable_external_access = false")
            self._con.execute("set lock_configuration = true")
            info = self.query_rows("select name, build_kind, build_note, data_dir from extract_info")[0]
            dates = self.query_rows(
                "select default_as_of, first_period, last_period, first_issued from extract_dates")[0]
        except BaseException:
            self._con.close()
            raise
        self.name: str = info[0]
        # 'full' or 'refresh' (queries/refresh.py), and what was added or why it was built in full
        self.build_kind: str = info[1]
        self.build_note: str | None = info[2]
        # Where the extract's files are: its folder, or the URI a Spark build read (queries/remote.py)
        self.source: str = info[3]
        self.default_as_of: dt.date | None = dates[0]
        self.first_period: dt.date | None = dates[1]
        self.last_period: dt.date | None = dates[2]
        self.first_issued: dt.date | None = dates[3]

    def intact(self) -> bool:
        """Whether the cache file is still the one opened (not truncated, replaced or removed)."""
        return _file_identity(self.cache_file) == self._stat

    def close(self) -> None:
        self._con.close()

    @property
    def first_day(self) -> dt.date | None:
        """The first day the extract has data for: its first bill month or issue."""
        days = [d for d in (self.first_period, self.first_issued) if d is not None]
        return min(days) if days else None

    def outside_dates(self, as_of: dt.date) -> str | None:
        """A note when `as_of` lies outside the extract's dates (it is answered all the same)."""
        first, last = self.first_day, self.default_as_of
        if first is None or last is None:
            return None
        if as_of < first or as_of > last:
            return labels.MSG["as_of_outside"].format(as_of=as_of, first=first, last=last)
        return None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        cur.execute("use rollups")
        return cur

    def query_rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self._cursor().sql(sql, params=params or None).fetchall()

    def query(self, name: str, scope: Scope | None = None, **params) -> pl.DataFrame:
        """Run a named question with its bound parameters; unused parameters are ignored, and
        those of OPTIONAL and the settings of docs/DATA.md §6 may be left out."""
        sql = sql_text(name)
        wanted = set(_PARAM.findall(sql))
        given = {**OPTIONAL, **(scope or Scope()).params(), **params}
        if wanted & SETTINGS_PARAMS - given.keys():
            from .collections import load_settings  # collections builds on this module
            given = {**load_settings().params(), **given}
        missing = wanted - given.keys()
        if missing:
            raise TypeError(f"{name}.sql needs parameters {sorted(missing)}")
        bound = {k: given[k] for k in wanted}
        return self._cursor().sql(_typed(sql, wanted), params=bound or None).pl()


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


_open_lock = threading.Lock()
_opened: dict[Path, Extract] = {}


def cache_file_for(data_dir: str | Path, cache_dir: str | Path | None = None) -> Path:
    """Where an extract's rollups live: keyed by its folder and its files' sizes and mtimes."""
    data_dir = Path(data_dir)
    sources = checks.find_tables(data_dir)
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    folder = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return (cache_dir / f"extract-{folder}-{_fingerprint(data_dir, sources)}.duckdb").resolve()


def is_built(data_dir: str | Path, cache_dir: str | Path | None = None) -> bool:
    """Whether opening the extract would not need a build (for showing progress only then)."""
    try:
        return cache_file_for(data_dir, cache_dir).exists()
    except (checks.ExtractRefused, OSError):
        return True  # opening answers at once, with its message


def open_extract(data_dir: str | Path, cache_dir: str | Path | None = None,
                 progress: Progress | None = None, engine: str = "duckdb", master: str | None = None,
                 source: str | None = None) -> Extract:
    """Check and open an extract, building its rollups first if need be. Raises
    ExtractRefused (the extract breaks docs/DATA.md §4) or CacheUnavailable (the cache cannot
    be written or read, or Spark cannot run), each with a Chinese message. A cache file that
    was truncated, replaced or cannot be opened is built again. `engine` "spark": a build the
    extract needs is a full one on Apache Spark at `master` (queries/spark.py), reading the
    files at `source` when `data_dir` is its mirror (queries/remote.py)."""
    data_dir = Path(data_dir)
    sources = checks.find_tables(data_dir)
    cache_file = cache_file_for(data_dir, cache_dir)
    folder = cache_file.name.split("-")[1]
    with _open_lock:
        current = _opened.get(cache_file)
        if current is not None and current.intact():
            return current
        if current is not None:  # changed under us: let go of it and build again
            _forget(cache_file)
            cache_file.unlink(missing_ok=True)
        if cache_file.exists():
            remove_abandoned_builds(cache_file.parent)  # a killed rebuild's leftovers, too
            try:
                _opened[cache_file] = Extract(data_dir, cache_file)
                return _opened[cache_file]
            except duckdb.Error:  # truncated or corrupt: build again below
                try:
                    cache_file.unlink(missing_ok=True)
                except OSError as exc:
                    raise _cache_fault(exc, cache_file.parent) from None
        note = _refresh(data_dir, sources, cache_file, folder, progress) if engine == "duckdb" else None
        if not cache_file.exists():
            _build(data_dir, sources, cache_file, progress, note, engine, master, source)
        _remove_superseded(cache_file.parent, folder, cache_file)
        try:
            _opened[cache_file] = Extract(data_dir, cache_file)
        except duckdb.Error as exc:
            raise _cache_fault(exc, cache_file.parent) from None
        return _opened[cache_file]


def _refresh(data_dir: Path, sources: dict[str, TableSource], cache_file: Path, folder: str,
             progress: Progress | None) -> str | None:
    """Make the cache from the folder's previous one when only payments files were added
    (queries/refresh.py). None when there is none to start from; else why it could not (the
    caller builds in full) or None after a refresh."""
    from . import refresh

    previous = refresh.previous_cache(cache_file.parent, folder, cache_file)
    if previous is None:
        return None
    try:
        planned = refresh.plan(data_dir, sources, previous, code_version())
        refresh.refresh(data_dir, sources, planned, cache_file, progress)
        return None
    except refresh.CannotRefresh as exc:
        return str(exc)
    except (OSError, duckdb.IOException, duckdb.OutOfMemoryException, duckdb.PermissionException) as exc:
        raise _cache_fault(exc, cache_file.parent) from None
    except duckdb.Error as exc:  # anything else: the full build still answers
        return labels.REFRESH_BLOCKED["failed"].format(error=str(exc).splitlines()[0][:200])


def _forget(cache_file: Path) -> None:
    ex = _opened.pop(cache_file, None)
    if ex is not None:
        ex.close()


def _remove_superseded(cache_dir: Path, folder: str, current: Path) -> None:
    """A refreshed extract (or new code) gets a new cache; drop the same folder's old ones.
    Whoever still reads an old file keeps its open handle (POSIX) until it lets go."""
    for old in cache_dir.glob(f"extract-{folder}-*.duckdb"):
        if old != current:
            try:
                old.unlink(missing_ok=True)
            except OSError:
                continue
            _opened.pop(old.resolve(), None)
