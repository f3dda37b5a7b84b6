"""Opening one extract: check it, build its rollups once into a cache outside the data
directory, and answer named questions on a sandboxed, read-only connection."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from . import checks
from .checks import TableSource

SQL_DIR = Path(__file__).parent / "sql"
CACHE_FORMAT = "1"  # bump when the cache's layout changes in a way the SQL hash misses
_PARAM = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True)
class Scope:
    """Filters on customer attributes (CONTRACT §3). Empty means all; '' is a null village/line."""

    stations: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    high_energy_only: bool = False
    key_accounts_only: bool = False

    def params(self) -> dict[str, object]:
        return {
            "stations": list(self.stations),
            "villages": list(self.villages),
            "lines": list(self.lines),
            "categories": list(self.categories),
            "high_energy_only": bool(self.high_energy_only),
            "key_accounts_only": bool(self.key_accounts_only),
        }


def sql_text(name: str) -> str:
    """Read on every call (microseconds), so an edited .sql file is picked up by a running server."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def question_names() -> list[str]:
    return sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_"))


def _typed(sql: str, names: set[str]) -> str:
    """Give list parameters an explicit type, so an empty list binds."""
    for name in names:
        if name in {"stations", "villages", "lines", "categories"}:
            sql = re.sub(rf"\${name}\b", f"${name}::varchar[]", sql)
    return sql


def default_cache_dir() -> Path:
    env = os.environ.get("FEE_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fee-recovery"


def _fingerprint(data_dir: Path, sources: dict[str, TableSource]) -> str:
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(str(data_dir.resolve()).encode())
    for name in sorted(sources):
        for f in sources[name].files:
            st = f.stat()
            h.update(f"{name}|{f.relative_to(data_dir)}|{st.st_size}|{st.st_mtime_ns}".encode())
    for part in ("_rollups", "_macros"):
        h.update(sql_text(part).encode())
    for module in (checks.__file__, __file__):  # the code that builds the cache
        h.update(Path(module).read_bytes())
    return h.hexdigest()[:24]


def _statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().strip(";")]


def _raw_views(con: duckdb.DuckDBPyConnection, data_dir: Path, sources: dict[str, TableSource]) -> None:
    checks.read_schemas(con, data_dir, sources)
    for name, source in sources.items():
        con.execute(f"create or replace temp view raw_{name} as {checks.raw_view_sql(source)}")
    if "targets" not in sources:
        con.execute("create or replace temp view raw_targets as select null::varchar as station, "
                    "null::integer as year, null::double as recovery_target where false")


def _build(data_dir: Path, sources: dict[str, TableSource], target: Path) -> None:
    """Check the extract and write its rollups to `target` (atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("set preserve_insertion_order = false")
        # A 30 M-bill build spills to disk rather than take most of the machine's memory;
        # the spill files sit beside the cache, never in the extract.
        con.execute(f"set memory_limit = '{os.environ.get('FEE_BUILD_MEMORY_LIMIT', '4GB')}'")
        con.execute(f"set temp_directory = {checks.sql_str(str(target.parent / 'spill'))}")
        _raw_views(con, data_dir, sources)
        checks.check_refusals(con, data_dir, sources)
        for statement in _statements(sql_text("_rollups")) + _statements(sql_text("_macros")):
            con.execute(statement)
        con.execute(f"create table findings as select * from ({checks.findings_sql(sources)}) "
                    "where rows > 0 or rule like '%可选列%'")
        files = []
        for name, source in sources.items():
            for f in source.files:
                rows = con.sql(f"select sum(num_rows) from parquet_file_metadata({checks.sql_str(str(f))})").fetchall()[0][0]
                files.append((name, f.relative_to(data_dir).as_posix(), int(rows or 0), f.stat().st_size))
        con.execute("create table extract_files (table_name varchar, file varchar, rows bigint, bytes bigint)")
        if files:
            con.executemany("insert into extract_files values (?, ?, ?, ?)", files)
        con.execute("create table extract_info as select ? as name, ? as data_dir, now()::timestamp as built_at",
                    ["/".join(data_dir.resolve().parts[-2:]), str(data_dir.resolve())])
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, target)


class Extract:
    """One opened extract. `query(name, ...)` runs queries/sql/<name>.sql; thread-safe."""

    def __init__(self, data_dir: Path, cache_file: Path):
        self.data_dir = data_dir
        self.cache_file = cache_file
        self._con = duckdb.connect(str(cache_file), read_only=True)
        # Every page question fits well inside this; a runaway plan fails instead of swapping.
        self._con.execute(f"set memory_limit = '{os.environ.get('FEE_MEMORY_LIMIT', '2GB')}'")
        # Sandbox: a question can read the rollups and nothing else, and write nothing.
        self._con.execute("set allowed_directories = []")
        self._con.execute("set enable_external_access = false")
        self._con.execute("set lock_configuration = true")
        info = self.query_rows("select name from extract_info")[0]
        self.name: str = info[0]
        dates = self.query_rows("select default_as_of, first_period, last_period from extract_dates")[0]
        self.default_as_of: dt.date | None = dates[0]
        self.first_period: dt.date | None = dates[1]
        self.last_period: dt.date | None = dates[2]

    def query_rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self._con.cursor().sql(sql, params=params or None).fetchall()

    def query(self, name: str, scope: Scope | None = None, **params) -> pl.DataFrame:
        """Run a named question with its bound parameters; unused parameters are ignored."""
        sql = sql_text(name)
        wanted = set(_PARAM.findall(sql))
        given = {**(scope or Scope()).params(), **params}
        missing = wanted - given.keys()
        if missing:
            raise TypeError(f"{name}.sql needs parameters {sorted(missing)}")
        bound = {k: given[k] for k in wanted}
        return self._con.cursor().sql(_typed(sql, wanted), params=bound or None).pl()


_open_lock = threading.Lock()
_opened: dict[Path, Extract] = {}  # DuckDB shares one instance per file in a process: so do we


def open_extract(data_dir: str | Path, cache_dir: str | Path | None = None) -> Extract:
    """Check and open an extract; raises ExtractRefused with a Chinese message."""
    data_dir = Path(data_dir)
    sources = checks.find_tables(data_dir)
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    folder = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    cache_file = (cache_dir / f"extract-{folder}-{_fingerprint(data_dir, sources)}.duckdb").resolve()
    with _open_lock:
        if cache_file not in _opened:
            if not cache_file.exists():
                _build(data_dir, sources, cache_file)
                _remove_superseded(cache_file.parent, folder, cache_file)
            _opened[cache_file] = Extract(data_dir, cache_file)
        return _opened[cache_file]


def _remove_superseded(cache_dir: Path, folder: str, current: Path) -> None:
    """A refreshed extract (or new code) gets a new cache; drop the same folder's old ones.
    Whoever still reads an old file keeps its open handle (POSIX) until it lets go."""
    for old in cache_dir.glob(f"extract-{folder}-*.duckdb"):
        if old != current:
            old.unlink(missing_ok=True)
            _opened.pop(old.resolve(), None)
