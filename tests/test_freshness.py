"""An open session learns that newer data has arrived (docs/DATA.md §9, ui/freshness.py): it
keeps showing its extract, says 数据已更新至 <date>，点击刷新 once the new files are built, or
that they wait to be built, and never builds them itself until the button is clicked; then the
as-of date moves to the new data's default unless the user chose another."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from streamlit.testing.v1 import AppTest

from apptest import DASHBOARD
from queries import open_extract
from queries.extract import cache_file_for
from tiny import bill, customer, payment, table, write_extract

import pyarrow.parquet as pq

EXTRACT_DAY, NEW_DAY = dt.date(2021, 3, 10), dt.date(2021, 3, 25)


def town(root):
    """One 2021-03 bill of 100.00 (issued 03-05, due 03-20); 40.00 of it posted on 03-10, the
    latest posting: D = 2021-03-10, recovery rate 40 %. Payments are a folder of daily files."""
    write_extract(root, [customer("C1")], [bill("B1", "C1", "100.00")], payments=None)
    add_payments(root, "2021-03-10", [payment("P1", "C1", "B1", "40.00", "2021-03-10 09:00:00")])
    return root


def add_payments(root, day: str, rows) -> None:
    """A day's payments file, as the nightly import adds it."""
    (root / "payments").mkdir(exist_ok=True)
    pq.write_table(table("payments", rows), root / "payments" / f"{day}.parquet")


def arrive(root) -> None:
    """The rest, 60.00, posted on 03-25: D moves to 2021-03-25 and the rate to 100 %."""
    add_payments(root, "2021-03-25", [payment("P2", "C1", "B1", "60.00", "2021-03-25 09:00:00")])


@pytest.fixture
def extract_dir(tmp_path, monkeypatch):
    root = town(tmp_path / "town")
    monkeypatch.setenv("FEE_DATA_DIR", str(root))
    return root


def opened() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    return at


def as_of(at: AppTest) -> dt.date:
    return at.sidebar.date_input(key="as_of").value


def rate(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label.endswith("回收率"))


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def refresh_buttons(at: AppTest) -> list:
    return [b for b in at.button if b.key == "fee_refresh"]


def test_nothing_is_said_while_the_data_is_unchanged(extract_dir):
    at = opened()
    assert (as_of(at), rate(at)) == (EXTRACT_DAY, "40.00 %")
    at.run()
    assert notices(at) == [] and refresh_buttons(at) == []


def test_new_files_are_announced_once_built_and_the_date_follows_the_data(extract_dir):
    at = opened()
    arrive(extract_dir)
    at.run()  # the session keeps its data, and builds nothing
    assert (as_of(at), rate(at)) == (EXTRACT_DAY, "40.00 %")
    assert not cache_file_for(extract_dir).exists()
    assert notices(at) == ["数据目录有新的缴费记录，尚未计入；点击刷新即可计入（通常只需几秒）。"]

    open_extract(extract_dir)  # the nightly build
    at.run()
    assert (as_of(at), rate(at)) == (EXTRACT_DAY, "40.00 %")
    assert notices(at) == ["数据已更新至 2021-03-25，点击刷新"]

    refresh_buttons(at)[0].click().run()
    assert not at.exception
    assert (as_of(at), rate(at)) == (NEW_DAY, "100.00 %")
    assert notices(at) == [] and refresh_buttons(at) == []


def test_a_date_the_user_chose_stays_after_the_refresh(extract_dir):
    at = opened()
    chosen = dt.date(2021, 3, 8)  # before P1: nothing recovered yet
    at.sidebar.date_input(key="as_of").set_value(chosen).run()
    assert rate(at) == "0.00 %"
    arrive(extract_dir)
    open_extract(extract_dir)
    at.run()
    assert notices(at) == ["数据已更新至 2021-03-25，点击刷新"]
    refresh_buttons(at)[0].click().run()
    assert (as_of(at), rate(at)) == (chosen, "0.00 %")
    assert notices(at) == []


def test_refreshing_onto_files_not_built_yet_builds_them_then(extract_dir):
    at = opened()
    arrive(extract_dir)
    at.run()
    assert not cache_file_for(extract_dir).exists()
    # only a payments file came: clicking adds it to the cache in seconds (docs/DATA.md §9)
    assert notices(at) == ["数据目录有新的缴费记录，尚未计入；点击刷新即可计入（通常只需几秒）。"]
    refresh_buttons(at)[0].click().run()
    assert not at.exception
    assert cache_file_for(extract_dir).exists()
    assert (as_of(at), rate(at)) == (NEW_DAY, "100.00 %")


def test_a_build_under_way_is_waited_for_without_a_button(extract_dir):
    at = opened()
    arrive(extract_dir)
    started, finish = threading.Event(), threading.Event()

    def held_at_first_stage(i, n, what):
        started.set()
        finish.wait(60)

    building = threading.Thread(target=open_extract, args=(extract_dir,), kwargs={"progress": held_at_first_stage})
    building.start()  # as the nightly job would, in the middle of its build
    try:
        assert started.wait(60)
        at.run()
        assert notices(at) == ["数据目录有新文件，正在建立数据缓存，完成后这里会提示刷新。"]  # a refresh, here
        assert refresh_buttons(at) == []
        assert (as_of(at), rate(at)) == (EXTRACT_DAY, "40.00 %")
    finally:
        finish.set()
        building.join(60)
    at.run()
    assert notices(at) == ["数据已更新至 2021-03-25，点击刷新"]


def test_the_session_keeps_reading_its_extract_after_a_newer_build_replaced_it(extract_dir):
    at = opened()
    old = cache_file_for(extract_dir)
    arrive(extract_dir)
    open_extract(extract_dir)  # a new build removes the old cache file
    assert not old.exists()
    at.switch_page("pages/data_quality.py").run()  # every figure still from the extract it shows
    assert not at.exception
    files = next(df.value for df in at.dataframe if "文件（相对数据目录）" in df.value.columns)
    assert sorted(files["文件（相对数据目录）"]) == ["bills.parquet", "customers.parquet", "payments/2021-03-10.parquet"]


def test_a_download_clicked_later_reads_the_extract_its_page_showed(extract_dir):
    def script():
        import streamlit as st

        from ui import data

        st.session_state["shown"] = str(data.extract().cache_file)
        st.session_state["later"] = data.deferred(lambda: str(data.extract().cache_file))

    at = AppTest.from_function(script, default_timeout=60).run()
    arrive(extract_dir)
    newer = open_extract(extract_dir)
    # run outside any script run, as Streamlit runs a deferred download
    assert at.session_state["later"]() == at.session_state["shown"] != str(newer.cache_file)


def test_new_files_other_than_payments_are_said_to_need_a_full_build(extract_dir):
    at = opened()
    arrive(extract_dir)
    write_extract(extract_dir, [customer("C1"), customer("C2")], [bill("B1", "C1", "100.00")], payments=None)
    at.run()
    assert notices(at) == ["数据目录有新文件，尚未建立数据缓存；点击刷新将先检查数据并建立缓存（可能需要几分钟）。"]
    refresh_buttons(at)[0].click().run()
    assert not at.exception
    assert (as_of(at), rate(at)) == (NEW_DAY, "100.00 %")
