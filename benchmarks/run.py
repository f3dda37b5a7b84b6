"""Benchmark: every question a page needs, cold and warm, on a large extract, beside the
same questions answered the way a typical dashboard does (pandas, whole tables in memory).

    python -m benchmarks.run [--data DIR] [--accounts 1000000] [--out benchmarks/results.md]

Writes the extract first if DIR does not hold one (sample_data.generate, monthly files).

    python -m benchmarks.run --phase spark_build|duckdb_build --data DIR [--cache C]

builds DIR in full with one engine (docs/DATA.md §9) into C_spark or C_duckdb, emptied first,
and prints its seconds, stages, peak memory (this process and the JVM Spark starts, sampled each
second), cache size and each table's rows as JSON.
Each phase runs in its own process so its peak memory (ru_maxrss) is its own.

    python -m benchmarks.run --phase refresh --data DIR [--cache C] [--payments 40000,1000000]

times the refresh after one more day of payments (issue 11 §2): with the extract built in C
(built first if not, and that time reported apart), for each size it saves the cache file aside,
writes DIR/payments/<day>.parquet with benchmarks.next_day, opens the extract (the refresh), asks
two questions, then removes the day file and puts the saved cache back, so DIR and C end as
they began, whether the refresh worked or not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, data: Path, cache: Path, *options: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.run", "--phase", name, "--data", str(data),
                          "--cache", str(cache), *options], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_phase(data: Path, cache: Path) -> dict:
    from queries import open_extract

    from queries.progress import Stages

    stages = Stages()
    load = os.getloadavg()[0]
    t = time.perf_counter()
    open_extract(data, cache_dir=cache, progress=stages.update)
    return {"build_s": time.perf_counter() - t, "peak_mb": _peak_mb(),
            "stages": [(s.name, s.seconds) for s in stages.finished], "load": [load, os.getloadavg()[0]]}


def _workload(ex):
    """The questions the pages ask, with the parameters a manager would use."""
    from queries import Scope

    d = ex.default_as_of
    y = d.year
    options = ex.query("filter_options", stations=[])
    stations = options.filter(options["dimension"] == "station")["value"].to_list()
    one = Scope(stations=(stations[0],))
    villages = ex.query("filter_options", stations=[stations[0]])
    village = villages.filter(villages["dimension"] == "village")["value"].to_list()[0]
    narrow = Scope(stations=(stations[0],), villages=(village,))
    month_start = d.replace(day=1)
    yesterday = d - dt.timedelta(days=1)
    work = []
    for label, scope in (("全部", Scope()), ("一个供电所", one), ("一个村", narrow)):
        work += [
            (f"recovery_summary total ({label})", "recovery_summary", scope, dict(as_of=d, year=y, group_by="total")),
            (f"recovery_summary total D-1 ({label})", "recovery_summary", scope, dict(as_of=yesterday, year=y, group_by="total")),
            (f"recovery_summary station ({label})", "recovery_summary", scope, dict(as_of=d, year=y, group_by="station")),
            (f"recovery_summary village ({label})", "recovery_summary", scope, dict(as_of=d, year=y, group_by="village")),
            (f"recovery_summary line ({label})", "recovery_summary", scope, dict(as_of=d, year=y, group_by="line")),
            (f"recovery_curve_daily year ({label})", "recovery_curve_daily", scope,
             dict(as_of=d, period_from=dt.date(y, 1, 1), period_to=dt.date(y, 12, 1))),
            (f"recovery_curve_daily month ({label})", "recovery_curve_daily", scope,
             dict(as_of=d, period_from=month_start, period_to=month_start)),
            (f"collections_daily month ({label})", "collections_daily", scope, dict(date_from=month_start, date_to=d)),
            (f"recovery_by_month ({label})", "recovery_by_month", scope, dict(as_of=d, year=y)),
            (f"arrears_aging ({label})", "arrears_aging", scope, dict(as_of=d)),
            (f"arrears_accounts top 10 ({label})", "arrears_accounts", scope, dict(as_of=d, show_personal=False, limit=10)),
            (f"arrears_accounts page list, top 2000 ({label})", "arrears_accounts", scope,
             dict(as_of=d, show_personal=False, limit=2000)),
            (f"arrears_accounts complete, for download ({label})", "arrears_accounts", scope,
             dict(as_of=d, show_personal=False, limit=0)),
        ]
    work += [
        ("recovery_summary total, as of last year-end", "recovery_summary", Scope(),
         dict(as_of=dt.date(y - 1, 12, 31), year=y - 1, group_by="total")),
        ("recovery_summary transformer (一个供电所)", "recovery_summary", one, dict(as_of=d, year=y, group_by="transformer")),
        ("recovery_summary collector", "recovery_summary", Scope(), dict(as_of=d, year=y, group_by="collector")),
        ("recovery_summary category", "recovery_summary", Scope(), dict(as_of=d, year=y, group_by="category")),
        ("high_energy_monthly", "high_energy_monthly", Scope(), dict(as_of=d)),
        ("high_energy_customers", "high_energy_customers", Scope(), dict(as_of=d)),
        ("high_energy_by_industry", "high_energy_by_industry", Scope(), dict(as_of=d, year=y)),
        ("payments_in_transit", "payments_in_transit", Scope(), dict(as_of=d, show_personal=False)),
        ("bank_shortfall", "bank_shortfall", Scope(), dict(as_of=d, show_personal=False)),
        ("filter_options (一个供电所)", "filter_options", Scope(), dict(stations=[stations[0]])),
    ]
    # collection operations (docs/DATA.md §6), asked with the shipped settings
    from queries.collections import load_settings

    settings = load_settings().params()
    collector = villages.filter(villages["dimension"] == "collector")["value"].to_list()[0]  # one of stations[0]
    for label, scope in (("全部", Scope()), ("一个供电所", one),
                         ("一个催费责任人", Scope(stations=(stations[0],), collectors=(collector,)))):
        work += [
            (f"posting_summary ({label})", "posting_summary", scope, dict(as_of=d)),
            (f"risk_grade_summary total ({label})", "risk_grade_summary", scope, dict(as_of=d, group_by="total", **settings)),
            (f"risk_customers top 2000 ({label})", "risk_customers", scope,
             dict(as_of=d, show_personal=False, limit=2000, **settings)),
            (f"penalty_exposure total ({label})", "penalty_exposure", scope, dict(as_of=d, group_by="total", **settings)),
        ]
    work += [
        ("recovery_summary collector_name", "recovery_summary", Scope(), dict(as_of=d, year=y, group_by="collector_name")),
        # the 催费责任人 page: every collector ranked (with yesterday's figures), in the branch and one station
        ("ranking collector", "ranking", Scope(), dict(as_of=d, year=y, group_by="collector")),
        ("ranking collector (一个供电所)", "ranking", one, dict(as_of=d, year=y, group_by="collector")),
        ("ranking station", "ranking", Scope(), dict(as_of=d, year=y, group_by="station")),
        ("posting_same_day channel", "posting_same_day", Scope(), dict(as_of=d, group_by="channel")),
        ("posting_same_day station", "posting_same_day", Scope(), dict(as_of=d, group_by="station")),
        ("posting_same_day month", "posting_same_day", Scope(), dict(as_of=d, group_by="month")),
        ("posting_same_day, as of last year-end", "posting_same_day", Scope(),
         dict(as_of=dt.date(y - 1, 12, 31), group_by="total")),
        ("posting_latency", "posting_latency", Scope(), dict(as_of=d)),
        ("in_transit_aging", "in_transit_aging", Scope(), dict(as_of=d)),
        ("penalty_exposure station", "penalty_exposure", Scope(), dict(as_of=d, group_by="station", **settings)),
        ("penalty_exposure village", "penalty_exposure", Scope(), dict(as_of=d, group_by="village", **settings)),
        ("penalty_exposure customer", "penalty_exposure", Scope(), dict(as_of=d, group_by="customer", **settings)),
        ("penalty_exposure bill (一个供电所)", "penalty_exposure", one, dict(as_of=d, group_by="bill", **settings)),
        ("risk_grade_summary station", "risk_grade_summary", Scope(), dict(as_of=d, group_by="station", **settings)),
        ("risk_grade_summary village", "risk_grade_summary", Scope(), dict(as_of=d, group_by="village", **settings)),
        ("risk_grade_summary collector", "risk_grade_summary", Scope(), dict(as_of=d, group_by="collector", **settings)),
        ("risk_grade_moves", "risk_grade_moves", Scope(), dict(as_of=d, **settings)),
        # the arrears page's list with a grade filter: every account that may hold the grade is graded
        ("arrears_accounts page list, 高 only", "arrears_accounts", Scope(),
         dict(as_of=d, show_personal=False, limit=2000, grades=["high"], **settings)),
        ("arrears_accounts page list, 中 and 低", "arrears_accounts", Scope(),
         dict(as_of=d, show_personal=False, limit=2000, grades=["medium", "low"], **settings)),
        ("risk_customers complete, for download", "risk_customers", Scope(),
         dict(as_of=d, show_personal=False, limit=0, **settings)),
        ("risk_customers, as of last year-end", "risk_customers", Scope(),
         dict(as_of=dt.date(y - 1, 12, 31), show_personal=False, limit=2000, **settings)),
        ("instalment_status", "instalment_status", Scope(), dict(as_of=d)),
        ("instalment_parts", "instalment_parts", Scope(), dict(as_of=d, show_personal=False)),
        # the 入账与违约金 page
        ("collections_by_channel months", "collections_by_channel", Scope(), dict(as_of=d, month=None)),
        ("collections_by_channel days of D's month", "collections_by_channel", Scope(),
         dict(as_of=d, month=month_start)),
        ("penalty_avoided_by_same_day_posting total", "penalty_avoided_by_same_day_posting", Scope(),
         dict(as_of=d, group_by="total", **settings)),
        ("penalty_avoided_by_same_day_posting channel", "penalty_avoided_by_same_day_posting", Scope(),
         dict(as_of=d, group_by="channel", **settings)),
        ("penalty_avoided_by_same_day_posting station (一个供电所)", "penalty_avoided_by_same_day_posting", one,
         dict(as_of=d, group_by="station", **settings)),
        ("penalty_accounts customer top 2000", "penalty_accounts", Scope(),
         dict(as_of=d, group_by="customer", show_personal=False, limit=2000, **settings)),
        ("penalty_accounts bill top 2000", "penalty_accounts", Scope(),
         dict(as_of=d, group_by="bill", show_personal=False, limit=2000, **settings)),
    ]
    # key and high-energy accounts (重点客户): the list, the watch list, one account's months
    key_account = ex.query("key_accounts", Scope(), as_of=d, show_personal=False)["customer_id"][0]
    work += [
        ("key_accounts", "key_accounts", Scope(), dict(as_of=d, show_personal=False)),
        ("key_accounts (一个供电所)", "key_accounts", one, dict(as_of=d, show_personal=False)),
        ("payment_slippage", "payment_slippage", Scope(), dict(as_of=d, show_personal=False, **settings)),
        ("account_monthly", "account_monthly", Scope(), dict(as_of=d, customer_id=key_account)),
    ]
    # the year-end projection (home page): at D, and early in the year (the longest path)
    work += [
        ("recovery_projection (全部)", "recovery_projection", Scope(), dict(as_of=d)),
        ("recovery_projection, 10 January (全部)", "recovery_projection", Scope(), dict(as_of=dt.date(y, 1, 10))),
        ("recovery_projection (一个供电所)", "recovery_projection", one, dict(as_of=d)),
        ("recovery_projection (居民生活)", "recovery_projection", Scope(categories=("residential",)), dict(as_of=d)),
    ]
    return work


def query_phase(data: Path, cache: Path) -> dict:
    from queries import open_extract

    ex = open_extract(data, cache_dir=cache)
    rows = []
    load = [os.getloadavg()[0]]
    for label, name, scope, params in _workload(ex):
        t = time.perf_counter()
        ex.query(name, scope, **params)
        cold = time.perf_counter() - t
        warm, cpu = [], []
        for _ in range(5):
            t, c = time.perf_counter(), time.process_time()
            ex.query(name, scope, **params)
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)  # all of DuckDB's threads: what the question costs
        rows.append({"question": label, "cold_s": cold, "warm_s": statistics.median(warm), "max_warm_s": max(warm),
                     "warm_cpu_s": statistics.median(cpu)})
    load.append(os.getloadavg()[0])
    return {"rows": rows, "peak_mb": _peak_mb(), "load": load}


def pandas_phase(data: Path, cache: Path) -> dict:
    """The typical way: read whole tables into pandas, then filter and group in memory."""
    import pandas as pd

    t0 = time.perf_counter()
    customers = pd.read_parquet(data / "customers.parquet")
    bills = pd.read_parquet(data / "bills", columns=["bill_id", "customer_id", "period", "issued_on", "due_on", "amount"])
    payments = pd.read_parquet(data / "payments", columns=["bill_id", "posted_at", "amount"])
    bills["amount"] = bills["amount"].astype(float)
    payments["amount"] = payments["amount"].astype(float)
    load = time.perf_counter() - t0
    d = payments["posted_at"].max().normalize()
    y = d.year
    timings = {}

    t = time.perf_counter()
    posted = payments[payments["posted_at"].notna() & (payments["posted_at"] < d + pd.Timedelta(days=1))]
    paid = posted.groupby("bill_id")["amount"].sum()
    b = bills.merge(customers[["customer_id", "station", "village"]], on="customer_id")
    b["paid"] = b["bill_id"].map(paid).fillna(0.0)
    b["outstanding"] = (b["amount"] - b["paid"].clip(lower=0)).clip(lower=0)
    issued = b[pd.to_datetime(b["issued_on"]) <= d]
    this_year = issued[pd.to_datetime(issued["period"]).dt.year == y]
    billed = this_year["amount"].sum()
    recovered = billed - this_year["outstanding"].sum()
    timings["recovery_summary total"] = time.perf_counter() - t

    t = time.perf_counter()
    overdue = issued[pd.to_datetime(issued["due_on"]) < d]
    overdue.groupby(["station", "village"])["outstanding"].sum()
    timings["arrears by village (reusing the join above)"] = time.perf_counter() - t
    return {"load_s": load, "timings": timings, "recovered": recovered, "peak_mb": _peak_mb()}


def render_phase(data: Path, cache: Path) -> dict:
    """The home page through Streamlit's AppTest: first render (cold caches) and a rerun."""
    os.environ["FEE_DATA_DIR"] = str(data)
    os.environ["FEE_CACHE_DIR"] = str(cache)
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    init = PagesManager.__init__

    def through_dashboard(self, *a, **k):  # as ui/launch.py does for the server
        init(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = through_dashboard

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, at.exception
    t = time.perf_counter()
    at.sidebar.multiselect(key="station").set_value([at.sidebar.multiselect(key="station").options[0]]).run()
    station = time.perf_counter() - t
    t = time.perf_counter()
    at.sidebar.multiselect(key="station").set_value([]).run()
    back = time.perf_counter() - t
    return {"home_first_s": first, "home_station_filter_s": station, "home_back_cached_s": back, "peak_mb": _peak_mb()}


def _answers(ex) -> dict:
    """Two questions at the extract's data date, with their first (cold) seconds: the figures
    that show a refreshed cache answers, and answers the new day."""
    from queries import Scope

    d = ex.default_as_of
    t = time.perf_counter()
    total = ex.query("recovery_summary", Scope(), as_of=d, year=d.year, group_by="total").row(0, named=True)
    summary_s = time.perf_counter() - t
    t = time.perf_counter()
    aging = ex.query("arrears_aging", Scope(), as_of=d)
    aging_s = time.perf_counter() - t
    return {"as_of": d, "recovered": float(total["recovered"]), "arrears": float(total["arrears"]),
            "arrears_by_aging": float(aging["arrears"].sum()), "recovery_summary_s": summary_s,
            "arrears_aging_s": aging_s}


def answers_phase(data: Path, cache: Path) -> dict:
    """The questions of _answers on the extract as it is (built already)."""
    from queries import open_extract

    return _answers(open_extract(data, cache_dir=cache))


def refresh_open_phase(data: Path, cache: Path) -> dict:
    """Open the extract right after a day file arrived: the refresh (or, without one, a full
    build), timed stage by stage, then what the cache says it did and two of its answers."""
    from queries import open_extract
    from queries.progress import Stages

    stages = Stages()
    load = os.getloadavg()[0]
    t = time.perf_counter()
    ex = open_extract(data, cache_dir=cache, progress=stages.update)
    seconds, peak = time.perf_counter() - t, _peak_mb()
    columns = {row[0] for row in ex.query_rows("describe extract_info")}
    kind, note = (ex.query_rows("select build_kind, build_note from extract_info")[0]
                  if {"build_kind", "build_note"} <= columns else (None, None))
    return {"refresh_s": seconds, "peak_mb": peak, "stages": [(s.name, s.seconds) for s in stages.finished],
            "build_kind": kind, "build_note": note, "load": [load, os.getloadavg()[0]], "after": _answers(ex)}


def _caches_of(cache_file: Path) -> list[Path]:
    """Every cache file of the same extract folder (extract-<folder>-<fingerprint>.duckdb), with WAL."""
    folder = cache_file.name.split("-")[1]
    return [*cache_file.parent.glob(f"extract-{folder}-*.duckdb"),
            *cache_file.parent.glob(f"extract-{folder}-*.duckdb.wal")]


def refresh_once(data: Path, cache: Path, payments: int, seed: int) -> dict:
    """One day file of `payments` rows: save the cache, add the file, time the refresh (own
    process), then remove the file and put the cache back, whatever happened."""
    from benchmarks.next_day import write_next_day
    from queries.extract import cache_file_for

    cache_file = cache_file_for(data, cache)
    saved_dir = cache / "benchmark-saved"  # a subfolder: no cache glob sees the saved copy
    saved_dir.mkdir(parents=True, exist_ok=True)
    saved = [(f, saved_dir / f.name) for f in (cache_file, Path(f"{cache_file}.wal")) if f.exists()]
    for f, copy in saved:
        shutil.copy2(f, copy)
    payments_dir = data / "payments"
    before = set(payments_dir.rglob("*.parquet"))
    run: dict = {"payments": payments}
    try:
        run["before"] = _phase("answers", data, cache)
        t = time.perf_counter()
        day = write_next_day(data, payments=payments, seed=seed)
        run.update(day=day.day, file=str(day.path.relative_to(data)), day_file=day.describe(),
                   day_file_mb=day.path.stat().st_size / 1e6, next_day_s=time.perf_counter() - t)
        try:
            run.update(_phase("refresh_open", data, cache))
        except subprocess.CalledProcessError as exc:
            run["error"] = (exc.stderr or "").strip().splitlines()[-5:]
    finally:
        for f in set(payments_dir.rglob("*.parquet")) - before:
            f.unlink()
        for f in _caches_of(cache_file):
            f.unlink(missing_ok=True)
        for f, copy in saved:
            os.replace(copy, f)
        saved_dir.rmdir()
    run["restored"] = cache_file_for(data, cache) == cache_file and cache_file.exists()
    return run


def refresh_phase(data: Path, cache: Path, payments: list[int], seed: int | None = None) -> dict:
    """The refresh after one more day of payments, once per size; the extract built first if
    it is not (that full build timed apart, by the build phase)."""
    from benchmarks.next_day import DEFAULT_SEED
    from queries.extract import is_built

    seed = DEFAULT_SEED if seed is None else seed
    result: dict = {"runs": []}
    if not is_built(data, cache):
        print("the extract is not built in the cache: building it first …", file=sys.stderr)
        result["build"] = _phase("build", data, cache)
    for n in payments:
        print(f"refresh after a day of {n:,} payments …", file=sys.stderr)
        result["runs"].append(refresh_once(data, cache, n, seed))
    return result


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the JVM Spark starts), in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def engine_build(data: Path, cache: Path, engine: str) -> dict:
    """One full build by `engine` into a cache folder of its own (emptied first): its seconds,
    stages, the peak memory of this process with the JVM, and the size of what it made."""
    import threading

    from queries import open_extract
    from queries.progress import Stages

    folder = cache.parent / f"{cache.name}_{engine}"
    shutil.rmtree(folder, ignore_errors=True)
    stages, peak, done = Stages(), [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            peak[0] = max(peak[0], _tree_rss_mb(os.getpid()))

    threading.Thread(target=sample, daemon=True).start()
    load = os.getloadavg()[0]
    t = time.perf_counter()
    ex = open_extract(data, cache_dir=folder, progress=stages.update, engine=engine)
    seconds = time.perf_counter() - t
    done.set()
    tables = ex.query_rows("select table_name, estimated_size from duckdb_tables() order by table_name")
    return {"engine": engine, "build_s": seconds, "peak_mb": max(peak[0], _peak_mb()),
            "stages": [(s.name, s.seconds) for s in stages.finished], "load": [load, os.getloadavg()[0]],
            "cache_bytes": ex.cache_file.stat().st_size, "rows": dict(tables), "serve": _serving(ex)}


def _serving(ex) -> dict:
    """The branch-wide questions of the home page, cold (the first ask) and warm (median of 5),
    for the growth of serving with the extract: the slowest of the workload at 1 M."""
    out = {}
    for label, name, scope, params in _workload(ex)[:13:3]:  # recovery total, village, curve, aging, …
        t = time.perf_counter()
        ex.query(name, scope, **params)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(5):
            t = time.perf_counter()
            ex.query(name, scope, **params)
            warm.append(time.perf_counter() - t)
        out[label] = (cold, statistics.median(warm))
    out["peak_mb_after"] = _peak_mb()
    return out


def spark_phase(data: Path, cache: Path) -> dict:
    """The build on Apache Spark (local mode), for the engines' column (issue 12)."""
    return engine_build(data, cache, "spark")


def duckdb_phase(data: Path, cache: Path) -> dict:
    """The DuckDB build measured as the Spark one is (its own cache folder), for the same column."""
    return engine_build(data, cache, "duckdb")


PHASES = {"build": build_phase, "query": query_phase, "pandas": pandas_phase, "render": render_phase,
          "refresh": refresh_phase}
STEPS = {"answers": answers_phase, "refresh_open": refresh_open_phase,  # the refresh phase's own processes
         "spark_build": spark_phase, "duckdb_build": duckdb_phase}  # the engines, each on its own (issue 12)


def _sizes(text: str) -> list[int]:
    """--payments 40000,1000000"""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of row counts: {text}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"row counts must be at least 1: {text}")
    return sizes


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench_extract")
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument("--accounts", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    p.add_argument("--phase", choices=[*PHASES, *STEPS])
    p.add_argument("--skip", nargs="*", default=[], choices=list(PHASES))
    p.add_argument("--payments", type=_sizes, default=[40_000, 1_000_000],
                   help="refresh phase: rows of the day file, one refresh per size (default 40000,1000000)")
    p.add_argument("--seed", type=int, default=None, help="refresh phase: the day file's seed")
    args = p.parse_args()
    cache = args.cache or args.data.parent / (args.data.name + "_cache")
    if args.phase == "refresh":
        result = refresh_phase(args.data, cache, args.payments, args.seed)
        print("\n".join(_refresh_report(result)), file=sys.stderr)
        print(json.dumps(result, default=str))
        return
    if args.phase:
        print(json.dumps({**PHASES, **STEPS}[args.phase](args.data, cache), default=str))
        return

    if not (args.data / "customers.parquet").exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--out", str(args.data),
                        "--accounts", str(args.accounts), "--monthly"], cwd=ROOT, check=True)
        print(f"extract written in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    results = {}
    for name in PHASES:
        saved = args.out.with_suffix(f".{name}.json")
        if name in args.skip and saved.exists():
            results[name] = json.loads(saved.read_text())
            continue
        print(f"phase {name} …", file=sys.stderr)
        try:
            options = ["--payments", ",".join(map(str, args.payments))] if name == "refresh" else []
            if name == "refresh" and args.seed is not None:
                options += ["--seed", str(args.seed)]
            results[name] = _phase(name, args.data, cache, *options)
        except subprocess.CalledProcessError as exc:
            print(exc.stderr, file=sys.stderr)
            continue
        saved.write_text(json.dumps(results[name]))
    args.out.write_text(report(args, results), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


def report(args, results: dict) -> str:
    import duckdb

    files = list(args.data.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files) / 1e9
    lines = [
        "# Benchmark results", "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}. Extract: `{args.data}`, {len(files)} Parquet files, {size:.2f} GB.", "",
    ]
    if "build" in results:
        r = results["build"]
        lines += [f"Checks + rollup build (once per extract, cached): **{r['build_s']:.1f} s**, "
                  f"peak memory {r['peak_mb']:.0f} MB"
                  + (f", load average {r['load'][0]:.1f} → {r['load'][1]:.1f}" if "load" in r else "") + ".", ""]
        if r.get("stages"):
            lines += ["| build stage | s |", "|---|---:|"]
            lines += [f"| {name} | {sec:.1f} |" for name, sec in r["stages"]] + [""]
    if "query" in results:
        r = results["query"]
        if "load" in r:  # other work on the machine stretches wall times; CPU time is the question's own
            lines += [f"Load average (1 min) at the start and end of the questions: "
                      f"{r['load'][0]:.1f}, {r['load'][1]:.1f} on {os.cpu_count()} cores. CPU time is the "
                      "process's, all DuckDB threads together: on a quiet machine a question's wall time is "
                      "about its CPU time divided by the threads it keeps busy.", ""]
        lines += ["| question | cold (s) | warm median (s) | warm max (s) | warm CPU (s) |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {q['question']} | {q['cold_s']:.3f} | {q['warm_s']:.3f} | {q['max_warm_s']:.3f} | "
                  + (f"{q['warm_cpu_s']:.3f} |" if "warm_cpu_s" in q else "— |") for q in r["rows"]]
        worst = max(r["rows"], key=lambda q: q["warm_s"])
        lines += ["", f"Slowest warm question: {worst['question']} at {worst['warm_s']:.3f} s. "
                  f"Peak memory of the query process: {r['peak_mb']:.0f} MB.", ""]
    if "pandas" in results:
        r = results["pandas"]
        lines += [f"Typical dashboard (pandas, whole tables in memory): loading bills, payments and customers "
                  f"{r['load_s']:.1f} s; " + "; ".join(f"{k} {v:.2f} s" for k, v in r["timings"].items())
                  + f"; peak memory {r['peak_mb']:.0f} MB.", ""]
    if "render" in results:
        r = results["render"]
        lines += [f"Home page through AppTest (all its queries, tiles, charts, tables): first render "
                  f"{r['home_first_s']:.2f} s, station filter {r['home_station_filter_s']:.2f} s, back to all "
                  f"(cached) {r['home_back_cached_s']:.2f} s; peak memory {r['peak_mb']:.0f} MB.", ""]
    if "refresh" in results:
        lines += _refresh_report(results["refresh"]) + [""]
    return "\n".join(lines)


def _refresh_report(r: dict) -> list[str]:
    lines = ["Refresh after one more day of payments (`python -m benchmarks.run --phase refresh`: the day file "
             "from `python -m benchmarks.next_day`, removed afterwards and the cache put back).", ""]
    if "build" in r:
        lines += [f"The extract was not built yet: full build first, {r['build']['build_s']:.1f} s "
                  f"(peak {r['build']['peak_mb']:.0f} MB), not part of the refresh.", ""]
    runs = r["runs"]
    lines += ["| day file | rows | MB | build_kind | refresh (s) | peak memory (MB) | data date | "
              "recovered in D's year (元) | arrears (元) | recovery_summary (s) | arrears_aging (s) |",
              "|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|"]
    for run in runs:
        if "refresh_s" not in run:
            lines.append(f"| {run.get('file', '—')} | {run['payments']:,} | — | failed | — | — | — | — | — | — | — |")
            continue
        kind = run["build_kind"] or "full (the cache has no build_kind)"
        before, after = run["before"], run["after"]
        lines.append(
            f"| {run['file']} | {run['payments']:,} | {run['day_file_mb']:.1f} | {kind} | **{run['refresh_s']:.1f}** | "
            f"{run['peak_mb']:.0f} | {before['as_of']} → {after['as_of']} | "
            f"{before['recovered']:,.2f} → {after['recovered']:,.2f} | {before['arrears']:,.2f} → {after['arrears']:,.2f} | "
            f"{after['recovery_summary_s']:.3f} | {after['arrears_aging_s']:.3f} |")
    lines.append("")
    for run in runs:
        lines.append(f"- {run['payments']:,} rows: " + (run.get("day_file") or "no day file written")
                     + (f" ({run['next_day_s']:.1f} s)" if "next_day_s" in run else "")
                     + (f"; load average {run['load'][0]:.1f} → {run['load'][1]:.1f} during the refresh"
                        if "load" in run else "") + ".")
        if run.get("build_note"):
            lines.append(f"  build_note: {run['build_note']}")
        if run.get("error"):
            lines.append("  failed: " + " / ".join(run["error"]))
        if not run.get("restored"):
            lines.append("  **the cache was not restored as it was**")
    stages = list(dict.fromkeys(name for run in runs for name, _ in run.get("stages", [])))
    if stages:
        seconds = [dict(run.get("stages", [])) for run in runs]
        lines += ["", "| refresh stage | " + " | ".join(f"{run['payments']:,} rows" for run in runs) + " |",
                  "|---|" + "---:|" * len(runs)]
        lines += [f"| {name} | " + " | ".join(f"{s[name]:.1f}" if name in s else "—" for s in seconds) + " |"
                  for name in stages]
    return lines


if __name__ == "__main__":
    main()
