"""Deterministic generator of a contract-conforming sample billing extract.

    python -m sample_data.generate --out DIR [--accounts N] [--seed S] [--monthly]

Without ``--accounts`` it writes the small extract shipped in ``sample_data/extract/``
(about 6,500 accounts, single-file layout of docs/DATA.md §1). ``--accounts N --monthly``
writes an extract of the same shape for benchmarks in the folder layout
(``bills/2020-01.parquet`` … one file per bill month, ``payments/2020-01.parquet`` … one
file per month of ``paid_at``), generating and writing one month at a time so memory
stays bounded. The same arguments always give the same table contents.

The model is the 千里山供电分公司 of 乌海: 千钢供电所 (an industrial park, an agricultural
park, 15 villages, 17 10 kV lines, 86 transformers), 城郊供电所, 海南路供电所 and
巴音陶亥供电所; larger runs add generated stations of about 12,000 accounts each. Bills run
monthly from 2020-01 to 2022-06; the extract ends on 2022-06-30 (the latest posted_at).

Calibration (default size only): for 2021, as of 2021-12-31, the branch recovers about
152,200,000 元 (15,220 万元) at a rate that truncates to 99.99 %. Every 2021 bill is
settled by the year-end push (电费结零) except a few residential and small-power bills of
November and December 2021 worth a few thousand yuan. 2020 ends with about 1–2 million
yuan of arrears (a plant that stopped production in 2020-11, a customer in difficulty,
unpaid December bills), most of it recovered in 2021; some 2020 bills are still unpaid in
2022. In 2022 two high-energy enterprises, squeezed by the market prices that followed
the 2021 tariff reform, pay their bills only in part.

Collection operations (docs/DATA.md §6): the two largest key high-energy
accounts, the squeezed key one and the largest other key account pay their bills of
2022-03 … 2022-06 by instalment plans (``instalment_plans``, 50 parts at the default size),
so that as of 2022-06-30 there are parts upcoming, paid on time, paid late and missed; two
high-energy accounts (one of them key) pay later and later from 2022-03 (1, 4 and 8 days
after the due date, then not in full by the end), which puts them on the watch list; and
the first two collectors of 千钢供电所 and 城郊供电所 have targets of their own for 2021
and 2022 (``targets.collector``). These use no draw of the random streams the rest of the
extract comes from, so every other row is as it was without them.

Deliberate data-quality findings (docs/DATA.md §4; none of them refuses the extract):
- 2 orphan payments whose customer_id is not in customers: one settles the orphan bill
  below (2021-05), one is a prepayment without a bill (2022-04) from another closed
  account;
- 1 orphan bill (period 2021-05) whose customer_id is not in customers;
- 1 time-of-use bill (period 2021-07, a small-power account) whose kwh_valley was lost,
  so kwh_peak + kwh_flat + kwh_valley falls short of kwh by more than 1 kWh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_SEED = 20211231
DEFAULT_ACCOUNTS = 6_500

N_MONTHS = 30  # bill months 2020-01 … 2022-06
REFORM_MONTH = 22  # 2021-11: first bill month priced after 发改价格〔2021〕1439号
RECOVERED_2021_TARGET = 152_200_000  # 元, the branch's 2021 实收
RESIDUAL_2021_YUAN = {22: 1_500, 23: 5_500}  # 2021 bills left unpaid at year end, per bill month

CATEGORIES = ("residential", "small_power", "large_industry", "agriculture", "other")
RES, SMALL, LARGE, AGRI, OTHER = range(5)
CHANNELS = ("counter", "bank", "wechat", "alipay", "app", "door_to_door", "other")
COUNTER, BANK, WECHAT, ALIPAY, APP, DOOR, CH_OTHER = range(7)
TARIFFS = ("catalogue", "market", "agency")

PROMPT, LATE, CHRONIC, BAD = range(4)  # payment behaviour
NO_SCENARIO, DEFUNCT, DISTRESS_2020, DISTRESS_2022 = range(4)

ORPHAN_BILL_MONTH = 16  # 2021-05
ORPHAN_PREPAYMENT_MONTH = 27  # 2022-04
TOU_MISMATCH_MONTH = 18  # 2021-07

_EPOCH = dt.date(1970, 1, 1)
_DAY_US = 86_400_000_000
_SECOND_US = 1_000_000


def _day(y: int, m: int, d: int) -> int:
    return (dt.date(y, m, d) - _EPOCH).days


def _month_start(m: int) -> int:
    return _day(2020 + m // 12, m % 12 + 1, 1)


def _month_label(m: int) -> str:
    return f"{2020 + m // 12}-{m % 12 + 1:02d}"


def _yyyymm(m: int) -> int:
    return (2020 + m // 12) * 100 + m % 12 + 1


def _month_of(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months - (2020 - 1970) * 12


END_DAY = _day(2022, 6, 30)
YEAR_END_2020 = _day(2020, 12, 31)
YEAR_END_2021 = _day(2021, 12, 31)
NEVER = END_DAY + 100_000  # settled after the extract ends, if ever

# ---------------------------------------------------------------------------------------
# Reference lists
# ---------------------------------------------------------------------------------------

_SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤"
    "尹黎易常武乔贺赖龚文"
)
_GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚红文华亮成斌鹏辉春梅兰凤英丹宇浩鑫瑞峰林龙东晓燕"
    "云飞俊波宁玲萍荣桂珍建新国志学德福贵宝金山喜忠庆利永海玉秀芬琴莉彬旭阳佳慧"
)
_MONGOLIAN = (
    "巴特尔 其木格 乌日娜 额尔敦 苏和 宝音 那仁花 斯琴 阿拉坦仓 乌云 图雅 朝鲁 敖登 哈斯 巴图 "
    "格日勒 萨仁 孟和 达来 吉日嘎拉 乌力吉 满都拉 包文军 白音仓 布和 娜仁 特木尔 额尔德木图"
).split()
_PHONE_PREFIXES = [f"13{d}" for d in range(10)] + [f"15{d}" for d in "0123456789" if d != "4"] + [
    f"18{d}" for d in range(10)
]
_FIRM_NAMES = (
    "恒泰 华鑫 泰和 金海 鑫达 宏达 广和 瑞德 天宇 博远 中盛 永辉 隆鑫 亿丰 盛源 鼎盛 海源 联创 金泰 "
    "东升 富达 华源 兴达 利源 天顺 众鑫 德源 嘉禾 新兴 宝丰 裕隆 荣盛 昊华 景泰 国泰 巨源 润达 佳盛 "
    "同创 诚信 蒙欣 汇丰 正大 恒通 泰丰 瑞丰 兴业 广源 鑫海 通达 德丰 顺达 安泰 宏业 金源 晨光 "
    "天正 和信 昌盛 北方"
).split()
_SHOP_NAMES = (
    "鑫源 兴旺 恒达 福顺 金鑫 宏达 顺发 永盛 佳和 聚鑫 德顺 万隆 天成 瑞丰 隆昌 昌盛 广源 华鑫 利民 "
    "众合 祥云 富源 明远 新宇 腾达 家家乐 好运来 百姓"
).split()
# (shop type, industry)
_SHOP_TYPES = [
    ("超市", "批发和零售业"), ("便利店", "批发和零售业"), ("五金店", "批发和零售业"),
    ("粮油店", "批发和零售业"), ("建材门市", "批发和零售业"), ("药店", "批发和零售业"),
    ("饭店", "住宿和餐饮业"), ("面馆", "住宿和餐饮业"), ("烧烤店", "住宿和餐饮业"),
    ("宾馆", "住宿和餐饮业"), ("农家乐", "住宿和餐饮业"), ("修理部", "居民服务和修理业"),
    ("汽修厂", "居民服务和修理业"), ("洗车行", "居民服务和修理业"), ("理发店", "居民服务和修理业"),
    ("面粉加工厂", "农副食品加工业"), ("家具厂", "制造业"), ("门窗厂", "制造业"),
    ("石材厂", "非金属矿物制品业"), ("水泥制品厂", "非金属矿物制品业"), ("养殖场", "畜牧业"),
]
# (industry, word in the firm's name)
_HE_INDUSTRIES = [
    ("铁合金", "铁合金"), ("焦化", "焦化"), ("电石", "电石"), ("PVC", "氯碱化工"),
    ("水泥", "水泥"), ("硅铁", "硅铁"), ("碳化硅", "碳化硅"), ("工业硅", "硅业"),
]
_HE_WEIGHTS = [0.26, 0.18, 0.16, 0.08, 0.08, 0.12, 0.07, 0.05]
_LARGE_INDUSTRIES = [
    ("煤炭洗选", "洗煤"), ("煤炭开采", "煤业"), ("机械制造", "机械制造"), ("建材", "新型建材"),
    ("自来水生产", "水务"), ("仓储物流", "物流"), ("新材料", "新材料"), ("精细化工", "精细化工"),
]
_FIRM_SUFFIXES = ["有限责任公司", "有限公司", "股份有限公司"]
_AGRI_INDUSTRIES = ["农业灌溉", "设施农业", "葡萄种植", "畜牧业"]

_STATION_PLACES = (
    "乌兰 巴彦 查干 赛汗 宝日 呼和 额尔敦 阿拉坦 哈达 锡林 达来 乌力吉 图门 那仁 新华 滨河 黄河 "
    "凤凰 金沙 卡布其 苏海 拉僧 摩尔 骆驼 甘德 公乌 五虎 桌子 甘草 千里"
).split()
_STATION_SUFFIXES = "淖尔 陶勒盖 高勒 浩特 敖包 乌苏 布拉格 塔拉 图 庙 湾 山".split()
_VILLAGE_BASES = (
    "东升 红星 新民 富强 和平 建设 永和 福安 前进 幸福 民族 复兴 友谊 长青 朝阳 金山 银河 青山 白音 "
    "哈拉 沙尔 巴润 那林 宝丰 新丰 胜丰 光辉 太平 双河 三合 四合 五一 向阳 红光 东方 新建 大庆 "
    "兴隆 广益 德胜"
).split()

# ---------------------------------------------------------------------------------------
# Organisation: stations, villages, lines, transformers, collectors
# ---------------------------------------------------------------------------------------

# (village, kind, label used in transformer names, transformers, 10 kV lines)
_FIXED_STATIONS = [
    dict(
        name="千钢供电所", short="千钢", accounts=2_750, he=18, large=10,
        targets=(0.999, 0.9999, 0.9999),
        readers="李建军 王海燕 张志强 刘丽娟 赵永刚 陈晓东 孙秀英 高文斌".split(),
        villages=[
            ("千里山工业园区", "industrial_park", "工业园区", 14, ["钢联线", "千园Ⅰ回", "千园Ⅱ回", "千园Ⅲ回"]),
            ("千里山农业园区", "agricultural_park", "农业园区", 6, ["农园线", "千农线"]),
            ("新地村", "village", "新地村", 5, ["新地线"]),
            ("王元地村", "village", "王元地村", 5, ["王元线"]),
            ("团结村", "village", "团结村", 4, ["王元线"]),
            ("东风村", "village", "东风村", 4, ["东风线"]),
            ("红旗村", "village", "红旗村", 5, ["东风线", "红光线"]),
            ("光明村", "village", "光明村", 4, ["光明线", "红光线"]),
            ("丰收村", "village", "丰收村", 4, ["千农线"]),
            ("五星村", "village", "五星村", 5, ["五星线"]),
            ("联合村", "village", "联合村", 4, ["五星线"]),
            ("胜利村", "village", "胜利村", 4, ["胜利线"]),
            ("永丰村", "village", "永丰村", 5, ["永丰线"]),
            ("兴旺村", "village", "兴旺村", 4, ["永丰线"]),
            ("千钢社区", "village", "千钢社区", 5, ["千钢Ⅰ回", "千钢Ⅱ回"]),
            ("钢联社区", "village", "钢联社区", 4, ["钢联线", "千钢Ⅱ回"]),
            ("巴音乌素嘎查", "village", "巴音乌素", 4, ["乌素线"]),
        ],
    ),
    dict(
        name="城郊供电所", short="城郊", accounts=1_650, he=4, large=6,
        targets=(0.995, 0.9999, 0.999),
        readers="杨俊峰 周敏 吴国庆 郭丽萍 马超 乌云其木格".split(),
        villages=[
            ("卡布其村", "village", "卡布其村", 6, ["卡布其线", "城北线"]),
            ("北山村", "village", "北山村", 5, ["城北线", "城郊Ⅰ回"]),
            ("泉水湾村", "village", "泉水湾村", 5, ["泉水线"]),
            ("甘德尔社区", "village", "甘德尔社区", 7, ["甘德尔线"]),
            ("林荫社区", "village", "林荫社区", 6, ["林荫线"]),
            ("凤凰岭社区", "village", "凤凰岭社区", 7, ["凤凰Ⅰ回", "凤凰Ⅱ回"]),
            ("团结社区", "village", "团结社区", 6, ["凤凰Ⅱ回", "团结线"]),
            ("滨河社区", "village", "滨河社区", 6, ["滨河线", "城郊Ⅰ回"]),
        ],
    ),
    dict(
        name="海南路供电所", short="海南", accounts=1_250, he=0, large=3,
        targets=(0.995, 0.999, 0.999),
        readers="何振华 罗红梅 郑伟 梁晓燕 宋建平".split(),
        villages=[
            ("海南路社区", "village", "海南路社区", 7, ["海南Ⅰ回", "海南Ⅱ回"]),
            ("黄河街社区", "village", "黄河街社区", 6, ["黄河线", "友谊线"]),
            ("新华街社区", "village", "新华街社区", 6, ["新华线"]),
            ("人民路社区", "village", "人民路社区", 6, ["人民线", "友谊线"]),
            ("滨海社区", "village", "滨海社区", 6, ["滨海线"]),
            ("拉僧仲村", "village", "拉僧仲村", 5, ["拉僧线"]),
        ],
    ),
    dict(
        name="巴音陶亥供电所", short="巴音", accounts=850, he=8, large=5,
        targets=(0.995, 0.9999, 0.999),
        readers="巴特尔 韩桂兰 冯志刚 萨仁高娃".split(),
        villages=[
            ("海南工业园区", "industrial_park", "工业园区", 6, ["海工Ⅰ回", "海工Ⅱ回"]),
            ("巴音陶亥嘎查", "village", "巴音陶亥", 5, ["巴音线"]),
            ("赛汗乌素嘎查", "village", "赛汗乌素", 4, ["赛汗线"]),
            ("乌兰淖尔嘎查", "village", "乌兰淖尔", 4, ["乌兰线"]),
            ("万亩滩村", "village", "万亩滩村", 5, ["万亩滩线"]),
            ("公乌素村", "village", "公乌素村", 4, ["公乌素线"]),
        ],
    ),
]
_GENERATED_STATION_ACCOUNTS = 12_000
_ACCOUNTS_PER_TRANSFORMER = 130


@dataclass
class _Station:
    name: str
    short: str
    code: int
    targets: tuple[float, float, float]
    readers: list[str]
    villages: list[str]
    village_kind: list[str]
    lines: list[str]
    tf_name: list[str] = field(default_factory=list)
    tf_village: list[int] = field(default_factory=list)
    tf_line: list[int] = field(default_factory=list)
    tf_reader: list[int] = field(default_factory=list)
    accounts: int = 0
    he: int = 0
    large: int = 0


def _split(total: int, weights) -> list[int]:
    """Largest-remainder split of an integer total in proportion to weights."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() == 0:
        return [0] * len(w)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: total - out.sum()]] += 1
    return out.tolist()


def _add_transformers(st: _Station, plan) -> None:
    """plan: per village, (label, n transformers, line indices)."""
    for v, (label, n_tf, line_idx) in enumerate(plan):
        for k in range(n_tf):
            st.tf_name.append(f"{st.short}{label}{k + 1}#台区")
            st.tf_village.append(v)
            st.tf_line.append(line_idx[k % len(line_idx)])
    n = len(st.tf_name)
    st.tf_reader = [i * len(st.readers) // n for i in range(n)]


def _fixed_station(i: int, spec: dict) -> _Station:
    lines: list[str] = []
    for *_, vlines in spec["villages"]:
        for ln in vlines:
            if f"10kV{ln}" not in lines:
                lines.append(f"10kV{ln}")
    st = _Station(
        name=spec["name"], short=spec["short"], code=101 + i, targets=spec["targets"],
        readers=list(spec["readers"]),
        villages=[v[0] for v in spec["villages"]], village_kind=[v[1] for v in spec["villages"]],
        lines=lines,
    )
    plan = [(label, n_tf, [lines.index(f"10kV{ln}") for ln in vl]) for _, _, label, n_tf, vl in spec["villages"]]
    _add_transformers(st, plan)
    return st


def _person_names(rng, n: int, mongolian_share: float = 0.08) -> list[str]:
    sur = rng.integers(0, len(_SURNAMES), n)
    g1 = rng.integers(0, len(_GIVEN), n)
    g2 = rng.integers(0, len(_GIVEN), n)
    two = rng.random(n) < 0.7
    mong = rng.random(n) < mongolian_share
    mi = rng.integers(0, len(_MONGOLIAN), n)
    return [
        _MONGOLIAN[mi[i]] if mong[i] else _SURNAMES[sur[i]] + _GIVEN[g1[i]] + (_GIVEN[g2[i]] if two[i] else "")
        for i in range(n)
    ]


def _generated_station(i: int, name: str, short: str, accounts: int, readers: list[str], rng) -> _Station:
    n_tf = max(8, round(accounts / _ACCOUNTS_PER_TRANSFORMER))
    park_tf = max(2, round(n_tf * 0.08))
    n_villages = max(3, round((n_tf - park_tf) / 7))
    bases = rng.choice(len(_VILLAGE_BASES), size=min(n_villages, len(_VILLAGE_BASES)), replace=False)
    suffix = rng.choice(["村", "嘎查", "社区"], size=len(bases), p=[0.6, 0.2, 0.2])
    villages = [f"{short}工业园区"] + [_VILLAGE_BASES[b] + s for b, s in zip(bases, suffix)]
    kinds = ["industrial_park"] + ["village"] * len(bases)
    n_vlines = max(2, round((n_tf - park_tf) / 5))
    lines = [f"10kV{short}园Ⅰ回", f"10kV{short}园Ⅱ回"]
    for k in range(n_vlines):
        base = _VILLAGE_BASES[bases[k % len(bases)]]
        lines.append(f"10kV{base}线" if k < len(bases) else f"10kV{base}{'ⅡⅢⅣⅤⅥⅦⅧ'[min(k // len(bases), 7) - 1]}回")
    st = _Station(
        name=name, short=short, code=101 + i, readers=readers, villages=villages, village_kind=kinds,
        lines=lines, targets=(0.995, *[float(x) for x in rng.choice([0.9999, 0.999, 0.995], 2)]),
    )
    per_village = _split(n_tf - park_tf, rng.uniform(0.6, 1.4, len(bases)))
    plan = [("工业园区", park_tf, [0, 1])]
    for v, n_v in enumerate(per_village):
        own = [2 + (v % n_vlines)] + ([2 + (v + len(bases)) % n_vlines] if n_vlines > len(bases) else [])
        plan.append((villages[v + 1], max(1, n_v), own))
    _add_transformers(st, plan)
    return st


def _build_org(n: int, seed: int) -> list[_Station]:
    rng = np.random.default_rng([seed, 1])
    stations = [_fixed_station(i, spec) for i, spec in enumerate(_FIXED_STATIONS)]
    if n <= 2 * DEFAULT_ACCOUNTS:
        accounts = _split(n, [s["accounts"] for s in _FIXED_STATIONS])
        he = _split(round(30 * n / DEFAULT_ACCOUNTS), [s["he"] for s in _FIXED_STATIONS])
        large = _split(round(24 * n / DEFAULT_ACCOUNTS), [s["large"] for s in _FIXED_STATIONS])
        for st, a, h, lg in zip(stations, accounts, he, large):
            st.accounts, st.he, st.large = a, h, lg
        return stations
    for st, spec in zip(stations, _FIXED_STATIONS):
        st.accounts = len(st.tf_name) * _ACCOUNTS_PER_TRANSFORMER
        st.he = round(st.accounts * spec["he"] / spec["accounts"])
        st.large = round(st.accounts * spec["large"] / spec["accounts"])
    rest = n - sum(st.accounts for st in stations)
    n_gen = math.ceil(rest / _GENERATED_STATION_ACCOUNTS)
    sizes = _split(rest, rng.uniform(0.8, 1.2, n_gen))
    combos = [(p, s) for p in _STATION_PLACES for s in _STATION_SUFFIXES]
    order = rng.permutation(len(combos))
    taken_readers = {r for st in stations for r in st.readers}
    for g in range(n_gen):
        place, suffix = combos[order[g % len(combos)]]
        short = place + suffix + ("" if g < len(combos) else str(g // len(combos) + 1))
        readers: list[str] = []
        want = int(rng.integers(3, 9))
        while len(readers) < want:
            for r in _person_names(rng, want):
                if r not in taken_readers and len(readers) < want:
                    readers.append(r)
                    taken_readers.add(r)
        st = _generated_station(len(stations), f"{short}供电所", short, sizes[g], readers, rng)
        st.accounts = sizes[g]
        industrial = float(rng.choice([0.0, 0.5, 1.0, 1.5, 2.0]))
        st.he = round(sizes[g] * 30 / DEFAULT_ACCOUNTS * industrial)
        st.large = round(sizes[g] * 24 / DEFAULT_ACCOUNTS * float(rng.uniform(0.5, 1.5)))
        stations.append(st)
    return stations


# ---------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------

_CLASS_P = {  # prompt, late, chronic, bad
    RES: [0.62, 0.28, 0.08, 0.02],
    SMALL: [0.55, 0.30, 0.11, 0.04],
    LARGE: [0.85, 0.15, 0.0, 0.0],
    AGRI: [0.40, 0.35, 0.20, 0.05],
    OTHER: [0.70, 0.25, 0.05, 0.0],
}
_CHANNEL_P = {  # counter, bank, wechat, alipay, app, door_to_door, other
    RES: [0.12, 0.18, 0.28, 0.15, 0.17, 0.08, 0.02],
    SMALL: [0.15, 0.30, 0.25, 0.10, 0.15, 0.03, 0.02],
    LARGE: [0.12, 0.85, 0.0, 0.0, 0.0, 0.0, 0.03],
    AGRI: [0.35, 0.15, 0.20, 0.05, 0.05, 0.15, 0.05],
    OTHER: [0.30, 0.50, 0.03, 0.02, 0.10, 0.0, 0.05],
}
_CATEGORY_SHARE = {RES: 0.78, SMALL: 0.135, AGRI: 0.05, OTHER: 0.035}


@dataclass
class _Customers:
    n: int
    ids: pa.Array  # n customer ids, then the two orphan ids
    table: pa.Table
    stations: list[_Station]
    cat: np.ndarray
    he: np.ndarray
    tou: np.ndarray
    tou_peak: np.ndarray
    tou_valley: np.ndarray
    base_kwh: np.ndarray
    price_mult: np.ndarray
    surcharge: np.ndarray
    post_tariff: np.ndarray
    read_day: np.ndarray
    due_lag: np.ndarray
    start_m: np.ndarray
    end_m: np.ndarray
    pay_class: np.ndarray
    channel: np.ndarray
    scenario: np.ndarray
    plan: np.ndarray  # pays its bills of PLAN_MONTHS by an agreed instalment plan (分次结算)
    slipping: np.ndarray  # pays its bills of SLIP_DAYS' months later and later


def _by_category(cat: np.ndarray, table: dict, rng) -> np.ndarray:
    """Draw one categorical code per row from the row's category distribution."""
    out = np.zeros(len(cat), dtype=np.int8)
    for c, p in table.items():
        idx = np.nonzero(cat == c)[0]
        out[idx] = rng.choice(len(p), size=len(idx), p=np.asarray(p) / sum(p))
    return out


def _assign_transformers(st: _Station, cat: np.ndarray, rng) -> np.ndarray:
    kinds = np.array([st.village_kind[v] for v in st.tf_village])
    n_tf = len(kinds)
    weight = rng.gamma(8.0, 1.0, n_tf)
    ind = np.nonzero(kinds == "industrial_park")[0]
    agri = np.nonzero(kinds == "agricultural_park")[0]
    vil = np.nonzero(kinds == "village")[0]
    rural = np.array([not st.villages[v].endswith("社区") for v in st.tf_village])
    farm = np.nonzero((kinds == "village") & rural)[0]
    farm = farm if len(farm) else vil
    tf = np.empty(len(cat), dtype=np.int64)

    def pick(rows, pool):
        if len(rows) == 0:
            return
        p = weight[pool] / weight[pool].sum()
        tf[rows] = pool[rng.choice(len(pool), size=len(rows), p=p)]

    large = np.nonzero(cat == LARGE)[0]
    if len(ind):
        tf[large] = ind[np.arange(len(large)) % len(ind)]  # every park transformer gets one
    else:
        pick(large, vil)
    small = np.nonzero(cat == SMALL)[0]
    in_park = rng.random(len(small)) < (0.12 if len(ind) else 0.0)
    pick(small[in_park], ind)
    pick(small[~in_park], vil)
    ag = np.nonzero(cat == AGRI)[0]
    in_agri_park = rng.random(len(ag)) < (0.5 if len(agri) else 0.0)
    pick(ag[in_agri_park], agri)
    pick(ag[~in_agri_park], farm)
    pick(np.nonzero((cat == RES) | (cat == OTHER))[0], vil)
    # A transformer without any account would vanish from the extract: lend it one.
    counts = np.bincount(tf, minlength=n_tf)
    for t in np.nonzero(counts == 0)[0]:
        movable = np.nonzero((cat != LARGE) & (counts[tf] > 1))[0]
        if len(movable) == 0:
            break
        row = movable[np.argmax(counts[tf[movable]])]
        counts[tf[row]] -= 1
        tf[row] = t
        counts[t] += 1
    return tf


def _build_customers(n: int, seed: int) -> _Customers:
    stations = _build_org(n, seed)
    rng = np.random.default_rng([seed, 2])

    # Categories and transformers, station by station; ids ascend within a station.
    cat_parts, he_parts, st_parts, tf_parts, seq_parts = [], [], [], [], []
    tf_offset = 0
    tf_station, tf_village, tf_line, tf_reader, tf_name = [], [], [], [], []
    for s, st in enumerate(stations):
        rest = st.accounts - st.he - st.large
        shares = _split(rest, list(_CATEGORY_SHARE.values()))
        counts = dict(zip(_CATEGORY_SHARE, shares))
        cat = np.concatenate([
            np.full(st.he + st.large, LARGE), np.full(counts[SMALL], SMALL), np.full(counts[AGRI], AGRI),
            np.full(counts[OTHER], OTHER), np.full(counts[RES], RES),
        ]).astype(np.int8)
        he = np.zeros(len(cat), dtype=bool)
        he[: st.he] = True
        tf = _assign_transformers(st, cat, rng)
        order = rng.permutation(len(cat))
        seq = 1 + np.cumsum(rng.integers(1, 4, len(cat)))
        cat_parts.append(cat[order])
        he_parts.append(he[order])
        tf_parts.append(tf[order] + tf_offset)
        st_parts.append(np.full(len(cat), s))
        seq_parts.append(seq)
        tf_offset += len(st.tf_name)
        tf_station += [s] * len(st.tf_name)
        tf_village += st.tf_village
        tf_line += st.tf_line
        tf_reader += st.tf_reader
        tf_name += st.tf_name
    cat = np.concatenate(cat_parts)
    he = np.concatenate(he_parts)
    tf = np.concatenate(tf_parts)
    station = np.concatenate(st_parts)
    seq = np.concatenate(seq_parts)
    n = len(cat)
    codes = np.array([st.code for st in stations])
    ids = [f"05{c:03d}{q:07d}" for c, q in zip(codes[station], seq)]
    first = stations[0]
    last_seq = int(seq[station == 0].max())
    orphan_ids = [f"05{first.code:03d}{last_seq + 7:07d}", f"05{first.code:03d}{last_seq + 19:07d}"]

    tf_village_name = [stations[s].villages[v] for s, v in zip(tf_station, tf_village)]
    tf_line_name = [stations[s].lines[ln] for s, ln in zip(tf_station, tf_line)]
    tf_reader_name = [stations[s].readers[r] for s, r in zip(tf_station, tf_reader)]
    tf_read_day = rng.integers(5, 16, len(tf_name))

    # Energy, prices and behaviour.
    is_large = cat == LARGE
    med = np.select([cat == RES, cat == SMALL, cat == AGRI, cat == OTHER, he], [110, 550, 1_800, 700, 900_000], 150_000)
    sig = np.select([cat == RES, cat == SMALL, cat == AGRI, cat == OTHER, he], [0.55, 0.95, 0.8, 1.0, 0.6], 0.7)
    base_kwh = med * np.exp(rng.normal(0, 1, n) * sig)
    base_kwh = np.where(is_large, base_kwh, np.clip(base_kwh, 3, 60_000))
    tou = is_large | ((cat == SMALL) & (rng.random(n) < 0.3)) | ((cat == OTHER) & (rng.random(n) < 0.1))
    tou_peak = np.where(is_large, 0.30, 0.38) + rng.uniform(-0.04, 0.04, n)
    tou_valley = np.where(is_large, 0.36, 0.22) + rng.uniform(-0.04, 0.04, n)
    price_mult = np.clip(rng.normal(1.0, 0.03, n), 0.92, 1.08)
    surcharge = np.where(he & (rng.random(n) < 0.2), 0.10, 0.0)  # 限制类 differential price
    u = rng.random(n)
    post_tariff = np.select(
        [(cat == RES) | (cat == AGRI), he, is_large, cat == SMALL],
        [0, 1, np.where(u < 0.7, 1, 2), 2], 2,
    ).astype(np.int8)
    read_day = np.where(is_large, rng.integers(3, 6, n), tf_read_day[tf]).astype(np.int64)
    due_lag = np.where(is_large, rng.integers(10, 16, n), rng.integers(10, 21, n)).astype(np.int64)
    opens_late = ~is_large & (rng.random(n) < 0.06)
    start_m = np.where(opens_late, rng.integers(1, N_MONTHS, n), 0)
    closes = ~is_large & (rng.random(n) < 0.03)
    end_m = np.where(closes, rng.integers(start_m, N_MONTHS), N_MONTHS - 1)
    pay_class = _by_category(cat, _CLASS_P, rng)
    channel = _by_category(cat, _CHANNEL_P, rng)

    # Key accounts and the stories behind the arrears.
    scale = n / DEFAULT_ACCOUNTS
    scenario = np.zeros(n, dtype=np.int8)
    key = np.zeros(n, dtype=bool)
    he_idx = np.nonzero(he)[0]
    he_idx = he_idx[np.argsort(-base_kwh[he_idx], kind="stable")]
    key[he_idx[: max(1, round(8 * scale))]] = True
    other_large = np.nonzero(is_large & ~he)[0]
    other_large = other_large[rng.permutation(len(other_large))]
    n_story = max(1, round(scale))
    defunct = other_large[:n_story]
    distress_2020 = other_large[n_story: 2 * n_story]
    scenario[defunct] = DEFUNCT
    scenario[distress_2020] = DISTRESS_2020
    base_kwh[defunct] = 400_000
    base_kwh[distress_2020] = 420_000
    healthy_large = other_large[2 * n_story:]
    healthy_large = healthy_large[np.argsort(-base_kwh[healthy_large], kind="stable")]
    key[healthy_large[: max(1, round(2 * scale))]] = True
    key_he = he_idx[key[he_idx]]
    other_he = he_idx[~key[he_idx]]
    distress_2022 = np.concatenate([
        key_he[2: 2 + n_story] if len(key_he) > 2 else key_he[:0],
        other_he[rng.permutation(len(other_he))[:n_story]],
    ])
    scenario[distress_2022] = DISTRESS_2022
    pay_class[scenario != NO_SCENARIO] = PROMPT
    pay_class[key] = PROMPT
    # Instalment plans and slipping payments (docs/DATA.md §6), chosen without drawing from rng
    # so that every other column stays as it was: the largest key high-energy accounts, the
    # distressed key one and the largest other key account pay by a plan; the next key
    # high-energy account and the largest calm high-energy one pay later month by month.
    plan = np.zeros(n, dtype=bool)
    plan[key_he[: 2 + n_story]] = True
    plan[healthy_large[:n_story]] = True
    slipping = np.zeros(n, dtype=bool)
    slipping[key_he[2 + n_story: 2 + 2 * n_story]] = True
    calm_he = other_he[~np.isin(other_he, distress_2022)]
    slipping[calm_he[np.argsort(-base_kwh[calm_he], kind="stable")][:n_story]] = True

    # Descriptive columns.
    village_of = np.array(tf_village_name, dtype=object)[tf]
    line_of = np.array(tf_line_name, dtype=object)[tf]
    transformer_of = np.array(tf_name, dtype=object)[tf]
    reader_of = np.array(tf_reader_name, dtype=object)[tf]
    station_of = np.array([st.name for st in stations], dtype=object)[station]
    names, industry = _customer_names(rng, cat, he, village_of)
    phone = _phones(rng, cat)
    is_key = np.where(key, True, np.where((cat == RES) | (cat == AGRI), None, False))
    # A handful of records were never fully registered (shown as 未登记).
    plain = np.nonzero((cat == RES) | (cat == SMALL))[0]
    pick = rng.choice(plain, size=min(len(plain), 9 + n // 100_000), replace=False)
    n_village = 5 + n // 200_000
    village_of = village_of.copy()
    line_of = line_of.copy()
    transformer_of = transformer_of.copy()
    village_of[pick[:n_village]] = None
    line_of[pick[n_village:]] = None
    transformer_of[pick[n_village: n_village + 2]] = None

    table = pa.table({
        "customer_id": pa.array(ids, pa.string()),
        "customer_name": pa.array(names, pa.string()),
        "phone": pa.array(phone, pa.string()),
        "station": pa.array(station_of, pa.string()),
        "village": pa.array(village_of, pa.string()),
        "line": pa.array(line_of, pa.string()),
        "transformer": pa.array(transformer_of, pa.string()),
        "category": pa.array(np.array(CATEGORIES, dtype=object)[cat], pa.string()),
        "is_high_energy": pa.array(he, pa.bool_()),
        "industry": pa.array(industry, pa.string()),
        "meter_reader": pa.array(reader_of, pa.string()),
        "is_key_account": pa.array(is_key, pa.bool_()),
    })
    return _Customers(
        n=n, ids=pa.array(ids + orphan_ids, pa.string()), table=table, stations=stations,
        cat=cat, he=he, tou=tou, tou_peak=tou_peak, tou_valley=tou_valley, base_kwh=base_kwh,
        price_mult=price_mult, surcharge=surcharge, post_tariff=post_tariff, read_day=read_day,
        due_lag=due_lag, start_m=start_m, end_m=end_m, pay_class=pay_class, channel=channel,
        scenario=scenario, plan=plan, slipping=slipping,
    )


def _customer_names(rng, cat, he, village):
    n = len(cat)
    names = np.array(_person_names(rng, n, 0.1), dtype=object)
    industry = np.full(n, None, dtype=object)
    res = np.nonzero(cat == RES)[0]
    town = np.array([v is not None and v.endswith("社区") for v in village[res]])
    industry[res] = np.where(town, "城镇居民", "乡村居民")
    industry[res[rng.random(len(res)) < 0.05]] = None

    # Enterprises: distinct trade names at the default size.
    large = np.nonzero(cat == LARGE)[0]
    firm = rng.choice(len(_FIRM_NAMES), size=len(large), replace=len(large) > len(_FIRM_NAMES))
    prefix = rng.choice(["乌海市", "内蒙古", "乌海"], size=len(large), p=[0.6, 0.3, 0.1])
    suffix = rng.choice(len(_FIRM_SUFFIXES), size=len(large), p=[0.55, 0.3, 0.15])
    he_ind = rng.choice(len(_HE_INDUSTRIES), size=len(large), p=_HE_WEIGHTS)
    lg_ind = rng.integers(0, len(_LARGE_INDUSTRIES), len(large))
    for j, i in enumerate(large):
        ind, word = _HE_INDUSTRIES[he_ind[j]] if he[i] else _LARGE_INDUSTRIES[lg_ind[j]]
        names[i] = f"{prefix[j]}{_FIRM_NAMES[firm[j]]}{word}{_FIRM_SUFFIXES[suffix[j]]}"
        industry[i] = ind

    small = np.nonzero(cat == SMALL)[0]
    kind = rng.choice(4, size=len(small), p=[0.5, 0.15, 0.2, 0.15])
    shop = rng.integers(0, len(_SHOP_NAMES), len(small))
    typ = rng.integers(0, len(_SHOP_TYPES), len(small))
    sur = rng.integers(0, len(_SURNAMES), len(small))
    for j, i in enumerate(small):
        t, ind = _SHOP_TYPES[typ[j]]
        industry[i] = ind
        if kind[j] == 0 or (kind[j] == 2 and village[i] is None):
            names[i] = f"{_SHOP_NAMES[shop[j]]}{t}"
        elif kind[j] == 1:
            names[i] = f"{_SURNAMES[sur[j]]}记{t}"
        elif kind[j] == 2:
            names[i] = f"{village[i]}{_SHOP_NAMES[shop[j]]}{t}"
        # kind 3: a self-employed person's own name

    agri = np.nonzero(cat == AGRI)[0]
    kind = rng.integers(0, 5, len(agri))
    grp = rng.integers(1, 9, len(agri))
    firm = rng.integers(0, len(_FIRM_NAMES), len(agri))
    for j, i in enumerate(agri):
        v = village[i] or "千里山"
        if kind[j] == 0:
            names[i], industry[i] = f"{v}{grp[j]}组机井", "农业灌溉"
        elif kind[j] == 1:
            names[i], industry[i] = f"{names[i]}葡萄园", "葡萄种植"
        elif kind[j] == 2:
            names[i], industry[i] = f"乌海市{_FIRM_NAMES[firm[j]]}农业专业合作社", "设施农业"
        elif kind[j] == 3:
            names[i], industry[i] = f"{names[i]}大棚", "设施农业"
        else:
            names[i], industry[i] = f"{v}扬水站", "农业灌溉"

    other = np.nonzero(cat == OTHER)[0]
    kind = rng.integers(0, 6, len(other))
    for j, i in enumerate(other):
        v = village[i] or "千里山"
        k = kind[j]
        if k == 0:
            names[i] = f"{v}{'村委会' if v.endswith('村') else '党群服务中心'}"
            industry[i] = "公共管理"
        elif k == 1:
            names[i], industry[i] = f"中国移动乌海分公司{v}基站", "通信"
        elif k == 2:
            names[i], industry[i] = f"中国联通乌海分公司{v}基站", "通信"
        elif k == 3:
            names[i], industry[i] = f"{v}卫生室", "卫生"
        elif k == 4:
            names[i], industry[i] = f"{v}路灯", "公共照明"
        else:
            names[i], industry[i] = f"{v}小学", "教育"
    return names, industry


def _phones(rng, cat):
    n = len(cat)
    prefix = rng.integers(0, len(_PHONE_PREFIXES), n)
    digits = rng.integers(0, 100_000_000, n)
    missing = rng.random(n) < np.select([cat == RES, cat == SMALL, cat == LARGE], [0.08, 0.05, 0.0], 0.1)
    return [None if missing[i] else f"{_PHONE_PREFIXES[prefix[i]]}{digits[i]:08d}" for i in range(n)]


# ---------------------------------------------------------------------------------------
# Bills
# ---------------------------------------------------------------------------------------

_SEASON = np.array([  # Jan … Dec, by category
    [1.35, 1.25, 1.05, 0.90, 0.85, 0.95, 1.15, 1.15, 0.90, 0.90, 1.05, 1.30],  # residential
    [1.10, 0.90, 1.00, 1.00, 1.00, 1.05, 1.10, 1.10, 1.00, 1.00, 1.00, 1.10],  # small power
    [1.00, 0.96, 1.00, 1.00, 1.00, 0.98, 0.97, 0.98, 1.00, 1.00, 1.01, 1.02],  # large industry
    [0.02, 0.02, 0.20, 0.90, 1.40, 1.70, 1.80, 1.60, 1.00, 0.50, 0.10, 0.02],  # agriculture
    [1.20, 1.10, 1.00, 0.95, 0.90, 0.95, 1.00, 1.00, 0.95, 1.00, 1.10, 1.20],  # other
])
_NOISE = np.array([0.30, 0.35, 0.08, 0.30, 0.25])
_GROWTH = np.array([0.03, 0.02, 0.02, 0.0, 0.02])


def _price_table() -> np.ndarray:
    """Average 元/kWh by price group (5 = high-energy) and bill month, before customer factors."""
    p = np.zeros((6, N_MONTHS))
    p[SMALL] = p[OTHER] = 0.5214
    p[AGRI] = 0.37
    p[LARGE] = [0.345] + [0.36] * 20 + [0.375, 0.42, 0.44, 0.44, 0.45, 0.45, 0.44, 0.45, 0.46]
    p[5] = [0.315] * 13 + [0.335] * 8 + [0.37, 0.47, 0.52, 0.52, 0.53, 0.54, 0.52, 0.53, 0.55]
    p[LARGE, :13] = 0.345
    # 2020-02 … 2020-12: non-high-energy C&I paid 95 % (COVID relief); high-energy did not.
    for g in (SMALL, LARGE, OTHER):
        p[g, 1:12] *= 0.95
    # From 2021-11 C&I customers buy in the market or through agency purchase.
    p[SMALL, REFORM_MONTH:] = p[OTHER, REFORM_MONTH:] = 0.5214 * 1.07
    return p


_PRICE = _price_table()
_TARIFF_FACTOR = np.array([1.0, 0.98, 1.02])  # catalogue, market, agency (non-high-energy)


def _bills_for_month(C: _Customers, m: int, seed: int, k: float) -> dict[str, np.ndarray]:
    """All bills of bill month m (regular bills, then credit adjustments)."""
    rng = np.random.default_rng([seed, 101, m])
    moy = m % 12
    cust = np.nonzero((C.start_m <= m) & (C.end_m >= m))[0]
    n = len(cust)
    cat = C.cat[cust]
    he = C.he[cust]
    is_large = cat == LARGE
    sig = _NOISE[cat]
    kwh = C.base_kwh[cust] * _SEASON[cat, moy] * (1 + _GROWTH[cat]) ** (m / 12)
    kwh *= np.exp(rng.normal(0, 1, n) * sig - sig**2 / 2)
    kwh[is_large] *= k
    u = rng.random(n)
    kwh[(cat == RES) & (u < 0.03)] = 0  # empty house
    kwh[(cat == AGRI) & (moy in (0, 1, 10, 11)) & (u < 0.6)] = 0  # no irrigation in winter
    if m in (1, 2):  # COVID, 2020-02/03
        kwh[cat == SMALL] *= 0.7
        kwh[is_large & ~he] *= 0.85
    if m in (20, 21):  # 2021-09/10: 能耗双控 curbs on high-energy output
        kwh[he] *= 0.8
    kwh[he & (rng.random(n) < 0.015)] *= 0.05  # furnace overhaul month
    scen = C.scenario[cust]
    if m >= 10:
        kwh[scen == DEFUNCT] = 0  # production stopped in 2020-11
    kwh = np.rint(kwh)

    tou = C.tou[cust]
    sp = np.clip(C.tou_peak[cust] + rng.uniform(-0.02, 0.02, n), 0.05, 0.6)
    sv = np.clip(C.tou_valley[cust] + rng.uniform(-0.02, 0.02, n), 0.05, 0.6)
    peak = np.where(tou, np.floor(kwh * sp), np.nan)
    valley = np.where(tou, np.floor(kwh * sv), np.nan)
    flat = kwh - peak - valley

    group = np.where(he, 5, cat)
    price = _PRICE[group, m] * C.price_mult[cust]
    if m >= REFORM_MONTH:
        price *= np.where(he, 1.0, _TARIFF_FACTOR[C.post_tariff[cust]])
        price += C.surcharge[cust]
    valley_ratio = 0.47 if moy in (5, 6, 7) else 0.79
    p0, v0 = np.where(is_large, 0.30, 0.38), np.where(is_large, 0.36, 0.22)
    shape = (1.48 * sp + (1 - sp - sv) + valley_ratio * sv) / (1.48 * p0 + (1 - p0 - v0) + valley_ratio * v0)
    price = np.where(tou, price * shape, price)
    yuan = kwh * price
    tiered = np.minimum(kwh, 170) * 0.43 + np.clip(kwh - 170, 0, 90) * 0.48 + np.maximum(kwh - 260, 0) * 0.73
    yuan = np.where(cat == RES, tiered * C.price_mult[cust], yuan)
    amount = np.rint(yuan * 100).astype(np.int64)
    tariff = C.post_tariff[cust] if m >= REFORM_MONTH else np.zeros(n, dtype=np.int8)
    issued = _month_start(m) + C.read_day[cust] - 1 + (rng.random(n) < 0.2)
    due = issued + C.due_lag[cust]

    # 退补: a few credit adjustments for earlier over-billing.
    typical = C.base_kwh[cust] * np.where(is_large, k, 1.0) * _PRICE[group, m] * 100
    credit = (rng.random(n) < 1e-4) & (typical > 1_000)
    nc = int(credit.sum())
    c_amount = -np.rint(typical[credit] * rng.uniform(0.1, 0.5, nc)).astype(np.int64)
    c_issued = _month_start(m) + rng.integers(17, 26, nc)
    c_tou = np.where(tou[credit], 0.0, np.nan)
    return {
        "cust": np.concatenate([cust, cust[credit]]),
        "kind": np.concatenate([np.zeros(n, np.int8), np.ones(nc, np.int8)]),
        "kwh": np.concatenate([kwh, np.zeros(nc)]),
        "peak": np.concatenate([peak, c_tou]),
        "flat": np.concatenate([flat, c_tou]),
        "valley": np.concatenate([valley, c_tou]),
        "amount": np.concatenate([amount, c_amount]),
        "tariff": np.concatenate([tariff, tariff[credit]]).astype(np.int8),
        "issued": np.concatenate([issued, c_issued]).astype(np.int64),
        "due": np.concatenate([due, c_issued + 10]).astype(np.int64),
    }


def _calibrated_scale(seed: int, C: _Customers | None) -> float:
    """Scale of large-industry energy that makes the default extract bill the 2021 target.

    Recovered = billed − the few thousand yuan left at the 2021 year end, so billed aims a
    little above the recovered target. Larger extracts reuse the same scale.
    """
    if C is None or C.n != DEFAULT_ACCOUNTS:
        C = _build_customers(DEFAULT_ACCOUNTS, seed)
    target = (RECOVERED_2021_TARGET + 0.8 * sum(RESIDUAL_2021_YUAN.values())) * 100
    k = 1.0
    for _ in range(3):
        large = rest = 0
        for m in range(12, 24):
            b = _bills_for_month(C, m, seed, k)
            is_large = C.cat[b["cust"]] == LARGE
            large += int(b["amount"][is_large].sum())
            rest += int(b["amount"][~is_large].sum())
        k *= (target - rest) / large
    return k


# ---------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------

SINGLE, INSTALMENTS, PARTIAL, REVERSAL, OVERPAY, SPLIT = range(6)
_PUSH_2020 = np.array([0.35, 0.35, 1.0, 0.25, 0.9])  # chance a late 2020 bill is collected by 12-31
_LAG_P = {  # posting lag 0, 1, 2, 3 days, or 4–10 days, by channel
    COUNTER: [0.98, 0.02, 0, 0, 0], BANK: [0.55, 0.30, 0.10, 0.04, 0.01],
    WECHAT: [0.97, 0.03, 0, 0, 0], ALIPAY: [0.97, 0.03, 0, 0, 0], APP: [0.97, 0.03, 0, 0, 0],
    DOOR: [0.45, 0.30, 0.12, 0.08, 0.05], CH_OTHER: [0.80, 0.10, 0.05, 0.05, 0],
}


def _pick_residual(rng, mask: np.ndarray, amount: np.ndarray, cap_fen: float) -> np.ndarray:
    """A random subset of the masked bills whose amounts add up to at most cap_fen."""
    idx = np.nonzero(mask)[0]
    idx = idx[rng.permutation(len(idx))]
    keep = idx[np.cumsum(amount[idx]) <= cap_fen]
    out = np.zeros(len(mask), dtype=bool)
    out[keep] = True
    return out


def _payments_for_bills(C: _Customers, B: dict, m: int, seed: int) -> dict[str, np.ndarray]:
    """Every payment that ever settles a bill of month m (including ones after the extract ends,
    which the caller drops)."""
    rng = np.random.default_rng([seed, 202, m])
    rows = np.nonzero(B["amount"] > 0)[0]
    n = len(rows)
    cust = B["cust"][rows]
    amount = B["amount"][rows]
    issued = B["issued"][rows]
    window = B["due"][rows] - issued
    cat = C.cat[cust]
    cls = C.pay_class[cust]
    scen = C.scenario[cust]

    # When would the bill be settled if nobody pushed?
    beta = rng.beta(1.3, 2.0, n)
    geo = rng.geometric(1 / 10, n)
    e_chronic = rng.exponential(50, n)
    e_bad = rng.exponential(250, n)
    u_bad = rng.random(n)
    chronic = window + 10 + np.rint(e_chronic)
    delay = np.select(
        [cls == PROMPT, cls == LATE, cls == CHRONIC],
        [np.floor(window * beta), window + geo, chronic],
        np.where(u_bad < 0.5, window + 30 + np.rint(e_bad), chronic),
    ).astype(np.int64)
    bill_channel = np.where(rng.random(n) < 0.85, C.channel[cust], _by_category(cat, _CHANNEL_P, rng))
    withholding = (bill_channel == BANK) & (cls == PROMPT) & (cat != LARGE)
    delay = np.where(withholding, rng.integers(1, 4, n), delay)
    settle = issued + delay

    # Payment patterns.
    u = rng.random(n)
    pattern = np.full(n, SINGLE, dtype=np.int8)
    pattern[(cat == LARGE) & (amount >= 10_000_000) & (u < 0.9)] = INSTALMENTS
    pattern[((cat == RES) | (cat == SMALL) | (cat == OTHER)) & (u < 0.025) & (delay > 3)] = PARTIAL
    pattern[(cat == RES) & (amount < 30_000) & (u >= 0.5) & (u < 0.525)] = OVERPAY
    pattern[(pattern != INSTALMENTS) & (u >= 0.9995)] = REVERSAL

    # The stories.
    protected = np.zeros(n, dtype=bool)
    defunct = scen == DEFUNCT
    if defunct.any() and 5 <= m <= 9:
        settle[defunct] = {5: _day(2021, 8, 16), 6: _day(2021, 8, 16), 7: _day(2022, 3, 22)}.get(m, NEVER)
        pattern[defunct] = SINGLE
        protected |= defunct
    distress = (scen == DISTRESS_2020) & (8 <= m <= 11)
    settle[distress] = issued[distress] + rng.integers(100, 170, int(distress.sum()))
    pattern[distress] = SINGLE
    protected |= distress
    if m >= 25:
        pattern[scen == DISTRESS_2022] = SPLIT
        protected |= scen == DISTRESS_2022

    # Year-end pushes (电费结零): 2020 partly, 2021 all but a residue.
    lag0 = np.zeros(n, dtype=bool)
    u_push = rng.random(n)
    if m < 12:
        push = (settle > YEAR_END_2020) & ~protected & (u_push < _PUSH_2020[cat])
        lo = np.maximum(issued[push], _day(2020, 12, 18))
        settle[push] = rng.integers(lo, YEAR_END_2020 + 1)
        lag0 |= push
        sweep = (settle > YEAR_END_2021) & ~protected & (rng.random(n) < 0.35)
        settle[sweep] = rng.integers(_day(2021, 12, 10), YEAR_END_2021 + 1, int(sweep.sum()))
        lag0 |= sweep
    elif m < 24:
        late = settle > YEAR_END_2021
        candidates = late & ((cat == RES) | (cat == SMALL)) & ((pattern == SINGLE) | (pattern == PARTIAL))
        cap = RESIDUAL_2021_YUAN.get(m, 0) * 100 * C.n / DEFAULT_ACCOUNTS
        residual = _pick_residual(rng, candidates, amount, cap)
        push = late & ~residual
        settle[push] = rng.integers(_day(2021, 12, 20), YEAR_END_2021 + 1, int(push.sum()))
        lag0 |= push

    # Expand into payment rows: (bill row, piece, date, amount, channel, fixed second of day).
    pieces = []

    def add(sel, piece, when, amt, channel=None, tod=None):
        sel = np.nonzero(sel)[0]
        pieces.append((
            sel, np.full(len(sel), piece), when[sel], amt[sel],
            bill_channel[sel] if channel is None else np.full(len(sel), channel),
            np.full(len(sel), -1) if tod is None else tod[sel],
        ))

    add(pattern == SINGLE, 0, settle, amount)
    add(pattern == OVERPAY, 0, settle, (amount + 999) // 1000 * 1000)
    inst = pattern == INSTALMENTS
    t1 = np.minimum(issued + rng.integers(0, 3, n), settle)
    t2 = np.minimum(issued + rng.integers(5, 10, n), settle)
    a1 = amount * rng.uniform(0.3, 0.4, n) // 100_000 * 100_000
    a2 = amount * rng.uniform(0.3, 0.4, n) // 100_000 * 100_000
    add(inst, 0, t1, a1.astype(np.int64))
    add(inst, 1, t2, a2.astype(np.int64))
    add(inst, 2, settle, (amount - a1 - a2).astype(np.int64))
    part = pattern == PARTIAL
    first = np.clip(np.rint(amount * rng.uniform(0.3, 0.9, n)), 1, np.maximum(amount - 1, 1)).astype(np.int64)
    add(part, 0, np.minimum(issued + rng.integers(1, 4, n), settle), first, channel=BANK)
    add(part, 1, settle, amount - first)
    rev = pattern == REVERSAL
    t0 = issued + np.floor((settle - issued) * rng.random(n)).astype(np.int64)
    tod0 = rng.integers(8 * 3600, 20 * 3600, n)
    add(rev, 0, t0, amount, tod=tod0)
    add(rev, 1, t0, -amount, tod=tod0 + rng.integers(300, 5400, n))
    add(rev, 2, settle, amount, tod=np.where(settle == t0, tod0 + rng.integers(7200, 12600, n), -1))
    split = pattern == SPLIT
    paid_part = np.rint(amount * rng.uniform(0.6, 0.85, n)).astype(np.int64)
    add(split, 0, settle, paid_part)
    add(split, 1, settle + rng.integers(45, 150, n), amount - paid_part)

    sel, piece, when, amt, channel, tod = (np.concatenate(x) for x in zip(*pieces))
    keep = when <= END_DAY
    sel, piece, when, amt, channel, tod = sel[keep], piece[keep], when[keep], amt[keep], channel[keep], tod[keep]
    # A reversal and the payment it undoes are posted at once, so they post in order.
    instant = pattern[sel] == REVERSAL
    paid_at, posted_at = _timestamps(rng, when, channel, tod, lag0[sel] | instant, instant)
    drawn = {
        "cust": cust[sel],
        "bill_month": np.full(len(sel), m, dtype=np.int64),
        "bill_kind": B["kind"][rows][sel].astype(np.int64),
        "paid_at": paid_at,
        "posted_at": posted_at,
        "amount": amt.astype(np.int64),
        "channel": channel.astype(np.int8),
        "key": (m << 40) | (rows[sel].astype(np.int64) << 3) | piece,
    }
    # The bills paid by a plan and the slipping accounts' bills: the payments drawn for them
    # above (drawn like everyone's, so that nobody else's change) give way to their own.
    special_rows, special = _special_payments(C, B, m, seed)
    ordinary = ~np.isin(rows[sel], special_rows)
    return _concat({k: v[ordinary] for k, v in drawn.items()}, special)


# Instalment plans and slipping payments (docs/DATA.md §6: 重点客户, 关注名单)
PLAN_MONTHS = range(26, 30)  # 2022-03 … 2022-06: the bill months the plan accounts pay in parts
SLIP_DAYS = {26: 1, 27: 4, 28: 8, 29: None}  # days after the due date the slipping accounts pay
# in full; None: they pay 40 % two days after issue, and the rest not by the extract's end


def _instalment_plans(C: _Customers, B: dict, m: int) -> dict[str, np.ndarray]:
    """The agreed parts (分次结算) of the bills of month m that the plan accounts pay by a plan,
    and the day each part is paid (NEVER: not by the extract's end).

    A plan has three parts: 35 % (to the 100 元 below) three days after issue, as much five
    days later, the rest on the due date. Each is paid on its day, but one in seven, chosen by
    account, month and part, one to four days late. The distressed account pays the last part
    of its March and April plans three to four weeks late; its May bill is rescheduled into
    30 % three days after issue, 30 % on the due date (paid ten days late), 20 % on the 20th
    of June (missed) and the rest on the 20th of July; its June bill into 25 % three days after
    issue (paid) and the rest in three parts on the 10th of July, August and September."""
    out: dict[str, list[int]] = {k: [] for k in ("row", "part", "due", "amount", "paid_on")}
    if m not in PLAN_MONTHS:
        return {k: np.array(v, dtype=np.int64) for k, v in out.items()}

    def share(amount: int, percent: int) -> int:
        return amount * percent // 100 // 10_000 * 10_000  # fen, to the 100 元 below

    for row in np.nonzero(C.plan[B["cust"]] & (B["kind"] == 0) & (B["amount"] > 0))[0]:
        cust, amount = int(B["cust"][row]), int(B["amount"][row])
        issued, due = int(B["issued"][row]), int(B["due"][row])
        distressed = C.scenario[cust] == DISTRESS_2022
        if distressed and m == 28:
            dues = [issued + 3, due, _month_start(m + 1) + 19, _month_start(m + 2) + 19]
            parts = [share(amount, 30), share(amount, 30), share(amount, 20)]
            paid = [dues[0], dues[1] + 10, NEVER, NEVER]
        elif distressed and m == 29:
            dues = [issued + 3] + [_month_start(m + k) + 9 for k in (1, 2, 3)]
            parts = [share(amount, 25)] * 3
            paid = [dues[0], NEVER, NEVER, NEVER]
        else:
            dues = [issued + 3, issued + 8, due]
            parts = [share(amount, 35)] * 2
            paid = [d + (1 + (cust + k) % 4 if (cust + m + k) % 7 == 0 else 0) for k, d in enumerate(dues)]
            if distressed:
                paid[2] = dues[2] + 20 + cust % 10
        parts.append(amount - sum(parts))
        for k, (d, a, p) in enumerate(zip(dues, parts, paid)):
            for key, value in zip(out, (row, k, d, a, p)):
                out[key].append(value)
    return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


def _special_payments(C: _Customers, B: dict, m: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The payments of the bills of month m paid by a plan (each part on the day it is paid)
    and of the slipping accounts' bills (SLIP_DAYS), all posted the day they are paid: the
    rows of B they settle, and the payments."""
    rng = np.random.default_rng([seed, 404, m])
    plans = _instalment_plans(C, B, m)
    slip = np.zeros(0, dtype=np.int64)
    if m in SLIP_DAYS:
        slip = np.nonzero(C.slipping[B["cust"]] & (B["kind"] == 0) & (B["amount"] > 0))[0]
    days = SLIP_DAYS.get(m)
    if days is None:  # a part now, the rest not by the extract's end
        slip_when, slip_amount = B["issued"][slip] + 2, B["amount"][slip] * 40 // 100 // 10_000 * 10_000
    else:
        slip_when, slip_amount = B["due"][slip] + days, B["amount"][slip]
    row = np.concatenate([plans["row"], slip])
    piece = np.concatenate([plans["part"], np.zeros(len(slip), np.int64)])
    when = np.concatenate([plans["paid_on"], slip_when]).astype(np.int64)
    amount = np.concatenate([plans["amount"], slip_amount]).astype(np.int64)
    keep = when <= END_DAY
    row, piece, when, amount = row[keep], piece[keep], when[keep], amount[keep]
    cust = B["cust"][row]
    channel = C.channel[cust]
    n = len(row)
    paid_at, posted_at = _timestamps(rng, when, channel, np.full(n, -1), np.ones(n, dtype=bool))
    return np.concatenate([plans["row"], slip]), {
        "cust": cust,
        "bill_month": np.full(n, m, dtype=np.int64),
        "bill_kind": B["kind"][row].astype(np.int64),
        "paid_at": paid_at,
        "posted_at": posted_at,
        "amount": amount,
        "channel": channel.astype(np.int8),
        "key": (m << 40) | (row.astype(np.int64) << 3) | piece,
    }


def _timestamps(rng, when, channel, tod, lag0, instant=None):
    """paid_at and posted_at in microseconds (posted_at −1 = in transit)."""
    n = len(when)
    hours = np.select(
        [channel == BANK, channel == COUNTER, channel == DOOR],
        [np.where(rng.random(n) < 0.5, rng.uniform(1, 5, n), rng.uniform(9, 16.5, n)),
         rng.uniform(8.5, 17.5, n), rng.uniform(9, 18, n)],
        np.where(channel == CH_OTHER, rng.uniform(8, 18, n), rng.uniform(7, 23.5, n)),
    )
    seconds = np.where(tod >= 0, tod, np.floor(hours * 3600)).astype(np.int64)
    lag_bucket = np.zeros(n, dtype=np.int64)
    for ch, p in _LAG_P.items():
        idx = np.nonzero(channel == ch)[0]
        lag_bucket[idx] = rng.choice(5, size=len(idx), p=p)
    lag = np.where(lag_bucket == 4, rng.integers(4, 11, n), lag_bucket)
    lag[lag0] = 0
    in_dec_2021 = (when >= _day(2021, 12, 1)) & (when <= YEAR_END_2021)
    lag = np.where(in_dec_2021, np.minimum(lag, YEAR_END_2021 - when), lag)  # everything posted by 12-31
    beyond = when + lag > END_DAY
    in_transit = beyond & (channel == BANK)
    lag = np.where(beyond & ~in_transit, END_DAY - when, lag)
    paid = when * _DAY_US + seconds * _SECOND_US
    day_end = (when + 1) * _DAY_US - _SECOND_US
    same_day = np.minimum(paid + rng.integers(60, 7200, n) * _SECOND_US, day_end)
    later = (when + lag) * _DAY_US + rng.integers(8 * 3600, 18 * 3600, n) * _SECOND_US
    posted = np.where(lag == 0, same_day, later)
    if instant is not None:
        posted = np.where(instant & (lag == 0), paid + 60 * _SECOND_US, posted)
    posted[in_transit] = -1
    return paid, posted


def _prepayments(C: _Customers, m: int, seed: int) -> dict[str, np.ndarray]:
    """预收: money paid ahead without a bill."""
    rng = np.random.default_rng([seed, 303, m])
    active = np.nonzero((C.start_m <= m) & (C.end_m >= m))[0]
    cust = active[rng.random(len(active)) < 1.5e-4]
    n = len(cust)
    cat = C.cat[cust]
    unit = np.select([cat == LARGE, cat == RES], [1_000_000, 5_000], 10_000)  # fen
    amount = unit * np.select([cat == LARGE, cat == RES], [rng.integers(10, 50, n), rng.integers(2, 11, n)],
                              rng.integers(2, 21, n))
    month_end = min(_month_start(m + 1) - 1, END_DAY)
    when = rng.integers(_month_start(m), month_end + 1, n)
    channel = C.channel[cust]
    paid_at, posted_at = _timestamps(rng, when, channel, np.full(n, -1), np.zeros(n, dtype=bool))
    return {
        "cust": cust, "bill_month": np.full(n, -1), "bill_kind": np.zeros(n, np.int64),
        "paid_at": paid_at, "posted_at": posted_at, "amount": amount.astype(np.int64),
        "channel": channel.astype(np.int8), "key": (m << 40) | (1 << 39) | np.arange(n, dtype=np.int64),
    }


def _orphan_bill(C: _Customers) -> dict[str, np.ndarray]:
    issued = _day(2021, 5, 9)
    return {
        "cust": np.array([C.n]), "kind": np.zeros(1, np.int8), "kwh": np.array([932.0]),
        "peak": np.array([np.nan]), "flat": np.array([np.nan]), "valley": np.array([np.nan]),
        "amount": np.array([41_940]), "tariff": np.zeros(1, np.int8),
        "issued": np.array([issued]), "due": np.array([issued + 15]),
    }


def _orphan_payment(cust: int, bill_month: int, when: dt.datetime, amount: int, channel: int) -> dict:
    paid = int((when - dt.datetime(1970, 1, 1)).total_seconds()) * _SECOND_US
    return {
        "cust": np.array([cust]), "bill_month": np.array([bill_month]), "bill_kind": np.zeros(1, np.int64),
        "paid_at": np.array([paid]), "posted_at": np.array([paid + 600 * _SECOND_US]),
        "amount": np.array([amount]), "channel": np.array([channel], np.int8),
        "key": np.array([(bill_month % 64 << 40) | (1 << 38) | cust]),
    }


def _lose_valley_register(C: _Customers, B: dict) -> None:
    """The one TOU bill whose parts do not add up: its valley reading was lost."""
    tou = np.nonzero(~np.isnan(B["valley"]) & (B["valley"] > 50))[0]
    small = tou[C.cat[B["cust"][tou]] == SMALL]
    broken = small if len(small) else tou
    if len(broken):
        B["valley"][broken[0]] = 0.0


def _concat(a: dict, b: dict) -> dict:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

BILLS_SCHEMA = pa.schema([
    ("bill_id", pa.string()), ("customer_id", pa.string()), ("period", pa.date32()),
    ("issued_on", pa.date32()), ("due_on", pa.date32()), ("kwh", pa.float64()),
    ("kwh_peak", pa.float64()), ("kwh_flat", pa.float64()), ("kwh_valley", pa.float64()),
    ("amount", pa.decimal128(18, 2)), ("tariff", pa.string()),
])
PAYMENTS_SCHEMA = pa.schema([
    ("payment_id", pa.string()), ("customer_id", pa.string()), ("bill_id", pa.string()),
    ("paid_at", pa.timestamp("us")), ("posted_at", pa.timestamp("us")),
    ("amount", pa.decimal128(18, 2)), ("channel", pa.string()),
])
TARGETS_SCHEMA = pa.schema([("station", pa.string()), ("year", pa.int32()), ("recovery_target", pa.float64()),
                            ("collector", pa.string())])
PLANS_SCHEMA = pa.schema([("bill_id", pa.string()), ("due_on", pa.date32()), ("amount", pa.decimal128(18, 2))])


def _decimal(fen: np.ndarray) -> pa.Array:
    """DECIMAL(18,2) straight from integer fen (two's-complement 128-bit words)."""
    fen = np.ascontiguousarray(fen, dtype=np.int64)
    words = np.empty(2 * len(fen), dtype=np.int64)
    words[0::2] = fen
    words[1::2] = fen >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(fen), [None, pa.py_buffer(words)])


def _codes(values: np.ndarray, labels) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(values, pa.int8()), pa.array(labels)).cast(pa.string())


def _bill_ids(month: np.ndarray, kind: np.ndarray, cust: np.ndarray, width: int) -> pa.Array:
    """bill_id = yyyymm, 0 (bill) or 1 (credit adjustment), account row number; null for month −1."""
    yyyymm = 202000 + 100 * (month // 12) + month % 12 + 1
    code = (yyyymm * 10 + kind) * 10**width + cust
    ids = pl.Series(code).cast(pl.String).to_arrow().cast(pa.string())
    if (month < 0).any():
        ids = pc.if_else(pa.array(month >= 0), ids, pa.scalar(None, pa.string()))
    return ids


def _bills_table(C: _Customers, B: dict, m: int, width: int) -> pa.Table:
    order = np.lexsort((B["cust"], B["kind"]))
    B = {k: v[order] for k, v in B.items()}
    n = len(B["cust"])
    floats = {c: pa.array(B[c], mask=np.isnan(B[c])) for c in ("kwh", "peak", "flat", "valley")}
    return pa.Table.from_arrays(
        [
            _bill_ids(np.full(n, m), B["kind"].astype(np.int64), B["cust"], width),
            C.ids.take(pa.array(B["cust"])),
            pa.array(np.full(n, _month_start(m), np.int32)).cast(pa.date32()),
            pa.array(B["issued"].astype(np.int32)).cast(pa.date32()),
            pa.array(B["due"].astype(np.int32)).cast(pa.date32()),
            floats["kwh"], floats["peak"], floats["flat"], floats["valley"],
            _decimal(B["amount"]),
            _codes(B["tariff"], TARIFFS),
        ],
        schema=BILLS_SCHEMA,
    )


def _payments_table(C: _Customers, P: dict, p: int, width: int) -> pa.Table:
    order = np.lexsort((P["key"], P["paid_at"]))
    P = {k: v[order] for k, v in P.items()}
    n = len(order)
    payment_ids = pl.Series(_yyyymm(p) * 10**9 + np.arange(1, n + 1, dtype=np.int64)).cast(pl.String)
    return pa.Table.from_arrays(
        [
            payment_ids.to_arrow().cast(pa.string()),
            C.ids.take(pa.array(P["cust"])),
            _bill_ids(P["bill_month"], P["bill_kind"], P["cust"], width),
            pa.array(P["paid_at"], pa.timestamp("us")),
            pa.array(P["posted_at"], pa.timestamp("us"), mask=P["posted_at"] < 0),
            _decimal(P["amount"]),
            _codes(P["channel"], CHANNELS),
        ],
        schema=PAYMENTS_SCHEMA,
    )


# Targets of their own (docs/DATA.md §6) for the first two collectors of the first two stations,
# from 2021: a new collector's a little below the station's, a senior one's at it or above.
COLLECTOR_TARGETS = {2021: (0.999, 0.9999), 2022: (0.9995, 1.0)}


def _targets_table(stations: list[_Station]) -> pa.Table:
    rows = [(st.name, 2020 + i, t, None) for st in stations for i, t in enumerate(st.targets)]
    rows += [(st.name, year, target, reader) for st in stations[:2] for year, targets in COLLECTOR_TARGETS.items()
             for reader, target in zip(st.readers, targets)]
    station, year, target, collector = zip(*rows)
    return pa.table([pa.array(station), pa.array(year, pa.int32()), pa.array(target, pa.float64()),
                     pa.array(collector, pa.string())], schema=TARGETS_SCHEMA)


def _plans_table(C: _Customers, B: dict, m: int, width: int) -> pa.Table:
    """The instalment plans of the bills of month m: bill, due date and amount of each part."""
    plans = _instalment_plans(C, B, m)
    n = len(plans["row"])
    return pa.Table.from_arrays(
        [
            _bill_ids(np.full(n, m), B["kind"][plans["row"]].astype(np.int64), B["cust"][plans["row"]], width),
            pa.array(plans["due"].astype(np.int32)).cast(pa.date32()),
            _decimal(plans["amount"]),
        ],
        schema=PLANS_SCHEMA,
    )


# Encodings chosen for size: the shipped extract lives in git.
_ENCODINGS = {
    "bills": {"bill_id": "DELTA_BYTE_ARRAY", "issued_on": "DELTA_BINARY_PACKED", "due_on": "DELTA_BINARY_PACKED"},
    "payments": {"payment_id": "DELTA_BYTE_ARRAY", "bill_id": "DELTA_BYTE_ARRAY",
                 "paid_at": "DELTA_BINARY_PACKED", "posted_at": "BYTE_STREAM_SPLIT"},
}


def _parquet_options(table: str, schema: pa.Schema, small: bool) -> dict:
    encodings = _ENCODINGS.get(table, {})
    return dict(
        compression="zstd", compression_level=19 if small else 3, store_decimal_as_integer=True,
        use_dictionary=[f.name for f in schema if f.name not in encodings], column_encoding=encodings or None,
    )


class _TableWriter:
    """One table, written month by month either as one file or as a folder of monthly files."""

    ROW_GROUP = 1_000_000

    def __init__(self, out: Path, name: str, schema: pa.Schema, monthly: bool, small: bool):
        self.out, self.name, self.schema, self.monthly = out, name, schema, monthly
        self.options = _parquet_options(name, schema, small)
        self.pending: list[pa.Table] = []
        self.writer: pq.ParquetWriter | None = None
        self.rows = 0
        if monthly:
            (out / name).mkdir(parents=True, exist_ok=True)

    def write(self, label: str, table: pa.Table) -> None:
        self.rows += table.num_rows
        if self.monthly:
            pq.write_table(table, self.out / self.name / f"{label}.parquet", **self.options)
            return
        self.pending.append(table)
        if sum(t.num_rows for t in self.pending) >= self.ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.out / f"{self.name}.parquet", self.schema, **self.options)
        self.writer.write_table(pa.concat_tables(self.pending), row_group_size=self.ROW_GROUP)
        self.pending = []

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()


def generate(out_dir, accounts: int | None = None, seed: int = DEFAULT_SEED, monthly: bool = False,
             log=None) -> dict[str, int]:
    """Write an extract into out_dir; return the row counts of each table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for table in ("bills", "payments"):
        other = out / (f"{table}.parquet" if monthly else table)
        if other.exists():  # both layouts of one table would make an ambiguous extract
            raise FileExistsError(f"{other} already exists; write the other layout into an empty directory")
    n = DEFAULT_ACCOUNTS if accounts is None else int(accounts)
    started = time.perf_counter()
    C = _build_customers(n, seed)
    k = _calibrated_scale(seed, C)
    width = max(7, len(str(C.n + 2)))
    small = n <= 2 * DEFAULT_ACCOUNTS
    pq.write_table(C.table, out / "customers.parquet", **_parquet_options("customers", C.table.schema, small))
    targets = _targets_table(C.stations)
    pq.write_table(targets, out / "targets.parquet", **_parquet_options("targets", TARGETS_SCHEMA, small))
    if log:
        log(f"customers: {C.n:,} accounts, {len(C.stations)} stations ({time.perf_counter() - started:.1f}s)")

    bills = _TableWriter(out, "bills", BILLS_SCHEMA, monthly, small)
    payments = _TableWriter(out, "payments", PAYMENTS_SCHEMA, monthly, small)
    plans: list[pa.Table] = []
    pending: dict[int, list[dict]] = defaultdict(list)

    def queue(P: dict) -> None:
        month = _month_of(P["paid_at"] // _DAY_US)
        for p in np.unique(month):
            sel = month == p
            pending[int(p)].append({k: v[sel] for k, v in P.items()})

    for m in range(N_MONTHS):
        B = _bills_for_month(C, m, seed, k)
        P = _payments_for_bills(C, B, m, seed)
        if m == ORPHAN_BILL_MONTH:
            B = _concat(B, _orphan_bill(C))
            P = _concat(P, _orphan_payment(C.n, m, dt.datetime(2021, 5, 20, 10, 31, 7), 41_940, COUNTER))
        if m == ORPHAN_PREPAYMENT_MONTH:
            P = _concat(P, _orphan_payment(C.n + 1, -1, dt.datetime(2022, 4, 12, 19, 5, 44), 20_000, WECHAT))
        if m == TOU_MISMATCH_MONTH:
            _lose_valley_register(C, B)
        bills.write(_month_label(m), _bills_table(C, B, m, width))
        plans.append(_plans_table(C, B, m, width))
        queue(P)
        queue(_prepayments(C, m, seed))
        for p in sorted(p for p in pending if p <= m):
            payments.write(_month_label(p), _payments_table(C, _merge(pending.pop(p)), p, width))
        if log:
            log(f"{_month_label(m)}: {bills.rows:,} bills, {payments.rows:,} payments "
                f"({time.perf_counter() - started:.1f}s)")
    assert not pending, "payments after the extract's end"
    bills.close()
    payments.close()
    plan_table = pa.concat_tables(plans).sort_by([("bill_id", "ascending"), ("due_on", "ascending")])
    pq.write_table(plan_table, out / "instalment_plans.parquet", **_parquet_options("instalment_plans", PLANS_SCHEMA, small))
    return {"customers": C.n, "bills": bills.rows, "payments": payments.rows, "targets": targets.num_rows,
            "instalment_plans": plan_table.num_rows}


def _merge(chunks: list[dict]) -> dict:
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="directory to write the extract into")
    parser.add_argument("--accounts", type=int, default=None,
                        help=f"number of accounts (default {DEFAULT_ACCOUNTS:,}: the shipped sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--monthly", action="store_true",
                        help="one file per month under bills/ and payments/ instead of one file per table")
    args = parser.parse_args(argv)
    if args.accounts is not None and args.accounts < 100:
        parser.error("--accounts must be at least 100")
    counts = generate(args.out, args.accounts, args.seed, args.monthly, log=print)
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
