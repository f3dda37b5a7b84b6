"""The build on Apache Spark (`python -m queries build --engine spark`, docs/DATA.md §9).

One definition of each rollup: Spark runs the build's own SQL files (_rollups.sql, then
_rollups_buckets.sql as the one bucket of the whole extract, then _rollups_after.sql), read in
DuckDB's dialect and translated statement by statement with sqlglot:

- the macros of _parts.sql are expanded where they are called (a table macro becomes a subquery
  of its body, with query_table(name) the table it names; a scalar macro its expression);
- sqlglot writes each statement in Spark's dialect, after the few rewrites below for what it
  does not translate (isodow; DuckDB's infinite date, which Spark has no value for);
- `create table t as … order by …` runs in Spark without its order, and writes t as Parquet;
  DuckDB then loads t into the cache in that order, into a table made by the DuckDB statement
  itself on no rows, so each column has the type a DuckDB build gives it.

The bucket machinery (build_bucket, odd_payments, incoming_payments) is not Spark's: Spark
builds the whole extract as one bucket, and spills and distributes by itself.

The checks that read the extract's values (numbers that are not numbers, duplicate ids, periods
not on the 1st) and the findings run on Spark too (`SparkValues`): the SQL of queries/checks.py,
translated the same way, with the functions Spark lacks defined in SQL (SPARK_FUNCTIONS). Only
the files' footers (columns, types, row counts) are read by DuckDB on this machine: from the data
directory itself, or for one given by URI (HDFS, S3A…) from the copy of it this machine keeps
(queries/remote.py) while Spark reads the originals.
"""

from __future__ import annotations

import copy
import os
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import sqlglot
from sqlglot import exp

from . import checks, labels, remote
from .extract import SparkFailed, spark_unavailable
from .schema import SQL_TYPE, TABLES

# What Spark runs instead of the statements that make the bucket machinery (_rollups.sql):
# the whole extract is bucket 0 of 1, and no payment comes from another bucket.
SPARK_INSTEAD = {
    "build_bucket": "select 0 as bucket, 1 as buckets",
    "odd_payments": None,
    "odd_payment_bills": None,
    "incoming_payments": "select * from raw_payments where false",
    "incoming_payers": "select customer_id from raw_customers where false",
}
# pyspark's note that it does not fully support pandas 3: the build uses no pandas.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")  # errors only: the progress stays readable
# DuckDB's infinite date ('infinity'::date: a stretch still open) is 9999-12-31 in Spark, the
# latest date it has, and infinite again in the cache. Only these columns hold it.
SPARK_INFINITY = "9999-12-31"
INFINITE_COLUMNS = ("valid_to",)



# --- the macros of _parts.sql ----------------------------------------------------------------------

@dataclass
class Macro:
    name: str
    params: list[str]
    body: exp.Expression
    is_table: bool


def read_macros(text: str) -> dict[str, Macro]:
    """The macros a SQL file creates, by name."""
    found = {}
    for statement in sqlglot.parse(text, read="duckdb"):
        if isinstance(statement, exp.Create) and str(statement.args.get("kind", "")).upper() == "MACRO":
            udf = statement.this
            name = udf.this.name
            params = [p.name for p in udf.expressions]
            body = statement.expression
            found[name.lower()] = Macro(name, params, body, isinstance(body, (exp.Query, exp.Subquery)))
    return found


def _argument_name(arg: exp.Expression, bound: dict[str, str]) -> str:
    """The table a table macro's argument names: a string, or a parameter of the macro around it."""
    if isinstance(arg, exp.Literal) and arg.is_string:
        return arg.this
    if isinstance(arg, exp.Column) and arg.name in bound:
        return bound[arg.name]
    raise ValueError(f"a table macro's argument must name a table: {arg.sql('duckdb')}")


def expand(node: exp.Expression, macros: dict[str, Macro], bound: dict[str, str] | None = None) -> exp.Expression:
    """`node` with every macro call replaced by the macro's body (recursively). `bound`: the
    table names the parameters of the table macro being expanded stand for."""
    bound = bound or {}
    counter = [0]

    def table_call(table: exp.Table) -> exp.Expression:
        call = table.this
        if not isinstance(call, exp.Anonymous):
            return table
        name = call.name.lower()
        alias = table.args.get("alias")
        if name == "query_table":
            target = _argument_name(call.expressions[0], bound)
            return exp.Table(this=exp.to_identifier(target), alias=copy.deepcopy(alias))
        macro = macros.get(name)
        if macro is None or not macro.is_table:
            return table
        names = dict(zip(macro.params, (_argument_name(a, bound) for a in call.expressions)))
        body = expand(copy.deepcopy(macro.body), macros, names)
        counter[0] += 1
        alias = copy.deepcopy(alias) if alias else exp.TableAlias(this=exp.to_identifier(f"_{macro.name}_{counter[0]}"))
        return exp.Subquery(this=body, alias=alias)

    def scalar_call(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table):
            return table_call(node)
        if not isinstance(node, exp.Anonymous):
            return node
        macro = macros.get(node.name.lower())
        if macro is None or macro.is_table:
            return node
        args = dict(zip(macro.params, node.expressions))
        body = copy.deepcopy(macro.body)
        body = body.transform(lambda n: copy.deepcopy(args[n.name]) if isinstance(n, exp.Column) and not n.table
                              and n.name in args else n)
        return exp.Paren(this=expand(body, macros, bound))

    return node.transform(scalar_call)


# --- one statement, for Spark ----------------------------------------------------------------------

def _spark_rewrites(node: exp.Expression) -> exp.Expression:
    """What sqlglot does not translate as DuckDB means it."""
    if isinstance(node, exp.Cast) and node.to.is_type("date") and isinstance(node.this, exp.Literal) \
            and node.this.this.lower() == "infinity":
        return exp.Cast(this=exp.Literal.string(SPARK_INFINITY), to=exp.DataType.build("date"))
    if isinstance(node, exp.DayOfWeekIso):  # ISO: Monday 1 … Sunday 7; Spark's weekday: Monday 0
        return exp.Paren(this=exp.Add(this=exp.Anonymous(this="weekday", expressions=[node.this]),
                                      expression=exp.Literal.number(1)))
    if isinstance(node, exp.ArgMin) and node.args.get("count"):  # the first k by an order: min_by(x, by, k)
        by = node.expression
        if isinstance(by, exp.Tuple):  # DuckDB's row value is Spark's struct, compared field by field
            by = exp.Anonymous(this="struct", expressions=by.expressions)
        return exp.Anonymous(this="min_by", expressions=[node.this, by, node.args["count"]])
    return node


def spark_query(query: exp.Expression, macros: dict[str, Macro]) -> str:
    """A DuckDB query, macros expanded, in Spark's dialect."""
    return expand(copy.deepcopy(query), macros).transform(_spark_rewrites).sql("spark")


@dataclass
class Step:
    """One statement of the build, for Spark: `kind` table (made and kept in the cache), temp
    (made, for the statements after it), view, insert (rows added to a table) or skip."""
    kind: str
    name: str
    sql: str | None = None  # in Spark's dialect
    order: str | None = None  # the table's order in the cache (DuckDB's dialect)


def _unqualified(node: exp.Expression) -> exp.Expression:
    """A column of the order by as a column of the table made (b.period: period)."""
    return exp.column(node.name) if isinstance(node, exp.Column) and node.table else node


def _is_temporary(create: exp.Create) -> bool:
    props = create.args.get("properties")
    return bool(props and any(isinstance(p, exp.TemporaryProperty) for p in props.expressions))


def plan(statement: str, macros: dict[str, Macro]) -> Step:
    """What Spark does for one statement of the build's files."""
    nodes = [n for n in sqlglot.parse(statement, read="duckdb") if n is not None and not isinstance(n, exp.Semicolon)]
    if len(nodes) != 1:
        raise ValueError(f"one statement expected: {statement[:80]}")
    node = nodes[0]
    if isinstance(node, exp.Create):
        kind = str(node.args.get("kind", "")).upper()
        name = node.this.this.name if isinstance(node.this, (exp.Schema, exp.UserDefinedFunction)) else node.this.name
        if kind == "MACRO":
            return Step("skip", name)
        if name in SPARK_INSTEAD:
            return Step("view", name, SPARK_INSTEAD[name]) if SPARK_INSTEAD[name] else Step("skip", name)
        query = node.expression
        order = None
        if kind == "TABLE" and query.args.get("order"):
            order = ", ".join(o.transform(_unqualified).sql("duckdb") for o in query.args["order"].expressions)
            query = query.copy()
            query.set("order", None)
        sql = spark_query(query, macros)
        if kind == "VIEW":
            return Step("view", name, sql)
        return Step("temp" if _is_temporary(node) else "table", name, sql, order)
    if isinstance(node, exp.Insert):
        return Step("insert", node.this.name if isinstance(node.this, exp.Table) else node.this.this.name,
                    spark_query(node.expression, macros))
    if isinstance(node, exp.Drop):
        return Step("drop", node.args["tables"][0].name)
    raise ValueError(f"the Spark build does not know this statement: {statement[:80]}")


# --- the session and the extract's rows ------------------------------------------------------------

def session(master: str | None = None):
    """A Spark session: `master` (local[*] when None), with DuckDB's time semantics (timestamps
    without a time zone)."""
    problem = spark_unavailable()
    if problem:
        raise SparkFailed(problem)
    from pyspark.sql import SparkSession

    running = _running()
    if running is not None and (master is None or running.sparkContext.master == master):
        return _for_the_build(running)  # one JVM a process: a second build reuses the session
    builder = SparkSession.builder.appName("fee-recovery build")
    if not (submitted() and master is None):  # spark-submit's --master and --driver-memory stand
        builder = (builder.master(master or "local[*]")
                   .config("spark.driver.memory", os.environ.get("FEE_SPARK_DRIVER_MEMORY", "4g")))
    builder = (builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")  # the build's own progress is on stderr
               .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile={LOG_CONFIG.as_uri()}")
               .config("spark.sql.shuffle.partitions", os.environ.get("FEE_SPARK_PARTITIONS", "64")))
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return _for_the_build(spark)
    except Exception as exc:  # the JVM did not start, or the master did not answer
        raise SparkFailed(labels.BUILD_CLI["spark_failed"].format(error=str(exc).splitlines()[0][:300])) from None


def _for_the_build(spark):
    """The session, reading a nanosecond timestamp as its nanoseconds (see _raw_select)."""
    spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
    return spark


def submitted() -> bool:
    """Whether this process was started by spark-submit (queries/spark_job.py), whose JVM it
    talks to: its master, memory and packages are the ones given to spark-submit."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _running():
    """The session this process started already (any thread's), or None."""
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession
    try:
        return SparkSession.active()
    except PySparkRuntimeError:
        return None


def _raw_select(source: checks.TableSource, types: dict[str, str]) -> str:
    """The select list of raw_<table> (checks.raw_columns: the contract's columns and types,
    money rounded to the fen) over files of these column types, in Spark's dialect. Spark reads
    a TIMESTAMP_NS column as its nanoseconds (spark.sql.legacy.parquet.nanosAsLong: it has no
    such type), rounded here to the microsecond half away from zero as DuckDB casts it."""
    selects = []
    for column, select in zip(TABLES[source.name], checks.raw_columns(source)):
        kind_type = types.get(column.name, "").upper()
        if column.name not in types:  # a nullable column these files do not have
            select = f"null::{SQL_TYPE[column.kind]} as {column.name}"
        elif kind_type == "TIMESTAMP_NS":
            select = (f"timestamp_micros(round({column.name}::decimal(20, 0) / 1000, 0)::bigint)::timestamp "
                      f"as {column.name}")
        selects.append(sqlglot.transpile(select, read="duckdb", write="spark")[0])
    return ", ".join(selects)


def raw_views(spark, sources: dict[str, checks.TableSource], where: Callable[[Path], str] = str) -> None:
    """raw_<table> in Spark, as checks.raw_view_sql makes them in DuckDB; an optional table the
    extract does not have has no rows. `where(file)`: where Spark reads a file of the extract
    (the source of a mirror's file, queries/remote.py). The files of a table are read together,
    those with the same columns of the same types in one read (an extract written by one
    system: one read of every file)."""
    for name in TABLES:
        source = sources.get(name)
        if source is None:
            nulls = ", ".join(f"null::{SQL_TYPE[c.kind]} as {c.name}" for c in TABLES[name])
            spark.sql(sqlglot.transpile(f"select {nulls}, null::varchar as source_file where false",
                                        read="duckdb", write="spark")[0]).createOrReplaceTempView(f"raw_{name}")
            continue
        groups: dict[tuple, list[Path]] = {}
        for f in source.files:
            groups.setdefault(tuple(sorted(source.file_types[f].items())), []).append(f)
        frame = None
        for signature, files in groups.items():
            spark.read.parquet(*(where(f) for f in files)).createOrReplaceTempView("_raw_files")
            part = spark.sql(f"select {_raw_select(source, dict(signature))}, input_file_name() as source_file "
                             "from _raw_files")
            frame = part if frame is None else frame.unionByName(part)
        frame.createOrReplaceTempView(f"raw_{name}")
    spark.catalog.dropTempView("_raw_files")


# What the checks' SQL calls that Spark does not have (queries/checks.py), as Spark SQL functions.
# double_text(s): a number as DuckDB writes it (the shortest digits that read back, as Python's
# repr), from Java's Double.toString / Float.toString, which Spark writes: the same digits, but in
# scientific notation outside 10^-3 ≤ |x| < 10^7 (DuckDB: outside 10^-4 ≤ |x| < 10^16), as 1.2E7
# rather than 1.2e+07, and NaN, Infinity rather than nan, inf. Java 17 also writes some numbers of
# 10^16 and more with a digit too many (JDK-4511638, fixed in Java 19): their 17 or 18 digits are
# rounded to one fewer when that reads back as the same number. Each value is named once, in a
# lambda (transform(array(v), v -> …)), since Spark writes a SQL function's body out in full at
# each use of a parameter: nested functions would repeat the text's parsing hundreds of times.
_DIGITS = "regexp_replace(replace(replace(substring_index(v, 'E', 1), '-', ''), '.', ''), '0+$', '')"
_FEWER = ("regexp_replace(substring(cast(if(length(p.d) = 17, round(try_cast('0.' || p.d as decimal(38, 37)), 16), "
          "round(try_cast('0.' || p.d as decimal(38, 37)), 17)) as string), 3), '0+$', '')")
_SHORTEST = (f"if(length(p.d) < 17, p.d, transform(array({_FEWER}), r -> "
             "if(r <> '' and abs(p.x) = try_cast('0.' || r || 'E' || (p.e + 1) as double), r, p.d))[0])")
_TEXT = ("q.sign || case "
         "when q.e >= 16 or q.e < -4 then substr(q.d, 1, 1) || if(length(q.d) > 1, '.' || substr(q.d, 2), '') "
         "|| 'e' || if(q.e < 0, '-', '+') || if(abs(q.e) < 10, '0', '') || cast(abs(q.e) as string) "
         "when q.e >= 0 then if(length(q.d) <= q.e + 1, rpad(q.d, q.e + 1, '0') || '.0', "
         "substr(q.d, 1, q.e + 1) || '.' || substr(q.d, q.e + 2)) "
         "else '0.' || repeat('0', -q.e - 1) || q.d end")
SPARK_FUNCTIONS = (
    "create or replace temporary function isfinite(x double) returns boolean "
    "return not (isnan(x) or abs(x) = double('Infinity'))",
    "create or replace temporary function double_text(s string) returns string return transform(array(s), v -> case "
    "when v = 'NaN' then 'nan' when v = 'Infinity' then 'inf' when v = '-Infinity' then '-inf' "
    "when instr(v, 'E') = 0 then v "
    # sign, significant digits d (d₁.d₂d₃…), decimal exponent e, the number x
    f"else transform(array(named_struct('sign', if(startswith(v, '-'), '-', ''), 'd', {_DIGITS}, "
    "'e', try_cast(substring_index(v, 'E', -1) as int), 'x', try_cast(v as double))), p -> "
    f"transform(array(named_struct('sign', p.sign, 'd', {_SHORTEST}, 'e', p.e)), q -> {_TEXT})[0])[0] end)[0]",
)


def spark_errors(action: Callable[[], object]):
    """`action()`, with an error of Spark (of the JVM or of Spark's analysis) as SparkFailed."""
    try:
        return action()
    except Exception as exc:
        if not type(exc).__module__.startswith(("pyspark", "py4j")):
            raise
        raise SparkFailed(labels.BUILD_CLI["spark_failed"].format(
            error=str(exc).strip().splitlines()[0][:300])) from None


class SparkValues(checks.Values):
    """The checks' and the findings' reads of the extract's values, by Spark: the SQL of
    queries/checks.py, translated with sqlglot like the rollups, over raw_<table> read where the
    files are (`source`: the URI `data_dir` mirrors, queries/remote.py). The files' footers are
    still read by DuckDB on this machine (checks.read_schemas)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, data_dir: Path, master: str | None, source: str | None):
        super().__init__(con, data_dir)
        self.spark = session(master)
        self.source = source
        self.where = (lambda f: str(Path(f).absolute())) if source is None else (
            lambda f: remote.remote_file(source, data_dir, f))
        self._file_of: dict[str, Path] = {}  # each file read so far, by the URI Spark lists it by
        for statement in SPARK_FUNCTIONS:
            spark_errors(lambda: self.spark.sql(statement))

    def rows(self, sql: str) -> list[tuple]:
        spark_sql = spark_query(sqlglot.parse_one(sql, read="duckdb"), {})
        return spark_errors(lambda: [tuple(row) for row in self.spark.sql(spark_sql).collect()])

    def read(self, sources: dict[str, checks.TableSource]) -> None:
        """raw_<table>: the extract's rows, for the checks, the rollups and the findings."""
        spark_errors(lambda: raw_views(self.spark, sources, self.where))

    def _read(self, files: list[Path]):
        """The files as one DataFrame (no row is read yet), each file noted by the URI Spark
        lists it by, which input_file_name() gives its rows: matched to it by its decoded path."""
        def read():
            frame = self.spark.read.parquet(*(self.where(f) for f in files))
            jvm, conf = self.spark._jvm, self.spark._jsc.hadoopConfiguration()
            listed = frame.inputFiles()
            by_path = {jvm.java.net.URI(uri).getPath(): uri for uri in listed}
            for f in files:
                path = jvm.org.apache.hadoop.fs.Path(self.where(f))
                uri = by_path.get(path.getFileSystem(conf).makeQualified(path).toUri().getPath())
                if uri is None:  # Spark lists a file by a path this machine cannot match to it
                    raise SparkFailed(labels.REMOTE["not_listed"].format(
                        file=self.where(f), listed="、".join(list(listed)[:3])))
                self._file_of[uri] = f
            return frame
        return spark_errors(read)

    def name_files(self, sources: dict[str, checks.TableSource]) -> None:
        noted = set(self._file_of.values())
        rest = [f for source in sources.values() for f in source.files if f not in noted]
        if rest:
            self._read(rest)
        rows = [(uri, checks.relative(self.data_dir, f)) for uri, f in self._file_of.items()]
        spark_errors(lambda: self.spark.createDataFrame(rows, "file string, name string")
                     .createOrReplaceTempView("check_files"))

    def number_counts(self, scans: list[tuple[str, Path, list[tuple[str, str, str]]]]) -> dict[tuple[Path, str], int]:
        """One read of the files of a table whose number columns have the same types, counted by
        file (checks.Values.number_counts)."""
        groups: dict[tuple, list[Path]] = {}
        for table, file, columns in scans:
            groups.setdefault((table, tuple(columns)), []).append(file)
        counts = {}
        for (_, columns), files in groups.items():
            frame = self._read(files)
            spark_errors(lambda: frame.createOrReplaceTempView("_numbers"))
            measures = ", ".join(checks.number_measures(list(columns)))
            for uri, *ns in self.rows(f"select input_file_name() as file, {measures} from _numbers group by all"):
                for (column, _, _), n in zip(columns, ns):
                    counts[self._file_of[uri], column] = n
        return counts

    def number_examples(self, file: Path, column: str, kind: str, duckdb_type: str) -> list[str]:
        """The first five in the file's order (checks.Values.number_examples)."""
        spark_errors(lambda: self.spark.read.parquet(self.where(file)).createOrReplaceTempView("_numbers"))
        bad, text = checks.number_condition(column, kind, duckdb_type), checks.value_text(column, duckdb_type)
        rows = self.rows(f"select arg_min({text}, _row, 5) filter (where {bad}) "
                         "from (select *, monotonically_increasing_id() as _row from _numbers)")
        return list(rows[0][0] or [])


# --- the build -----------------------------------------------------------------------------------

def build_rollups(con: duckdb.DuckDBPyConnection, sources: dict[str, checks.TableSource], work: Path,
                  values: SparkValues, parts: tuple[list, list, list], step: Callable[[str], None]) -> None:
    """Make the build's tables with Spark into `con`. `parts`: the DuckDB statements of the
    build's files (_rollups, _rollups_buckets, _rollups_after), which DuckDB first runs on no
    rows (every table, empty, with the types a DuckDB build gives it), and Spark then on the
    extract's rows (`values`: the session, its raw_<table> read for the checks). `work`: a
    folder of this machine for the tables Spark writes, unless $FEE_SPARK_WORK names one the
    cluster shares."""
    from .extract import create_raw_views, sql_text

    macros = read_macros(sql_text("_parts"))
    planned = [plan(getattr(s, "query", s), macros) for statements in parts for s in statements]
    create_raw_views(con, sources, empty=True)
    before, per_bucket, after = parts
    for statement in before:
        con.execute(statement)
    con.execute("insert into build_bucket values (0, 1)")
    for statement in [*per_bucket, *after]:
        con.execute(statement)
    create_raw_views(con, sources)

    spark, source = values.spark, values.source
    shared = os.environ.get("FEE_SPARK_WORK")
    written = f"{shared.rstrip('/')}/fee-build-{uuid.uuid4().hex[:12]}" if shared else str(work)
    try:
        spark_errors(lambda: _run(spark, planned, written, step))
        if source is not None:
            remote.unchanged(spark, source, values.data_dir)
        for p in planned:
            if p.kind == "table":
                step(labels.BUILD_STEP["spark_load"])
                if shared:  # from the cluster's folder to this machine's first
                    remote.fetch_folder(spark, f"{written}/{p.name}", work / p.name)
                load(con, p.name, work / p.name, p.order)
    finally:
        if shared:
            remote.delete(spark, written)


def _run(spark, planned: list[Step], work: str, step: Callable[[str], None]) -> None:
    """Spark's part: each statement over raw_<table>; a table is written to `work` (a folder or
    URI) as Parquet and read from there by the statements after it."""
    stage = labels.BUILD_STEP["rollups"]
    for p in planned:
        stage = labels.ROLLUP_STAGE.get(p.name, stage)
        if p.kind in ("skip", "drop"):
            continue
        step(stage)
        if p.kind == "view":
            spark.sql(p.sql).createOrReplaceTempView(p.name)
            continue
        folder = f"{work}/{p.name}"
        rows = spark.sql(p.sql)
        if p.kind == "insert":  # by position, as DuckDB inserts
            rows = rows.toDF(*spark.table(p.name).columns)
        rows.write.mode("append" if p.kind == "insert" else "overwrite").parquet(folder)
        spark.read.parquet(folder).createOrReplaceTempView(p.name)


def load(con: duckdb.DuckDBPyConnection, table: str, folder: Path, order: str | None) -> None:
    """Spark's Parquet of `table` into the DuckDB table of that name, in the build's order;
    9999-12-31 in the open-ended columns is DuckDB's infinite date again."""
    columns = [c for (c,) in con.execute("select column_name from duckdb_columns() where table_name = ? "
                                         "and not internal order by column_index", [table]).fetchall()]
    files = checks.sql_str(str(folder / "*.parquet"))
    selects = ", ".join(
        f"case when \"{c}\" = date '{SPARK_INFINITY}' then 'infinity'::date else \"{c}\" end as \"{c}\""
        if c in INFINITE_COLUMNS else f'"{c}"' for c in columns)
    con.execute(f'delete from "{table}"')  # what the statement made on no rows (extract_dates: one row)
    if not any(folder.glob("*.parquet")):
        return
    con.execute(f'insert into "{table}" by name select {selects} from read_parquet({files})'
                + (f" order by {order}" if order else ""))
