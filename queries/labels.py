"""Every Chinese word the product shows: the names of metrics, dimensions, columns and codes,
their units, the phrases that compare a figure, and the messages. One wording per concept:
a name is written once here and shown the same way on a tile, in a table, in Excel and CSV,
in the deck, the daily report and the command line; `named` adds the year it is of and its
unit (reports/format.py says which unit each kind of column takes)."""

from __future__ import annotations

APP_TITLE = "电费回收看板"

UNREGISTERED = "未登记"  # shown for a null village or line

CATEGORY = {
    "residential": "居民生活",
    "small_power": "小动力",
    "large_industry": "大工业",
    "agriculture": "农业生产",
    "other": "其他",
}
TARIFF = {"catalogue": "目录电价", "market": "市场化交易", "agency": "电网代理购电"}
CHANNEL = {
    "counter": "营业厅",
    "bank": "银行代收代扣",
    "wechat": "微信",
    "alipay": "支付宝",
    "app": "网上国网/掌上电力",
    "door_to_door": "走收",
    "other": "其他",
}
AGING_BUCKET = {
    "1-30": "1–30 天",
    "31-90": "31–90 天",
    "91-180": "91–180 天",
    "181-365": "181–365 天",
    ">365": "365 天以上",
}

TABLE = {"customers": "用户档案", "bills": "应收电费", "payments": "实收", "targets": "回收目标",
         "instalment_plans": "分次结算计划"}

# Metric names, as the pages, exports and reports call them.
METRIC = {
    "billed": "应收电费",
    "recovered": "实收电费",
    "recovery_rate": "电费回收率",
    "prior_opening": "年初陈欠",
    "prior_recovered": "陈欠回收",
    "prior_recovery_rate": "以前年度回收率",
    "cumulative_rate": "累计回收率",
    "arrears": "欠费",
    "arrears_current_year": "当年欠费",
    "arrears_prior_years": "往年欠费",
    "arrears_customers": "欠费户数",
    "arrears_bills": "欠费笔数",
    "collected": "当日回收",
    "target": "回收目标",
}

DIMENSION = {
    "station": "供电所",
    "village": "村/社区",
    "line": "10kV 线路",
    "transformer": "台区",
    "category": "用电类别",
    "collector": "抄表催费责任人",
    "industry": "行业",
    "period": "电费年月",
}

# Units, in brackets after a name: 应收电费（元） in a table, 应收电费（万元） on a tile or a slide.
UNIT = {
    "yuan": "元", "wan": "万元", "points": "百分点", "kwh": "kWh", "wan_kwh": "万kWh", "price": "元/kWh",
    "kb": "KB", "accounts": "户", "bills": "笔", "days": "天", "items": "项", "tables": "张",
}
POINTS_SPOKEN = "个百分点"  # a change in running text: +1.25 个百分点


def named(name: str, unit: str | None = None, year: int | None = None) -> str:
    """A name as a header, tile or axis shows it: the year it is of, the name, its unit (a key
    of UNIT) in brackets. named(METRIC["billed"], "wan", 2021) → 2021 年应收电费（万元）."""
    return (f"{year} 年" if year is not None else "") + name + (f"（{UNIT[unit]}）" if unit else "")


# How a figure is compared, on tiles, in tables, in the reports and the deck.
COMPARE = {
    "yesterday": "较昨日",
    "same": "与昨日持平",
    "target": "较目标",
    "gap": "与目标差",
    "last_year": "去年同期截至 {day}",  # view.last_year: the same day a year earlier
}

# ranking.sql's one order, in words
RANKING_ORDER = f"按{METRIC['recovery_rate']}从高到低，回收率相同时{METRIC['arrears']}多者在前"

# Table columns that are neither a metric nor a dimension (reports/columns.py adds the unit).
COLUMN = {
    "rank": "名次",
    "gap_to_target": COMPARE["gap"],
    "rate_change": METRIC["recovery_rate"] + COMPARE["yesterday"],
    "arrears_change": METRIC["arrears"] + COMPARE["yesterday"],
    "arrears_customers_change": METRIC["arrears_customers"] + COMPARE["yesterday"],
    "newly_billed": "当日新发行电费",
    "basis": "口径",
    "customer_id": "户号",
    "customer_name": "户名",
    "phone": "联系电话",
    "is_high_energy": "高耗能",
    "is_key_account": "重点客户",
    "oldest_period": "最早欠费月份",
    "days_overdue": "逾期天数",
    "kwh": "电量",
    "amount": "电费",
    "price_per_kwh": "平均电价",
    "accounts": "户数",
    "amounts_12m": "近 12 个月电费走势",
    "latest_period": "最新电费年月",
    "latest_amount": "最新月电费",
    "latest_kwh": "最新月电量",
    "latest_price_per_kwh": "最新月平均电价",
    "amount_ytd": "累计电费",
    "payment_id": "付款流水号",
    "bill_id": "电费单号",
    "channel": "缴费渠道",
    "paid_at": "付款时间",
    "posted_at": "入账时间",
    "payment_amount": "付款金额",
    "days_in_transit": "在途天数",
    "paid": "已付",
    "shortfall": "不足金额",
    "table_name": "表",
    "table_label": "含义",
    "column_name": "列",
    "rule": "规则",
    "rows": "行数",
    "files": "文件数",
    "file": "文件（相对数据目录）",
    "kilobytes": "大小",
    "examples": "示例（最多五条）",
}
YES_NO = {True: "是", False: "否"}
NOT_POSTED = "未入账"

# What every page, file and slide says it shows.
STAMP = {
    "as_of": "数据截至 {day}",
    "year": "统计年度 {year}",
    "scope": "范围：{scope}",
    "extract": "数据：{name}",
    "yesterday_is": "较昨日指与 {day} 相比",
}
SCOPE = {"all_stations": "全部供电所", "high_energy_only": "仅高耗能企业", "key_accounts_only": "仅重点客户"}
MASKED = "个人户名、电话已脱敏"

# --- extract checks (docs/DATA.md §4) ----------------------------------------------------
RULE = {
    "missing_table": "缺少必需的表",
    "missing_column": "缺少必需的列",
    "type": "列类型无法按约定读取（应为 {expected}，实际为 {actual}）",
    "duplicate": "值必须唯一，出现重复",
    "period_first": "电费年月必须是某月 1 日",
    "ambiguous_table": "同时存在单个文件与同名文件夹，无法确定读取哪一个",
    "unreadable": "文件无法读取（{error}）",
    # findings
    "null": "不允许为空",
    "orphan_customer": "用户档案中没有该户号（不计入任何统计）",
    "orphan_station": "供电所不在用户档案中",
    "orphan_bill": "付款所指的电费单不存在（不计入任何统计）",
    "bill_customer_mismatch": "付款户号与所指电费单户号不一致",
    "due_before_issue": "缴费截止日早于发行日期",
    "negative_kwh": "电量为负",
    "tou_mismatch": "峰平谷电量之和与总电量相差超过 1 kWh",
    "unknown_code": "未知代码（允许值：{allowed}）",
    "missing_optional_column": "缺少可选列，按空值处理",
    "target_range": "回收目标应在 0 到 1 之间（不在此范围的目标不使用，按 100% 计）",
    "not_money": "金额不是有效数值（NaN、无穷大，或绝对值不小于 10^12 元）",
    "not_finite": "数值不是有限数（NaN 或无穷大）",
    "implausible_date": "日期异常（早于 1990-01-01，或晚于最后发行日期 366 天以上；选择默认截至日期时忽略）",
    "long_text": "分组文本超过 200 个字符（页面上截断显示）",
    "orphan_collector": "该供电所的用户档案中没有这个催费责任人（此目标不使用）",
    "orphan_plan_bill": "分次结算计划所指的电费单不存在（不计入任何统计）",
}

TYPE_NAME = {
    "text": "文本 VARCHAR",
    "bool": "布尔 BOOLEAN",
    "date": "日期 DATE",
    "timestamp": "时间戳 TIMESTAMP",
    "integer": "整数 INTEGER",
    "double": "数值 DOUBLE",
    "money": "金额 DECIMAL(p,2) 或 DOUBLE",
}


def refusal_message(file: str, column: str | None, rule: str, count: int, examples: list[str]) -> str:
    """The one sentence a refused extract shows: file, column, rule, how many rows, examples."""
    where = f"文件 {file}" + (f" 的列 {column}" if column else "")
    shown = "、".join(examples[:5])
    tail = f"共 {count} 行不符合" if count else ""
    if shown:
        tail += f"，例如：{shown}"
    return f"数据提取被拒绝：{where} —— {rule}。" + (tail + "。" if tail else "")


MSG = {
    "no_data_dir": "数据目录不存在：{path}",
    "data_dir_is_file": "数据目录应是一个文件夹，但这是一个文件：{path}",
    "refused_title": "数据提取未通过检查，看板不显示任何数字",
    "cache_title": "无法建立或读取数据缓存，看板暂时不能显示数字",
    "cache_full": "缓存目录 {path} 所在磁盘空间不足，无法写入数据缓存。请清理磁盘空间，"
                  "或用环境变量 FEE_CACHE_DIR 指定其他目录。（{error}）",
    "cache_read_only": "缓存目录 {path} 没有写入权限（或为只读），无法写入数据缓存。请授予写入权限，"
                       "或用环境变量 FEE_CACHE_DIR 指定可写的目录。（{error}）",
    "cache_memory": "建立数据缓存时内存不足（缓存目录 {path}）。可调大环境变量 FEE_BUILD_MEMORY_LIMIT"
                    "（默认 4GB）后重试。（{error}）",
    "cache_not_dir": "缓存目录 {path} 的路径中有一段是文件而不是文件夹，无法建立数据缓存。请改用其他目录"
                     "（环境变量 FEE_CACHE_DIR）。（{error}）",
    "cache_other": "无法写入或读取缓存目录 {path} 中的数据缓存。（{error}）",
    "as_of_outside": "所选截至日期 {as_of} 不在数据的日期范围（{first} 至 {last}）内；"
                     "数字仍按定义计算，但可能没有意义。",
    "building": "首次打开这份数据，正在检查并建立数据缓存：",
    "no_as_of_pick": "请在左侧“数据截至”中选择一个日期，看板将按该日期计算。",
    "no_as_of": "数据中没有可用的入账日期（没有付款，或入账日期都异常），无法确定截至日期。",
    "no_as_of_cli": "数据中没有可用的入账日期（没有付款，或入账日期都异常），无法确定截至日期；请用 --as-of 指定。",
    "cut_help": "超过 {n} 字的内容已截断（…）；完整内容见下载的 Excel / CSV。",
}

# What a build is doing, for its progress bar.
BUILD_STEP = {
    "check": "检查数据（docs/DATA.md §4）",
    "rollups": "建立汇总表",
    "findings": "整理数据质量问题",
    "save": "写入缓存",
    "done": "完成",
}

# The command line (python -m queries): argument errors, build progress and the text summary.
CLI = {
    "bad_date": "日期格式应为 YYYY-MM-DD：{text}",
    "date_range": "日期应在 {low} 至 {high} 之间：{text}",
    "bad_year": "年度应为四位整数，例如 2021：{text}",
    "year_range": "年度应在 {low} 至 {high} 之间：{text}",
    "unknown_args": "无法识别的参数：{args}",
    "unknown_station": "数据中没有这个供电所：{station}（可选：{stations}）",
    "no_stations": "数据中没有任何供电所",
    "building": "正在建立数据缓存：{what} {i}/{n}",
    "header": "数据截至 {as_of}　统计年度 {year}　范围：{scope}",
    "all_stations": SCOPE["all_stations"],
    "total": "合计",
    "by_station": "按供电所",
    "recovery": "回收",
    "arrears": "欠费",
    "unit_yuan": "金额单位：元",
    "no_rows": "（没有数据）",
    "more_in_json": "按村/社区、10kV 线路的明细见 --json 输出。",
    "interrupted": "已中断。",
}

# The two command lines' help (python -m queries, python -m reports) and the report's messages.
CLI_HELP = {
    "queries": "查询层命令行",
    "summary": "回收汇总（docs/DATA.md §5）：合计、按供电所、村、线路",
    "json": "输出 JSON（docs/DATA.md §5）",
    "data": "数据目录（一个电费提取）",
    "as_of": "统计截至日期，默认取最后入账日期",
    "year": "统计年度（{low}–{high}），默认取截至日期所在年",
    "station": "只统计一个供电所",
    "reports": "报表命令行",
    "daily_report": "电费回收日报：写出 Excel（.xlsx）或微信群文字（.md）",
    "out": "输出文件：.xlsx 为格式化的 Excel 日报，.md 为可粘贴到微信群的文字；不能写入数据目录",
}
REPORT_CLI = {
    "bad_out": "输出文件须以 .xlsx（Excel 日报）或 .md（微信群文字）结尾：{file}",
    "out_in_data": "数据目录只读，不能把日报写入其中：{file}",
    "unwritable": "无法写入输出文件 {file}：{error}",
    "written": "已写出 {file}（{title}，数据截至 {day}，范围：{scope}）",
}
DAILY_TITLE = "电费回收日报"
DECK_TITLE = "电费回收情况汇报"

# argparse's own messages (English in the standard library), said in Chinese: (pattern, replacement)
CLI_ARGPARSE = [
    (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
    (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
    (r"^argument (\S+): expected one argument$", r"参数 \1 需要一个值"),
    (r"^argument (\S+): invalid choice: (.*)$", r"参数 \1 的取值无效：\2"),
    (r"^argument (\S+): ", r"参数 \1："),
]

# --- collection operations (CONTRACT §6) ------------------------------------------------
UNASSIGNED = "未分配"  # shown for a null collector (meter_reader)

METRIC.update({
    "penalty_exposure": "违约金敞口",
    "penalty_bills": "计违约金笔数",
    "payments": "缴费笔数",
    "posted_same_day": "当日入账笔数",
    "same_day_posting_rate": "当日入账率",
    "in_transit": "在途笔数",
    "in_transit_amount": "在途金额",
    "risk_grade": "风险等级",
    "risk_reason": "定级原因",
})

RISK_GRADE = {"high": "高", "medium": "中", "low": "低"}

# The reason of a risk grade: the first clause of the rule that holds (queries/collections.py
# fills in the figures and the thresholds of the settings file).
RISK_REASON = {
    "high_overdue": "有欠费逾期超过 {high_days_overdue} 天（最长 {days_overdue} 天）",
    "high_prior_years": "有往年欠费（陈欠）{arrears_prior_years} 元",
    "high_amount": "欠费 {arrears} 元，达到 {high_arrears} 元",
    "medium_overdue": "有欠费逾期超过 {medium_days_overdue} 天（最长 {days_overdue} 天）",
    "medium_average_bill": "欠费 {arrears} 元，达到月均电费 {average_monthly_bill} 元的 {multiple} 倍",
    "medium_late_bills": "近 12 个月有 {late_bills} 张电费到期未缴清（{medium_late_bills} 张及以上）",
    "low": "欠费逾期 {days_overdue} 天，未达到中、高风险条件",
}

INSTALMENT_STATUS = {"upcoming": "未到期", "on_time": "按期缴清", "late": "逾期补缴", "missed": "未缴足"}

# Age of payments in transit (D − paid day), as in_transit_aging.sql buckets them.
TRANSIT_AGE = {"0": "当天", "1": "1 天", "2-3": "2–3 天", "4-7": "4–7 天", "8-30": "8–30 天", ">30": "30 天以上"}

# Settings files (queries/collections.toml, FEE_SETTINGS)
SETTINGS = {
    "unreadable": "无法读取设置文件 {file}（{error}）",
    "not_toml": "设置文件 {file} 不是有效的 TOML：{error}",
    "bad_value": "设置文件 {file} 中 {key} 的值无法使用：{rule}",
    "number": "应为不小于 0、小于 {high} 的数",
    "whole_number": "应为不小于 0、小于 {high} 的整数",
    "unknown": "没有这个设置项（可用：{allowed}）",
    "date": "应为日期，例如 1996-01-01",
    "no_rates": "至少需要一行违约金费率（[[penalty.rates]]）",
    "same_day": "两行违约金费率的生效日期相同",
    "missing": "缺少这一节",
}

# The collections command (python -m queries collections): its help and its text output.
CLI_HELP.update({
    "collections": "催收管理（docs/DATA.md §6）：按催费责任人、当日入账、违约金敞口、风险等级、分次结算",
    "collections_json": "输出 JSON（docs/DATA.md §6）",
})
COLLECTIONS_CLI = {
    "header": "数据截至 {as_of}　范围：{scope}",
    "posting": "当日入账（{year} 年 1 月 1 日以来缴费）",
    "penalty": "违约金敞口",
    "risk": "风险等级",
    "instalments": "分次结算",
    "more_in_json": "按催费责任人的回收与欠费见 --json 输出。",
}

# The app's frame: page titles, the sidebar, downloads, messages around every page.
PAGE_TITLE = {"home": "每日进度", "recovery": "电费回收率", "arrears": "欠费分析",
              "high_energy": "高耗能客户", "data_quality": "数据质量"}
FRAME = {
    "present": "演示模式",
    "present_help": "隐藏筛选栏、放大字号，并遮蔽全部个人信息，用于会议投影。",
    "leave_present": "退出演示",
    "data": "数据：{name}",
    "stamp": "{stamp}｜统计年度 {year}｜范围：{scope}｜数据：{name}",
    "fix_and_refresh": "修正后刷新页面即可，无需重启看板。数据目录只读，看板不会修改其中任何文件。",
    "empty": "当前筛选范围内没有数据。请放宽筛选条件（供电所、村/社区、线路、类别、催费责任人）。",
    "page_failed": "页面出现内部错误，已记录日志。请调整筛选条件后重试，或联系维护人员。",
    "data_arg": "数据目录（默认：随附的示例数据）",
}
DOWNLOAD = {
    "all_stations": "全部供电所",
    "deck": "下载会议汇报（PPT）",
    "deck_file": "电费回收汇报_{stem}.pptx",
    "deck_help": "当前筛选范围与截至日期的汇报 PPT（16:9，图表可在 PowerPoint 中编辑，个人信息已遮蔽）。",
    "daily_xlsx": "日报 Excel",
    "daily_xlsx_help": "汇总、供电所、线路、催费责任人、风险分级、风险等级变化、违约金敞口、欠费前列、银行代扣不足、在途款项。",
    "daily_md": "日报文本",
    "daily_md_help": "可直接粘贴到微信群的简报（Markdown）。",
    "daily_file": "电费回收日报_{stem}.{suffix}",
}

# --- risk grades in the arrears lists, on the arrears page, in the daily report and the deck
# (issue 9 §2: 风险分级) -----------------------------------------------------------------
RISK_GRADE_NONE = "无欠费"  # a customer without arrears on one of the two days a move compares
RISK_GRADE_ALL = "全部等级"  # the grade filter with nothing chosen
RISK_GRADE_WORD = {g: f"{word}风险" for g, word in RISK_GRADE.items()}  # 高风险 …
# How a customer's grade moved from the end of last month to D (risk_grade_moves.sql).
RISK_MOVE = {"up": "升级", "down": "降级", "new": "新增", "cleared": "结清", "same": "不变"}
RISK_MOVE_HELP = {
    "up": "上月末已欠费、当前风险等级更高的户数（低→中、低→高、中→高）。",
    "down": "上月末已欠费、当前风险等级更低但仍欠费的户数。",
    "new": "上月末没有欠费、当前欠费的户数。",
    "cleared": "上月末欠费、当前已无欠费的户数。",
    "same": "上月末与当前风险等级相同的户数。",
}
RISK = {
    "section": "风险分级",
    "by": "分组",
    # the rule with the thresholds in force (queries/collections.py: rule_text)
    "rule": "高：有欠费逾期超过 {high_days_overdue} 天、有往年欠费，或欠费达 {high_arrears} 元；"
            "中：有欠费逾期超过 {medium_days_overdue} 天、欠费达月均电费的 {multiple} 倍，"
            "或近 12 个月有 {medium_late_bills} 张及以上电费到期未缴清；低：其余。定级原因为第一条成立的条件。",
    "settings": "阈值在设置文件 queries/collections.toml 中（或环境变量 FEE_SETTINGS 指定的副本），可按供电公司调整。",
    "grade_help": "欠费 {arrears}；上月末（{day}）{then}。",
    "move_help": "上月末指 {day}。",
    "customers_chart": "各{name}欠费户数（按风险等级）",
    "customers_axis": "欠费户数（户）",
    "group_table": "各{name}风险分级",
    "arrears_chart": "各{name}欠费（按风险等级，万元）",
    "top_groups": "图中为欠费最多的 {n} 个{name}，下表列出全部 {total} 个。",
    "moves": "风险等级变化：上月末（{day}）→ 截至当日",
    "moves_chart": "上月末 → 当前风险等级（户数）",
    "moves_hover": "{then} → {now}：{customers} 户<br>欠费 {arrears_then} → {arrears_now}",
    "moves_table": "风险等级变化",
    "then": "上月末（{day}）",
    "now": "截至当日",
    "grade_filter": "风险等级",
    "grade_filter_help": "只列所选风险等级的欠费户；不选即全部等级。",
    "no_arrears_in_grades": "所选风险等级没有欠费户。",
    "in_grades": "{grades}欠费户",  # the accounts listed, when a grade filter is on
}

# the columns of the grade tables (reports/columns.py adds the units)
COLUMN.update({
    **{f"customers_{g}": f"{word}户数" for g, word in RISK_GRADE_WORD.items()},
    **{f"arrears_{g}": f"{word}欠费" for g, word in RISK_GRADE_WORD.items()},
    "grade_then": "上月末风险等级",
    "grade_now": "当前风险等级",
    "move": "变化",
    "arrears_then": "上月末欠费",
    "arrears_now": "当前欠费",
})
COMPARE.update({"month_end": "较上月末", "same_month_end": "与上月末持平"})
FRAME.update({"settings_title": "催收管理设置文件无法使用，本页其余内容暂不显示"})
# The daily report's and the deck's words for the rankings of collectors, the grades and penalties.
REPORT = {
    "ends": "列出前 {n} 名与后 {n} 名，共 {total} 人",
    "no_collectors": "范围内没有催费责任人数据。",
    "versus_month_end": "与上月末 {day} 相比",
    "penalty": "违约金敞口（截至当日的欠费若当日缴清应收的违约金）",
    "penalty_note": "，若欠费于当日缴清",
}
DECK = {
    "risk": "风险分级：各等级欠费户数与变化（与上月末 {day} 相比）",
    "move_sub": {"up": "风险等级上升（仍欠费）", "down": "风险等级下降（仍欠费）", "new": "上月末无欠费",
                 "cleared": "当前已无欠费"},
    "risk_stations": "各供电所欠费按风险等级（万元）",
    "penalty": "违约金敞口（万元）",
    "penalty_note": "截至当日仍欠的电费若于当日缴清应收的违约金。当日适用的费率：居民每日 {residential}，"
                    "其他用户当年每日 {current_year}、跨年每日 {cross_year}；每笔不足 {minimum} 元按 {minimum} 元。",
    "no_rate": "截至当日仍欠的电费若于当日缴清应收的违约金。当日没有适用的违约金费率。",
    "no_arrears": "截至当日没有欠费。",
    "no_collectors": "范围内没有催费责任人数据。",
    "no_collector_rates": "范围内没有催费责任人有本年度已发行电费。",
    "collectors_chart": "各催费责任人电费回收率与目标（%）",
    "collectors_chart_title": "{year} 年各催费责任人电费回收率（%，从高到低）",
    "collectors_table": "催费责任人排名（金额：万元；与目标差：百分点）",
    "collectors_table_ends": "催费责任人排名（前 {n} 名与后 {n} 名，共 {total} 人；金额：万元）",
    "collectors_chart_ends": "各催费责任人电费回收率与目标（前 {n} 名与后 {n} 名，共 {total} 人；%）",
}
