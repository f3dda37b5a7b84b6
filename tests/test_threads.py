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
