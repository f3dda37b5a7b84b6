"""Allowed rows (docs/DATA.md §8): a station user sees its stations' customers, a
collector user the customers whose meter_reader is its name, in every figure and list, and no
filter, URL or stale session widens that; whoever names nothing it may see sees nothing.

First by hand on a tiny extract of two stations, then every question of queries/sql under the
View the app itself makes for a station user and a collector user (a URL naming another
station and another collector), on the shipped sample, and every page under a station user.

Tiny extract: bills of 2021-03, issued 2021-03-05, due 2021-03-20; as of 2021-03-31.
  千钢供电所  C1 李催费  B1 100.00, paid 60.00 on 03-10  → recovered 60,  arrears 40
              C2 李催费  B2 200.00, unpaid              → arrears 200
              C3 王催费  B3 300.00, paid in full 03-15  → recovered 300
              C6 (none)  B6  50.00, unpaid              → arrears 50
  城郊供电所  C4 赵催费  B4 400.00, unpaid              → arrears 400
              C5 李催费  B5 500.00, paid in full 03-12  → recovered 500
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from apptest import DASHBOARD
from conftest import SAMPLE
from queries import Scope, open_extract, question_names
from queries.access import Access
from queries.collections import load_settings
from questions import parameter_sets
from tiny import bill, customer, d, payment, write_extract

QIANGANG, CHENGJIAO = "千钢供电所", "城郊供电所"
AS_OF = d("2021-03-31")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("access")
    customers = [
        customer("C1", QIANGANG, meter_reader="李催费"),
        customer("C2", QIANGANG, meter_reader="李催费"),
        customer("C3", QIANGANG, meter_reader="王催费"),
        customer("C6", QIANGANG, meter_reader=None),
        customer("C4", CHENGJIAO, village="二村", line="10kV乙线", meter_reader="赵催费"),
        customer("C5", CHENGJIAO, village="二村", line="10kV乙线", meter_reader="李催费"),
    ]
    bills = [bill("B1", "C1", "100.00"), bill("B2", "C2", "200.00"), bill("B3", "C3", "300.00"),
             bill("B6", "C6", "50.00"), bill("B4", "C4", "400.00"), bill("B5", "C5", "500.00")]
    payments = [payment("P1", "C1", "B1", "60.00", "2021-03-10 09:00:00"),
                payment("P3", "C3", "B3", "300.00", "2021-03-15 09:00:00"),
                payment("P5", "C5", "B5", "500.00", "2021-03-12 09:00:00")]
    return open_extract(write_extract(root, customers, bills, payments))


def total(ex, scope: Scope) -> tuple:
    """(billed, recovered, arrears, arrears customers) of a scope at 2021-03-31."""
    row = ex.query("recovery_summary", scope, as_of=AS_OF, year=2021, group_by="total").row(0, named=True)
    return row["billed"], row["recovered"], row["arrears"], row["arrears_customers"]


def money(*values: str) -> tuple:
    return tuple(Decimal(v) for v in values)


QIANGANG_USER = Access(user="qg", role="station", stations=(QIANGANG,))
LI_USER = Access(user="li", role="collector", collector="李催费")
NOTHING = (Decimal(0), Decimal(0), Decimal(0), 0)


def test_a_station_user_sees_its_stations_figures(tiny):
    # billed 100 + 200 + 300 + 50; recovered 60 + 300; arrears 40 + 200 + 50 on C1, C2, C6
    assert total(tiny, QIANGANG_USER.restrict(Scope())) == (*money("650.00", "360.00", "290.00"), 3)
    # the same as a manager choosing the station
    assert total(tiny, QIANGANG_USER.restrict(Scope())) == total(tiny, Scope(stations=(QIANGANG,)))
    both = Access(user="two", role="station", stations=(QIANGANG, CHENGJIAO))
    assert total(tiny, both.restrict(Scope())) == (*money("1550.00", "860.00", "690.00"), 4)


def test_a_collector_user_sees_its_customers_in_every_station(tiny):
    # C1, C2 (千钢) and C5 (城郊): billed 100 + 200 + 500, recovered 60 + 500, arrears 40 + 200
    assert total(tiny, LI_USER.restrict(Scope())) == (*money("800.00", "560.00", "240.00"), 2)
    # a filter narrows within them: 千钢 alone is C1, C2
    assert total(tiny, LI_USER.restrict(Scope(stations=(QIANGANG,)))) == (*money("300.00", "60.00", "240.00"), 2)


def test_a_filter_naming_what_the_user_may_not_see_returns_nothing(tiny):
    assert total(tiny, QIANGANG_USER.restrict(Scope(stations=(CHENGJIAO,)))) == NOTHING
    assert total(tiny, QIANGANG_USER.restrict(Scope(collectors=("赵催费",)))) == NOTHING
    assert total(tiny, QIANGANG_USER.restrict(Scope(villages=("二村",)))) == NOTHING
    assert total(tiny, LI_USER.restrict(Scope(collectors=("王催费",)))) == NOTHING
    assert total(tiny, LI_USER.restrict(Scope(collectors=("",)))) == NOTHING  # the unassigned C6
    # a list names no one it may not see
    accounts = tiny.query("arrears_accounts", QIANGANG_USER.restrict(Scope(stations=(QIANGANG, CHENGJIAO))),
                          as_of=AS_OF, show_personal=True, limit=0, **load_settings().params())
    assert sorted(accounts["customer_id"]) == ["C1", "C2", "C6"]


@pytest.mark.parametrize("access", [
    Access(user="s", role="station"),                           # no station
    Access(user="s", role="station", stations=("",)),           # an empty name
    Access(user="s", role="station", stations=("不存在供电所",)),  # a station the data does not have
    Access(user="c", role="collector"),                         # no collector name
    Access(user="c", role="collector", collector=""),
    Access(user="c", role="collector", collector="  "),
    Access(user="c", role="collector", collector="孙催费"),     # a collector the data does not have
    Access(user="x", role="admin"),                             # a role that does not exist
    Access(user="x", role="Manager"),
])
def test_fail_closed(tiny, access):
    scope = access.restrict(Scope())
    assert total(tiny, scope) == NOTHING
    assert tiny.query("filter_options", scope, stations=[]).is_empty()
    assert tiny.query("data_findings", scope).is_empty() and tiny.query("extract_tables", scope).is_empty()
    assert not access.sees_branch and access.branch(scope) is None


def test_a_collector_users_stations_are_not_read(tiny):
    # 赵催费 collects in 城郊 alone: a stray station on his user changes nothing (C4: 400 owed)
    user = Access(user="z", role="collector", collector="赵催费", stations=(QIANGANG,))
    assert total(tiny, user.restrict(Scope())) == (*money("400.00", "0.00", "400.00"), 1)


def test_the_nothing_scope_and_a_bare_restricted_flag_see_nothing(tiny):
    assert total(tiny, Scope.nothing()) == NOTHING
    assert total(tiny, Scope(restricted=True, stations=(QIANGANG,))) == NOTHING
    # the allowed lists without the flag are ignored (only Access.restrict sets them)
    assert total(tiny, Scope(allowed_stations=(QIANGANG,))) == total(tiny, Scope())


def test_restrict_never_widens(tiny):
    # a collector user's restriction, then a station user's: 李催费's customers in 千钢, C1 and C2
    twice = QIANGANG_USER.restrict(LI_USER.restrict(Scope()))
    assert total(tiny, twice) == (*money("300.00", "60.00", "240.00"), 2)
    # a station user's, then another station's: nothing in common
    other = Access(user="cj", role="station", stations=(CHENGJIAO,))
    assert total(tiny, other.restrict(QIANGANG_USER.restrict(Scope()))) == NOTHING
    # the manager's keeps what it is given
    restricted = QIANGANG_USER.restrict(Scope())
    assert Access.local_manager().restrict(restricted) == restricted
    # a filter change after the restriction (a page's drill) keeps it
    drill = dataclasses.replace(restricted, stations=(CHENGJIAO,), collectors=("赵催费",))
    assert total(tiny, drill) == NOTHING


def test_filter_choices_are_what_the_user_may_see(tiny):
    def choices(access: Access, stations: list[str]) -> dict[str, list[str]]:
        df = tiny.query("filter_options", access.restrict(Scope()), stations=stations)
        return {k: df.filter(dimension=k)["value"].to_list() for k in ("station", "village", "collector")}

    assert choices(QIANGANG_USER, []) == {"station": [QIANGANG], "village": ["一村"],
                                          "collector": ["李催费", "王催费", ""]}
    # choosing another station's name offers nothing more
    assert choices(QIANGANG_USER, [CHENGJIAO]) == {"station": [QIANGANG], "village": [], "collector": []}
    assert choices(LI_USER, []) == {"station": [QIANGANG, CHENGJIAO], "village": ["一村", "二村"],
                                    "collector": ["李催费"]}


def test_branch_comparisons(tiny):
    manager = Access.local_manager()
    residential = Scope(categories=("residential",))
    assert manager.sees_branch and manager.branch(residential) == residential
    assert not QIANGANG_USER.sees_branch and QIANGANG_USER.branch(QIANGANG_USER.restrict(Scope())) is None
    allowed = dataclasses.replace(QIANGANG_USER, branch_ranking=True)
    branch = allowed.branch(allowed.restrict(Scope()))
    ranked = tiny.query("ranking", branch, as_of=AS_OF, year=2021, group_by="station")
    # 城郊 500 / 900 = 55.56 % is ahead of 千钢 360 / 650 = 55.38 %
    assert ranked.select("rank", "station").rows() == [(1, CHENGJIAO), (2, QIANGANG)]
    # a collector user never compares, whatever the setting
    assert dataclasses.replace(LI_USER, branch_ranking=True).branch(LI_USER.restrict(Scope())) is None


# --- every question under the View the app makes, on the shipped sample ------------------------------

def _view_scope(access: Access, url: dict[str, list[str]]) -> Scope:
    """The scope of the View the app makes for `access` with a hand-edited URL: the filter bar
    and filters.current, run by Streamlit."""

    def script(access, url_keys):
        import streamlit as st

        from ui import data, filters

        ex = data.extract()
        filters.filter_bar(ex, access)
        st.session_state["made_view"] = filters.current(ex, access)
        st.session_state["chosen"] = {k: st.session_state.get(k) for k in url_keys}

    at = AppTest.from_function(script, kwargs={"access": access, "url_keys": list(url)}, default_timeout=60)
    for key, value in url.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert not any(at.session_state["chosen"].values()), "a URL value outside the choices was kept"
    return at.session_state["made_view"].scope


def _customers(sample) -> pl.DataFrame:
    return pl.read_parquet(SAMPLE / "customers.parquet", columns=["customer_id", "station", "village", "meter_reader"])


def _bills_of(customer_ids) -> set[str]:
    bills = pl.read_parquet(SAMPLE / "bills.parquet", columns=["bill_id", "customer_id"])
    return set(bills.filter(pl.col("customer_id").is_in(list(customer_ids)))["bill_id"])


def _check_every_question(sample, scope: Scope, same_as: Scope, allowed_customers: set[str],
                          station_ok, collector_ok) -> None:
    asked = parameter_sets(sample)
    assert sorted(asked) == question_names(), "every question in queries/sql is asked here"
    allowed_bills = _bills_of(allowed_customers)
    for name, sets in asked.items():
        for params in sets:
            got = sample.query(name, scope, **params)
            where = f"{name} {params.get('group_by') or params.get('customer_id') or ''}"
            if name in ("data_findings", "extract_tables"):  # the whole extract's: managers only
                assert got.is_empty(), where
                continue
            # the very rows a manager gets by choosing the allowed rows with the filters
            assert got.equals(sample.query(name, same_as, **params)), where
            if "station" in got.columns:
                assert all(station_ok(s) for s in got["station"].drop_nulls()), where
            if "customer_id" in got.columns:
                assert set(got["customer_id"].drop_nulls()) <= allowed_customers, where
            if "bill_id" in got.columns:
                assert set(got["bill_id"].drop_nulls()) <= allowed_bills, where
            for column in ("collector", "meter_reader"):  # null: a total's, or checked by customer_id
                if column in got.columns:
                    assert all(collector_ok(c) for c in got[column].drop_nulls()), where
            if name == "filter_options":
                for dimension, ok in (("station", station_ok), ("collector", collector_ok)):
                    assert all(ok(v) for v in got.filter(dimension=dimension)["value"]), where


@pytest.mark.usefixtures("sample_env")
def test_every_question_under_a_station_users_view_answers_its_station_alone(sample):
    customers = _customers(sample)
    others = customers.filter(pl.col("station") != CHENGJIAO)
    user = Access(user="cj", role="station", stations=(CHENGJIAO,))
    # the URL names another station, its village and its collector
    url = {"station": [QIANGANG], "village": [others["village"].drop_nulls()[0]],
           "collector": [others["meter_reader"].drop_nulls()[0]]}
    scope = _view_scope(user, url)
    assert scope == user.restrict(Scope())
    mine = set(customers.filter(pl.col("station") == CHENGJIAO)["customer_id"])
    collectors = set(customers.filter(pl.col("station") == CHENGJIAO)["meter_reader"].fill_null(""))
    _check_every_question(sample, scope, Scope(stations=(CHENGJIAO,)), mine,
                          station_ok=lambda s: s == CHENGJIAO, collector_ok=lambda c: (c or "") in collectors)


@pytest.mark.usefixtures("sample_env")
def test_every_question_under_a_collector_users_view_answers_its_customers_alone(sample):
    customers = _customers(sample)
    name = customers.filter(pl.col("station") == CHENGJIAO)["meter_reader"].drop_nulls().sort()[0]
    mine = customers.filter(pl.col("meter_reader") == name)
    other = customers.filter((pl.col("meter_reader") != name) & (pl.col("station") == mine["station"][0]))
    user = Access(user="c", role="collector", collector=name)
    scope = _view_scope(user, {"collector": [other["meter_reader"][0]], "station": ["巴音陶亥供电所"]})
    assert scope == user.restrict(Scope())
    _check_every_question(sample, scope, Scope(collectors=(name,)), set(mine["customer_id"]),
                          station_ok=lambda s: s in set(mine["station"]), collector_ok=lambda c: c == name)


# --- every page under a station user with a URL naming another station ------------------------------

def _page_text(at: AppTest) -> str:
    """Everything a page put on screen: text, metrics, tables and charts."""
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "header", "subheader", "info",
                                         "success", "warning", "error", "code")
             for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]
    for widget in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, widget):
            parts += [str(o) for o in w.options]
    return "\n".join(parts)


def _pages() -> list[str]:
    source = (SAMPLE.parent.parent / "ui" / "app.py").read_text(encoding="utf-8")
    return re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', source)


@pytest.mark.usefixtures("sample_env")
@pytest.mark.parametrize("page", _pages())
def test_every_page_under_a_station_user_shows_its_station_alone(sample, page, monkeypatch):
    user = Access(user="cj", role="station", stations=(CHENGJIAO,))
    monkeypatch.setattr(Access, "local_manager", classmethod(lambda cls: user))  # ui.app.main's user
    customers = _customers(sample)
    theirs = customers.filter(pl.col("station") != CHENGJIAO)
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params["station"] = [QIANGANG]
    at.query_params["collector"] = [theirs["meter_reader"].drop_nulls()[0]]
    at.switch_page(page).run()
    assert not at.exception
    stations = at.sidebar.multiselect(key="station")
    assert stations.options == [CHENGJIAO] and stations.value == []
    assert at.sidebar.multiselect(key="collector").value == []
    shown = _page_text(at)
    for other in set(customers["station"]) - {CHENGJIAO}:
        assert other not in shown, f"{page} shows {other}"
    for name in set(theirs["meter_reader"].drop_nulls()) - set(customers.filter(station=CHENGJIAO)["meter_reader"]):
        assert name not in shown, f"{page} shows {name}"
    ids = set(theirs["customer_id"])
    for df in at.dataframe:
        if "户号" in df.value.columns:
            assert not (set(df.value["户号"].astype(str)) & ids), page


# --- what a station or collector user sees of the branch -----------------------------------------

def _open(page: str, user: Access, monkeypatch) -> AppTest:
    monkeypatch.setattr(Access, "local_manager", classmethod(lambda cls: user))  # ui.app.main's user
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.switch_page(page).run()
    assert not at.exception
    return at


def _table(at: AppTest, column: str) -> pl.DataFrame | None:
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    return None


def _tiles(sample, scope: Scope) -> list[str]:
    from reports import format as fmt
    day = sample.default_as_of
    now = sample.query("recovery_summary", scope, as_of=day, year=day.year, group_by="total").row(0, named=True)
    return [fmt.wan(now["billed"], unit=False), fmt.wan(now["recovered"], unit=False), fmt.pct(now["recovery_rate"]),
            fmt.wan(now["arrears"], unit=False), fmt.count(now["arrears_customers"], unit="")]


@pytest.mark.usefixtures("sample_env")
def test_the_home_station_ranking_is_the_branchs_only_when_the_setting_allows(sample, monkeypatch):
    from queries import labels
    user = Access(user="cj", role="station", stations=(CHENGJIAO,))
    at = _open("pages/home.py", user, monkeypatch)
    assert [m.value for m in at.metric][:5] == _tiles(sample, Scope(stations=(CHENGJIAO,)))
    assert labels.ACCESS["no_branch_ranking"] in [c.value for c in at.caption]
    assert _table(at, "名次") is None

    at = _open("pages/home.py", dataclasses.replace(user, branch_ranking=True), monkeypatch)
    assert [m.value for m in at.metric][:5] == _tiles(sample, Scope(stations=(CHENGJIAO,)))  # its own figures still
    day = sample.default_as_of
    branch = sample.query("ranking", Scope(), as_of=day, year=day.year, group_by="station")
    assert _table(at, "名次")["供电所"].to_list() == branch["station"].to_list()  # every station of the branch
    # and its own lists stay its own
    ids = set(_customers(sample).filter(station=CHENGJIAO)["customer_id"])
    assert set(_table(at, "逾期天数")["户号"]) <= ids


@pytest.mark.usefixtures("sample_env")
def test_the_collectors_page_ranks_in_the_branch_only_when_the_setting_allows(sample, monkeypatch):
    day = sample.default_as_of
    branch = sample.query("ranking", Scope(), as_of=day, year=day.year, group_by="collector")
    own = branch.filter(station=CHENGJIAO)
    user = Access(user="cj", role="station", stations=(CHENGJIAO,))

    table = _table(_open("pages/collectors.py", user, monkeypatch), "供电所内名次")
    assert "分公司内名次" not in table.columns
    assert table["抄表催费责任人"].to_list() == own["member"].to_list()
    assert table["供电所内名次"].to_list() == own["rank_in_station"].to_list()

    table = _table(_open("pages/collectors.py", dataclasses.replace(user, branch_ranking=True), monkeypatch),
                   "供电所内名次")
    assert table["分公司内名次"].to_list() == own["rank"].to_list()  # ranked among the branch's collectors
    assert set(table["供电所"]) == {CHENGJIAO}


@pytest.mark.usefixtures("sample_env")
def test_a_collector_user_sees_its_own_figures_and_no_rank(sample, monkeypatch):
    customers = _customers(sample)
    name = customers.filter(pl.col("station") == CHENGJIAO)["meter_reader"].drop_nulls().sort()[0]
    user = Access(user="c", role="collector", collector=name, branch_ranking=True)  # the setting is a station's
    at = _open("pages/home.py", user, monkeypatch)
    assert [m.value for m in at.metric][:5] == _tiles(sample, Scope(collectors=(name,)))
    assert _table(at, "名次") is None
    assert at.sidebar.multiselect(key="collector").options == [name]

    table = _table(_open("pages/collectors.py", user, monkeypatch), "抄表催费责任人")
    assert "分公司内名次" not in table.columns and "供电所内名次" not in table.columns
    assert set(table["抄表催费责任人"]) == {name}


@pytest.mark.usefixtures("sample_env")
def test_a_stale_session_value_widens_nothing(sample):
    """A filter value left in the session (chosen before the user's rights changed) that the
    filter bar has not cleaned yet: the View's scope still holds the restriction."""

    def script(access):
        import streamlit as st

        from ui import data, filters

        st.session_state["station"] = ["千钢供电所"]
        st.session_state["collector"] = "王催费"  # a value of another shape (not a list) chooses nothing
        st.session_state["made_view"] = filters.current(data.extract(), access)

    user = Access(user="cj", role="station", stations=(CHENGJIAO,))
    at = AppTest.from_function(script, kwargs={"access": user}, default_timeout=60)
    at.run()
    assert not at.exception
    scope = at.session_state["made_view"].scope
    assert scope.allowed_stations == (CHENGJIAO,) and scope.restricted and scope.collectors == ()
    day = sample.default_as_of
    row = sample.query("recovery_summary", scope, as_of=day, year=day.year, group_by="total").row(0, named=True)
    assert (row["accounts"], row["billed"], row["arrears"]) == (0, 0, 0)
