"""Many threads may ask at once (Streamlit serves each session on its own thread): every
answer equals the one given alone."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from conftest import SAMPLE
from queries import Scope, open_extract


def test_concurrent_questions_give_the_serial_answers():
    ex = open_extract(SAMPLE)
    asks = []
    for day in (dt.date(2021, 12, 31), dt.date(2022, 6, 30), dt.date(2022, 3, 1)):
        for scope in (Scope(), Scope(stations=("千钢供电所",)), Scope(categories=("residential",))):
            asks += [("recovery_summary", scope, dict(as_of=day, year=day.year, group_by="station")),
                     ("arrears_aging", scope, dict(as_of=day)),
                     ("collections_daily", scope, dict(date_from=day.replace(day=1), date_to=day))]
    alone = [ex.query(name, scope, **params) for name, scope, params in asks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda a: ex.query(a[0], a[1], **a[2]), asks * 2))
    for i, frame in enumerate(together):
        assert frame.equals(alone[i % len(asks)])


def test_a_refreshed_extract_replaces_its_old_cache(tmp_path):
    """Extracts are refreshed daily: the cache keeps one file per data directory, and an
    extract opened before the refresh goes on answering from its own file."""
    from tiny import bill, customer, write_extract

    root, cache = tmp_path / "x", tmp_path / "cache"
    write_extract(root, [customer("001")], [bill("b1", "001", "1.00")], [])
    before = open_extract(root, cache_dir=cache)
    write_extract(root, [customer("001")], [bill("b1", "001", "1.00"), bill("b2", "001", "2.00")], [])
    after = open_extract(root, cache_dir=cache)
    assert [p.name for p in cache.glob("*.duckdb")] == [after.cache_file.name]
    count = "select sum(bills) from cohorts"
    assert (before.query_rows(count)[0][0], after.query_rows(count)[0][0]) == (1, 2)
