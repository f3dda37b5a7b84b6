"""The shipped sample extract as a marketing system would export it (docs/DATA.md §7):

    python -m sample_data.export --out DIR [--data DIR] [--station NAME]

writes one file per table, each in a different one of the forms the importer reads, so that
importing them back (`python -m queries import DIR --out …`) exercises every form and gives
the extract's own rows and figures:

- 用户档案.xlsx — two title rows above the header, Chinese headers (some of them the
  second names of §7: 供电单位, 所属村), ignored columns (序号, 用电地址), ids as text
  cells, Chinese category names (each code's names in turn), 是/否 and Y/N;
- 应收电费.csv — GBK, a title line, Chinese headers with a unit (应收金额（元）), periods as
  202112, 发行日期 as 2021/12/31, 截止日期 as 20211231, thousands separators;
- 实收电费.csv — UTF-8 with BOM, the SG186 codes as headers (CHARGE_ID, CONS_NO, …),
  timestamps as 2021-12-31 08:30:00, Chinese channel names;
- 回收目标.xlsx — targets as text percentages (99.99%) and as numbers formatted as
  percentages, in turn; a collector's target names the collector (催费责任人);
- 分次结算计划.xlsx — spreadsheet date cells and number cells.

`sample_data/export/` holds the export of one station (--station 巴音陶亥供电所: 850
accounts, about 24,000 bills and payments, a few MB); without --station it is the whole
sample (tests/test_importer.py imports both and compares them with sample_data/extract)."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from queries import labels

SAMPLE = Path(__file__).resolve().parent / "extract"
SHIPPED_STATION = "巴音陶亥供电所"
FILES = {"customers": "用户档案.xlsx", "bills": "应收电费.csv", "payments": "实收电费.csv",
         "targets": "回收目标.xlsx", "instalment_plans": "分次结算计划.xlsx"}
EXPORTED_ON = dt.datetime(2022, 6, 30, 18, 0)  # fixed, so the same sample gives the same bytes

# Each code's Chinese names, used in turn (docs/DATA.md §7 maps every one of them back).
CATEGORY_NAMES = {"residential": ("居民生活", "城镇居民", "乡村居民"),
                  "small_power": ("一般工商业", "小动力", "非居民照明"),
                  "large_industry": ("大工业",), "agriculture": ("农业生产", "农业排灌"), "other": ("其他",)}
TARIFF_NAMES = {"catalogue": ("目录电价",), "market": ("市场化交易",), "agency": ("电网代理购电", "代理购电")}
CHANNEL_NAMES = {"counter": ("营业厅坐收", "营业厅"), "bank": ("银行代扣", "银行代收"), "wechat": ("微信",),
                 "alipay": ("支付宝",), "app": ("网上国网", "掌上电力"), "door_to_door": ("走收",),
                 "other": ("其他",)}


def read_sample(data_dir: Path, station: str | None) -> dict[str, pl.DataFrame]:
    tables = {t: pl.read_parquet(data_dir / f"{t}.parquet") for t in FILES}
    if station is None:
        return tables
    customers = tables["customers"].filter(pl.col("station") == station)
    ids = customers["customer_id"].implode()
    bills = tables["bills"].filter(pl.col("customer_id").is_in(ids))
    return {
        "customers": customers,
        "bills": bills,
        "payments": tables["payments"].filter(pl.col("customer_id").is_in(ids)),
        "targets": tables["targets"].filter(pl.col("station") == station),
        "instalment_plans": tables["instalment_plans"].filter(pl.col("bill_id").is_in(bills["bill_id"].implode())),
    }


def _in_turn(codes: pl.Series, names: dict[str, tuple[str, ...]]) -> list[str | None]:
    return [None if c is None else names[c][i % len(names[c])] for i, c in enumerate(codes.to_list())]


def _grouped(value) -> str | None:
    """A number as exports print it: thousands separators, the decimals it has."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:,}"
    return f"{int(value):,}" if float(value).is_integer() else repr(value)


def _workbook(path: Path) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(path)
    book.set_properties({"created": EXPORTED_ON})
    return book


def write_customers(frame: pl.DataFrame, path: Path) -> None:
    book = _workbook(path)
    sheet = book.add_worksheet("用户档案")
    sheet.write_row(0, 0, ["千里山供电分公司 用户档案"])
    sheet.write_row(1, 0, [f"导出时间：{EXPORTED_ON:%Y-%m-%d %H:%M}"])
    header = ["序号", "户号", "户名", "联系电话", "供电单位", "所属村", "线路名称", "台区名称", "用电类别",
              "是否高耗能", "行业分类", "抄表员", "是否重点客户", "用电地址"]
    sheet.write_row(2, 0, header)
    categories = _in_turn(frame["category"], CATEGORY_NAMES)
    yes_no = {True: "是", False: "否", None: None}
    y_n = {True: "Y", False: "N", None: None}
    for i, row in enumerate(frame.iter_rows(named=True)):
        cells = [i + 1, row["customer_id"], row["customer_name"], row["phone"], row["station"], row["village"],
                 row["line"], row["transformer"], categories[i], yes_no[row["is_high_energy"]], row["industry"],
                 row["meter_reader"], y_n[row["is_key_account"]], f"{row['village'] or ''}{i % 97 + 1}号"]
        for j, value in enumerate(cells):
            if isinstance(value, str):
                sheet.write_string(3 + i, j, value)  # ids stay text cells: their zeros are kept
            elif value is not None:
                sheet.write_number(3 + i, j, value)
    book.close()


def _csv(frame: pl.DataFrame, title: str | None) -> str:
    body = frame.write_csv(null_value="")
    return (f"{title}\n" if title else "") + body


def write_bills(frame: pl.DataFrame, path: Path) -> None:
    export = pl.DataFrame({
        "应收标识": frame["bill_id"],
        "户号": frame["customer_id"],
        "电费年月": frame["period"].dt.strftime("%Y%m"),
        "发行日期": frame["issued_on"].dt.strftime("%Y/%m/%d"),
        "缴费截止日期": frame["due_on"].dt.strftime("%Y%m%d"),
        "结算电量": [_grouped(v) for v in frame["kwh"].to_list()],
        "峰电量": [_grouped(v) for v in frame["kwh_peak"].to_list()],
        "平电量": [_grouped(v) for v in frame["kwh_flat"].to_list()],
        "谷电量": [_grouped(v) for v in frame["kwh_valley"].to_list()],
        "应收金额（元）": [_grouped(v) for v in frame["amount"].to_list()],
        "电价类型": _in_turn(frame["tariff"], TARIFF_NAMES),
    })
    first, last = frame["period"].min(), frame["period"].max()
    title = f"应收电费明细（{first:%Y年%m月}—{last:%Y年%m月}）" if first else None
    path.write_bytes(_csv(export, title).encode("gbk"))


def write_payments(frame: pl.DataFrame, path: Path) -> None:
    export = pl.DataFrame({
        "CHARGE_ID": frame["payment_id"],
        "CONS_NO": frame["customer_id"],
        "RCVBL_AMT_ID": frame["bill_id"],
        "CHARGE_DATE": frame["paid_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "DISPOSE_DATE": frame["posted_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "RCVED_AMT": frame["amount"].cast(pl.String),
        "PAY_MODE": _in_turn(frame["channel"], CHANNEL_NAMES),
    })
    path.write_bytes(b"\xef\xbb\xbf" + _csv(export, None).encode("utf-8"))


def write_targets(frame: pl.DataFrame, path: Path) -> None:
    book = _workbook(path)
    sheet = book.add_worksheet("回收目标")
    percent = book.add_format({"num_format": "0.00%"})
    sheet.write_row(0, 0, ["供电所", "年度", "电费回收率目标", "催费责任人"])
    for i, row in enumerate(frame.iter_rows(named=True)):
        sheet.write_string(1 + i, 0, row["station"])
        sheet.write_number(1 + i, 1, row["year"])
        if i % 2 == 0:  # as text: 99.99%
            shown = (Decimal(repr(row["recovery_target"])) * 100).normalize()
            sheet.write_string(1 + i, 2, f"{shown:f}%")
        else:  # as a number the sheet shows as a percentage
            sheet.write_number(1 + i, 2, row["recovery_target"], percent)
        if row["collector"] is not None:
            sheet.write_string(1 + i, 3, row["collector"])
    book.close()


def write_plans(frame: pl.DataFrame, path: Path) -> None:
    book = _workbook(path)
    sheet = book.add_worksheet("分次结算")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, ["分次结算计划"])
    sheet.write_row(1, 0, ["应收标识", "计划缴费日期", "计划金额"])
    for i, row in enumerate(frame.iter_rows(named=True)):
        sheet.write_string(2 + i, 0, row["bill_id"])
        sheet.write_datetime(2 + i, 1, dt.datetime.combine(row["due_on"], dt.time()), day)
        sheet.write_number(2 + i, 2, float(row["amount"]), money)
    book.close()


WRITERS = {"customers": write_customers, "bills": write_bills, "payments": write_payments,
           "targets": write_targets, "instalment_plans": write_plans}


def export(out_dir: str | Path, data_dir: str | Path = SAMPLE, station: str | None = None) -> dict[str, Path]:
    """Write the export of `data_dir` (one station's accounts, or all) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = read_sample(Path(data_dir), station)
    written = {}
    for table, frame in tables.items():
        path = out_dir / FILES[table]
        WRITERS[table](frame, path)
        written[table] = path
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--data", default=str(SAMPLE), metavar="DIR")
    parser.add_argument("--station", metavar="NAME", help=f"只导出一个供电所（随附的导出：{SHIPPED_STATION}）")
    args = parser.parse_args(argv)
    for table, path in export(args.out, args.data, args.station).items():
        print(f"{labels.TABLE[table]}：{path}（{path.stat().st_size:,} 字节）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
