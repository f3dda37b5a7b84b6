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

# --- allowed rows (docs/DATA.md §8: queries/access.py) ------------------------
ACCESS = {
    "nothing": "无可查看的数据",  # the scope of a user who may see no row
    "all_own_stations": "本账户的全部供电所",  # the station filter's placeholder for a station or collector user
    "whole_extract_only": "本页描述整份数据提取（含各供电所的示例行），只对经理开放。",
    "no_branch_ranking": "全分公司的供电所排名未对本账户开放，本页只显示您有权查看的数据。",
    "own_stations_only": "名次只在您有权查看的供电所之间比较；全分公司排名未对本账户开放。",
    "no_ranks": "催费员账号只看本人的数字，不显示名次。",
}

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
    "no_as_of_pick": "请在左侧“数据截至”中选择一个日期，看板将按该日期计算。",
    "no_as_of": "数据中没有可用的入账日期（没有付款，或入账日期都异常），无法确定截至日期。",
    "no_as_of_cli": "数据中没有可用的入账日期（没有付款，或入账日期都异常），无法确定截至日期；请用 --as-of 指定。",
    "cut_help": "超过 {n} 字的内容已截断（…）；完整内容见下载的 Excel / CSV。",
}

# What a build is doing, for its progress bar.
BUILD_STEP = {
    "check": "检查数据",
    "rollups": "建立汇总表",
    "findings": "整理数据质量问题",
    "save": "写入缓存",
    "done": "完成",
    # a large extract is built in buckets of segments (docs/DATA.md §9)
    "split": "按用户分段把账单和缴费分成 {n} 组",
    "odd_payments": "查找所付账单在别组或不存在的缴费（第 {k}/{n} 组）",
    "bucket": "逐张账单核算与汇总（第 {k}/{n} 组）",
    # the build on Apache Spark (docs/DATA.md §9)
    "spark_start": "启动 Spark",
    "spark_load": "把 Spark 的汇总表写入缓存",
}
# The stages of the rollup build (queries/sql/_rollups*.sql): each table it creates, by the
# stage it belongs to; statements that create none (drops, macros) stay in the stage before.
_ROLLUP_STAGES = {
    "整理用户档案与分段": ("accounts", "segments", "other_bills", "large_accounts"),
    "回收目标与数据日期": ("targets", "extract_dates", "build_bucket", "bucket_accounts", "odd_payments",
                     "odd_payment_bills", "incoming_payments", "incoming_payers"),
    # queries/sql/_rollups_buckets.sql (for a large extract, one stage per bucket: BUILD_STEP)
    "逐张账单核算实收与余额": ("bill_payments", "bill_paid", "day_posted_bills", "bill_day_postings", "bill_state", "bill_tails",
                          "known_bills", "bill_steps"),
    "汇总回收进度": ("out_events", "cohorts"),
    "整理欠费时段": ("overdue_pieces",),
    "汇总电量电费": ("usage_monthly", "large_customer_bills"),
    "汇总缴费与入账": ("payment_days", "late_postings", "same_day_settlements"),
    "风险分级依据": ("graded_customers", "grading_bills", "graded_payments", "last_payments"),
    "分次结算与重点客户": ("instalment_postings", "large_customer_postings"),
    # queries/sql/_rollups_after.sql
    "汇总年初陈欠与逐月进度": ("opening_years", "year_openings", "month_end_balances", "postings_daily"),
    "分次结算计划与重点客户缴费": ("instalment_parts", "large_payments", "large_customer_last_payments"),
}
ROLLUP_STAGE = {table: stage for stage, tables in _ROLLUP_STAGES.items() for table in tables}
ROLLUP_STAGE_MACROS = "准备查询"

# The command line (python -m queries): argument errors and the text summary.
CLI = {
    "bad_date": "日期格式应为 YYYY-MM-DD：{text}",
    "date_range": "日期应在 {low} 至 {high} 之间：{text}",
    "bad_year": "年度应为四位整数，例如 2021：{text}",
    "year_range": "年度应在 {low} 至 {high} 之间：{text}",
    "unknown_args": "无法识别的参数：{args}",
    "unknown_station": "数据中没有这个供电所：{station}（可选：{stations}）",
    "no_stations": "数据中没有任何供电所",
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

# --- collection operations (docs/DATA.md §6) ------------------------------------------------
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
    "number": "应为不小于 {low}、小于 {high} 的数",
    "whole_number": "应为不小于 {low}、小于 {high} 的整数",
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
              "high_energy": "高耗能客户", "collectors": "催费责任人", "key_accounts": "重点客户",
              "posting": "入账与违约金", "data_quality": "数据质量"}
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

# --- 入账与违约金 (pages/posting.py): same-day posting, payments by channel, penalty exposure,
# the penalty rate rows in force and what same-day posting saved (docs/DATA.md §6) ----------

METRIC.update({
    "penalty_avoided": "当日入账避免的违约金",
    "penalty_days_avoided": "避免的计违约金天数",
    "settled_same_day": "当日入账冲减电费",
    "bills_settled_same_day": "涉及电费单",
})
COLUMN.update({
    "paid_month": "缴费月份",
    "paid_day": "缴费日期",
    "latency_days": "入账时长",
    "due_on": "缴费截止日",
    "rate_sum": "累计日费率",
    "timing": "缴费时点",
    "effective_from": "生效日期",
    "rate_residential": "居民生活日费率",
    "rate_current_year": "其他类别当年日费率",
    "rate_cross_year": "其他类别跨年日费率",
    "penalty_minimum": "最低违约金",
})
# penalty_avoided_by_same_day_posting.sql's timing: paid by the due date, or after it
TIMING = {"by_due_date": "截止日前（含当日）缴费", "overdue": "逾期后缴费"}

POSTING_PAGE = {
    # same-day posting
    "posting": "当日入账",
    "posting_caption": "{year} 年 1 月 1 日至 {day} 缴费的付款（含预收），按付款户所属范围统计；当日入账指入账日期与缴费日期"
                       "为同一天（23:59 缴、次日 00:01 入账不算当日）。",
    "payments_help": "{year} 年 1 月 1 日以来缴费的笔数（含冲正、预收）。",
    "posted_same_day_help": "其中缴费当天入账的笔数。",
    "rate_help": "当日入账笔数 ÷ 缴费笔数，截断（不四舍五入）到两位小数。",
    "in_transit_help": "截至当日已缴费、尚未入账的付款（不限年度）；入账前不计入实收。",
    "in_transit_amount_help": "在途付款的金额合计；最久的已在途 {days} 天。",
    "group_by": "分组",
    "group": {"channel": "按缴费渠道", "station": "按供电所", "month": "按缴费月份"},
    "rate_chart": "当日入账率（{group}）",
    "rate_axis": "当日入账率（%）",
    "rate_hover": "当日入账率 {rate}<br>缴费 {payments} 笔，当日入账 {same} 笔<br>金额 {amount} 万元",
    "latency_chart": "入账时长分布（已入账付款）",
    "latency_axis": "入账时长（天，0 = 当天）",
    "payments_axis": "付款笔数（笔）",
    "latency_hover": "入账时长 %{x} 天<br>%{y:,} 笔<br>金额 %{customdata:,.2f} 万元<extra></extra>",
    "group_table": "当日入账率明细",
    "latency_table": "入账时长明细",
    "no_payments": "{year} 年 1 月 1 日以来当前范围内没有缴费。",
    # in transit
    "transit": "在途付款",
    "transit_chart": "在途付款账龄（截至当日，按已在途天数）",
    "transit_axis": "在途天数",
    "transit_hover": "在途 %{x}<br>%{y:,} 笔<br>金额 %{customdata:,.2f} 万元<extra></extra>",
    "transit_caption": "客户已缴费、截至当日尚未入账的付款（多为银行代收在途），最早缴费的在前；入账时间空白的，"
                       "数据中至今未入账。",
    "no_transit": "截至当日没有在途付款。",
    "show_personal": "显示户名和联系电话（催费用）",
    "show_personal_help": "显示完整户名和联系电话，供催费使用；演示模式下不可用。本页各清单同时生效。",
    # payments by channel over time
    "channels": "各渠道缴费",
    "channel_span": "时间范围",
    "whole_year": "{year} 年各月",
    "month_days": "{month} 各日",
    "channel_measure": "显示",
    "measure": {"amount": "金额", "payments": "笔数"},
    "measure_title": {"amount": "各渠道缴费金额", "payments": "各渠道缴费笔数"},
    "channel_chart_months": "（{year} 年各月，截至 {day}）",
    "channel_chart_days": "（{month}各日，截至 {day}）",
    "amount_axis": "缴费金额（万元）",
    "channel_hover": "{channel}<br>%{{x|{format}}}<br>%{{customdata[0]:,.2f}} 万元<br>%{{customdata[1]:,}} 笔<extra></extra>",
    "channel_caption": "按缴费日期与付款户所属范围统计的全部付款（含在途、预收，冲正为负）；这是现金流，不等于实收电费。",
    "channel_table": "各渠道缴费明细",
    # penalty exposure
    "penalty": "违约金",
    "penalty_caption": "违约金敞口：截至当日的欠费若在当日缴清应付的违约金（供电营业规则第 98 条；docs/DATA.md §6）。"
                       "自缴费截止日次日起逐日计算，按用电类别、当年或跨年取当天有效的日费率（见下方“违约金费率"
                       "（设置）”；默认为 1996 年规则：居民生活每日 1‰，其他类别当年 2‰、跨年 3‰）；"
                       "每张电费单不足最低金额的按最低金额计。",
    "penalty_help": "各张已逾期未结清电费单的违约金之和。",
    "penalty_bills_help": "计违约金的电费单张数（即已逾期未结清的电费单）。",
    "penalty_arrears_help": "计违约金的欠费：所有年份已发行、已过缴费截止日且未结清的电费。",
    "avoided_help": "{year} 年 1 月 1 日以来当日入账的付款，若推迟到下一个工作日入账将多计的违约金（说明见下文）。",
    "penalty_chart": "各供电所违约金敞口（万元）",
    "penalty_hover": "%{customdata[0]}<br>违约金敞口 %{x:,.2f} 万元<br>计违约金 %{customdata[1]:,} 笔"
                     "<br>欠费 %{customdata[2]:,.2f} 万元<extra></extra>",
    "penalty_axis": "违约金敞口（万元）",
    "penalty_by": {"station": "按供电所", "village": "按村/社区", "collector": "按抄表催费责任人",
                   "customer": "按客户", "bill": "按电费单"},
    "penalty_table": "违约金敞口（{by}）",
    "penalty_days_note": "逾期天数按其中逾期最久的一张电费单计。",
    "penalty_list_caption": "表中列出违约金最多的 {shown} {unit}，下载的 Excel/CSV 含全部。",
    "no_penalty": "截至当日当前范围内没有已逾期未结清的电费，没有违约金敞口。",
    # the rate rows in force
    "rates": "违约金费率（设置）",
    "rates_caption": "当前按下表计算：每行自生效日期起适用，直到下一行生效；某一天适用当天有效的那一行，"
                     "最低违约金取截至日有效的那一行。设置来自 {source}。",
    "rates_shipped": "随附的 queries/collections.toml",
    "rates_override": "随附设置，叠加环境变量 FEE_SETTINGS 指定的 {name}",
    "rates_1996_only": "目前只有 1996 年《供电营业规则》的费率（默认值）。2024 年新规（国家发展改革委令第 14 号，"
                       "2024-06-01 起施行）的费率尚未录入。",
    "rates_2024": "已录入 {day} 起施行的费率；此前的日子仍按之前一行计算。",
    "rates_how": "录入 2024 年新规无需改代码、无需重建缓存：① 复制 queries/collections.toml；② 在副本中去掉 1996 年"
                 "那一行下方示例行（effective_from = 2024-06-01）前的“# ”，填入确认后的日费率（小数，0.5‰ 写 0.0005）"
                 "和最低金额；③ 用环境变量 FEE_SETTINGS 指向副本启动看板。此后再改副本，刷新页面即生效。"
                 "详见 docs/DATA.md §6 Settings。",
    "settings_unusable": "违约金设置文件无法使用，本页不显示违约金。请修正后刷新。",
    # what same-day posting saved
    "avoided": "当日入账避免的违约金",
    "avoided_explain": (
        "**怎么算的**：{year} 年 1 月 1 日至 {day}，每张电费单在缴费当天入账的付款（冲减该单欠费的部分），"
        "如果推迟到下一个工作日（周一至周五）才入账，就会从"
        "“缴费日与缴费截止日中较晚的一天”的次日起，到下一个工作日为止多计违约金。例如周五缴费、截止日也是周五，"
        "次工作日为周一，避免 3 天；周二缴费只避免 1 天；在截止日前一个工作日或更早缴费，则不会产生违约金，不计入。"
        "费率与违约金敞口相同（按类别、按当年/跨年、按当天有效的费率行）。数据中没有法定节假日，"
        "节假日也按工作日计，遇节假日时实际避免的天数更多。"),
    "avoided_honest": (
        "**注意**：这是与“次工作日入账”相比的估算，不是实际收取或减免的金额；不计每张电费单 1 元最低违约金"
        "（最低金额针对一张电费单的全部违约金，不能拆到某一笔付款上），因此是偏保守的下限；"
        "逾期后才缴费的，当日入账避免的是在已有违约金之上再多计的天数。"),
    "avoided_days_help": "各张电费单避免的计违约金天数之和。",
    "avoided_settled_help": "这些当日入账的付款冲减的电费金额。",
    "avoided_bills_help": "涉及的电费单（按电费单与缴费日计）。",
    "avoided_by": {"channel": "按缴费渠道", "station": "按供电所", "timing": "按缴费时点"},
    "avoided_table": "当日入账避免的违约金（{by}）",
    "no_avoided": "{year} 年 1 月 1 日以来，当前范围内没有当日入账且在下一个工作日前到期的电费。",
}

# --- 催费责任人: the per-person page, the chase list (催费清单) and reminders -----------------
# (pages/collectors.py, reports/chase_pdf.py, reports/reminders.py)
COLUMN.update({
    "rank_in_branch": "分公司内名次",
    "rank_in_station": "供电所内名次",
    "owed": "应缴金额",
    "owed_months": "欠费月份",
    "last_paid_at": "最近缴费时间",
    "last_payment_amount": "最近缴费金额",
    "last_payment_channel": "最近缴费渠道",
    "reminder": "催费提醒短信",
})

# The ways to pay a reminder names, in this order (codes of CHANNEL).
REMINDER_CHANNELS = ("app", "wechat", "alipay", "bank", "counter")

# Reminder texts to copy into a text message or a village chat (reports/reminders.py fills them
# in). The penalty rule is the settings' row in force on the as-of date, as ‰ a day.
REMINDER = {
    "chase": "{name}您好！截至{day}，您的户号 {customer_id} 尚欠电费 {arrears} 元（{bills}）。"
             "请尽快通过{channels}缴纳。{rule}按截至{day}计，违约金为 {penalty} 元。如已缴纳，请忽略本提醒。{sign}",
    "shortfall": "{name}您好！您的户号 {customer_id} {month}电费应缴 {owed} 元，银行代收代扣已入账 {paid} 元，"
                 "尚差 {shortfall} 元，已逾期 {days} 天。请尽快通过{channels}补缴。{rule}如已补缴，请忽略本提醒。{sign}",
    "rule_residential": "逾期未缴的电费，自缴费截止日次日起每日按欠费的 {residential} 加收违约金，"
                        "不足 {minimum} 元按 {minimum} 元收取。",
    "rule_other": "逾期未缴的电费，自缴费截止日次日起每日加收违约金：当年电费按欠费的 {current_year}，"
                  "跨年电费按 {cross_year}，不足 {minimum} 元按 {minimum} 元收取。",
    "bill": "{month} {amount} 元",
    "bills_many": "{first}至{last}共 {n} 个月",
    "month": "{year}年{month}月",
    "day": "{year}年{month}月{day}日",
    "sign": "【{station} 催费责任人 {collector}】",
    "sign_station": "【{station}】",  # no collector assigned
    "customer": "客户",  # a row without a name
    "or": "或",
}
# The bills of a reminder are listed one by one up to this many months; more read as a range.
REMINDER_BILLS_LISTED = 4

# The printable chase list (A4 landscape, one collector per page, header repeated).
CHASE_PDF = {
    "title": "催费清单",
    "who": "催费责任人：{collector}　供电所：{station}",
    "totals": "欠费 {customers} 户，合计 {arrears} 元；违约金 {penalty} 元；高风险 {high} 户、中风险 {medium} 户、低风险 {low} 户",
    "page": "第 {page}/{pages} 页",
    "footer": "范围：{scope}　按风险等级（高→低）、欠费金额排序。{masked}",
    "none": "没有欠费户。",
    "row_no": "序号",
    "place": "村/社区／台区",
    "grade": "风险",
    "arrears": "欠费（元）",
    "days": "逾期天数",
    "last_payment": "最近缴费",
    "penalty": "违约金（元）",
    "notes": "催收记录",
    "no_payment": "无",
}

UNIT["people"] = "人"

# The page's own words.
COLLECTORS_PAGE = {
    "rate_help": f"{METRIC['recovered']} ÷ {METRIC['billed']}，截断（不四舍五入）到两位小数。",
    "arrears_help": "所有年份已发行、已过缴费截止日且未结清的电费。",
    "penalty_help": "截至当日的欠费若当日缴清应付的违约金，共 {bills} 笔电费（docs/DATA.md §6）。",
    "no_arrears": "截至当日，当前范围内没有欠费户。",
    "grade": "{grade}风险",
    "grade_hover": "%{{customdata[1]}}<br>{grade}风险 %{{x:,}} 户<br>欠费 %{{customdata[0]:,.2f}} 万元<extra></extra>",
    "customer_option": "{customer_id} {name}（欠费 {arrears}）",
    "shortfall_option": "{customer_id} {name} {month}（尚差 {shortfall}）",
    "collectors": "达到目标",
    "collectors_unit": "人",
    "collectors_help": "本年度电费回收率达到各自回收目标的催费责任人 / 有本年度电费的催费责任人。",
    "ranking": "{year} 年催费责任人回收率排名",
    "ranking_table": "催费责任人排名",
    "ranking_note": RANKING_ORDER + "。分公司内名次在全部供电所的催费责任人中排，供电所内名次在本所中排；"
                    "二者只按供电所、催费责任人以外的筛选条件计算。同一责任人在不同供电所分行列出。",
    "grades": "风险等级分布",
    "grades_chart": "各催费责任人欠费户风险等级（户）",
    "grades_table": "各催费责任人风险等级",
    "chase": "催费清单",
    "pick": "催费责任人",
    "show_personal": "显示完整户名和联系电话（催费用）",
    "show_personal_help": "清单、下载和提醒短信中显示完整户名与联系电话；演示模式下不可用。",
    "chase_note": "共 {customers}，欠费合计 {arrears}，违约金 {penalty}；按风险等级（高→低）、欠费金额排序，"
                  "逾期天数按最早一笔欠费计。",
    "no_chase": "该催费责任人截至当日没有欠费户。",
    "pdf_one": "下载清单 PDF（本人）",
    "pdf_all": "下载清单 PDF（范围内全部责任人）",
    "xlsx_one": "下载清单 Excel（本人）",
    "xlsx_all": "下载清单 Excel（范围内全部责任人）",
    "pdf_help": "A4 横向，可打印走访；每位催费责任人另起一页，清单较长时续页重复表头。",
    "file": "催费清单_{who}_{day}.{suffix}",
    "file_all": "范围内全部责任人",
    "reminder": "催费提醒短信",
    "reminder_pick": "客户",
    "reminder_note": "点击右上角图标复制，发给客户或发到村微信群。",
    "shortfall": "银行代扣不足提醒",
    "shortfall_note": "最近一笔经银行代收代扣的付款少于应缴金额、截至当日仍欠费的电费单：请提醒客户补足。",
    "no_shortfall": "没有银行代扣不足的电费单。",
    "nothing": "当前范围内没有催费责任人的电费或欠费。",
}

# --- key and high-energy accounts (重点客户, docs/DATA.md §6) --------------------------------
# The 2021 tariff reform as charts of bill months mark it (ui/charts.mark_reform; plotly text).
REFORM_NOTE = "2021-10-15 电价市场化改革<br>（发改价格〔2021〕1439号）"
UNIT["parts"] = "期"  # instalment parts

COLUMN.update({
    "outstanding": "未缴",
    "days_to_due": "距截止日",
    "bill_status": "缴费状态",
    "plan_parts": "分次结算期数",
    "next_part_due_on": "下期应缴日",
    "next_part_amount": "下期应缴金额",
    "parts_missed": "未缴足期数",
    "days_late_trend": "各月逾期天数走势",
    "days_late_text": "各月逾期天数（由远及近）",
    "latest_days_late": "最近一月逾期天数",
    "bill_amount": "电费单金额",
    "part_due_on": "本期到期日",
    "part_amount": "本期应缴",
    "due_by_then": "累计应缴",
    "paid_by_due": "到期日累计已缴",
    "paid_now": "截至当日累计已缴",
    "instalment_status": "本期状态",
})
# this month's bill of a key account, as key_accounts.sql's bill_status says
BILL_STATUS = {"paid": "已缴清", "due": "未到期", "overdue": "已逾期"}

KEY_ACCOUNTS = {
    "empty": "当前筛选范围内没有重点客户或高耗能客户。请放宽筛选条件（供电所、村/社区、线路、类别、催费责任人）。",
    "accounts": "重点与高耗能客户",
    "accounts_help": "标记为重点客户或高耗能企业的用户数。",
    "month_amount": "本月电费",
    "month_amount_help": "各户截至当日已发行的最新一个电费年月的应收电费之和（多为 {month}）。",
    "month_outstanding": "本月未缴",
    "month_outstanding_help": "本月电费中截至当日尚未缴清的部分；其中已过缴费截止日的 {overdue}。",
    "arrears_help": "截至当日已过缴费截止日且未结清的电费（所有月份）；涉及 {accounts} 户。",
    "watch": "关注名单",
    "watch_help": "缴费一月比一月晚的客户（规则见下方关注名单）。",
    "list": "客户一览",
    "list_note": "每户一行：最新电费年月的电费、已付、未缴与缴费截止日，全部欠费，最近一次缴费，分次结算计划。",
    "show_personal": "显示联系方式",
    "show_personal_help": "显示完整户名（个人户）和联系电话，供客户经理联系使用；演示模式下不可用。本页各清单同时生效。",
    "masked": "联系电话已脱敏；企业名称照常显示，个人户名已脱敏。",
    "watch_rule": "缴费逐月推迟：最近 {months} 个电费月中，每月缴清的时间（按逾期天数计，截止日前缴清记 0 天，"
                  "截至当日仍未缴清的按截止日至当日的天数）都比上一个月晚至少 {days} 天。阈值可在设置文件中调整"
                  "（queries/collections.toml 的 [watch]）。",
    "watch_none": "没有缴费逐月推迟的客户。",
    "settings_broken": "设置文件无法使用，关注名单暂不显示。修正后刷新页面即可：",
    "one": "单户详情",
    "pick": "选择客户",
    "pick_help": "按欠费、本月未缴从多到少排列。",
    "due_in": "还有 {days} 天到期",
    "due_today": "今天到期",
    "overdue_by": "已逾期 {days} 天",
    "paid_in_full": "本月已缴清",
    "no_bill": "尚无电费",
    "status_tile": "缴费截止日 {due}",
    "last_payment": "最近一次缴费：{at}，{channel}，{amount}。",
    "no_payment": "截至当日没有缴费记录。",
    "trend": "{name} 月度电费与平均电价",
    "delays": "{name} 近 {months} 个电费月缴清时间（逾期天数）",
    "delays_note": "柱高为该电费月缴清时比缴费截止日晚的天数（截止日前缴清为 0）；红色为截至当日仍未缴清，"
                   "按截止日至当日计。",
    "plan": "分次结算计划",
    "plan_none": "该客户没有分次结算计划。",
    "plans": "分次结算明细",
    "plans_note": "范围内全部分次结算计划的每一期：到期日前累计已缴达到累计应缴为按期缴清，"
                  "到期后才达到为逾期补缴，截至当日仍未达到为未缴足，到期日在截至日之后为未到期。",
    "plans_none": "当前范围内没有分次结算计划。",
    "days": "{days} 天",
}

# --- year-end projection (queries/projection.py, recovery_projection.sql) -----------------
PROJECTION = {
    "path": "预测走势（月末）",
    "band": "预测区间",
    "hover": "%{x|%Y-%m-%d}<br>预测回收率 %{y:.2f} %",
    "hover_band": "<br>区间 %{customdata[0]:.2f} % – %{customdata[1]:.2f} %",
    # the sentence under the curve, in the daily report and the deck
    "projected": "按 {years} 年同期的回收走势推算，{year} 年底回收率预计 {rate}",
    "band_range": "（区间 {low} – {high}）",
    "one_year": "（仅 1 个可比年份，无区间）",
    "needed": "；要达到目标 {target}，{start}起至 12 月 31 日（共 {days} 个日历天）需日均回收 {daily}",
    "reached": "；按预测的应收，已收回的电费已达到目标 {target}",
    "year_end": "今天是 12 月 31 日，年底回收率即当前的 {rate}，无需预测。",
    # why there is no projection
    "no_history": "历史数据不足，无法预测",
    "no_earlier_year": "数据中没有 {year} 年以前的年份",
    "nothing_billed_yet": "{year} 年截至当日尚无已发行电费，无法预测。",
    "year_not_used": "{year} 年{why}",
    "per_year": "、",
    "method": "方法：以往年同一天为起点，今年的未收回比例（1 − 回收率）按该年此后的变化倍数变化，"
              "应收按该年此后的增长倍数增长；各往年推算值取中位数，最低至最高为区间。",
    # the daily report (its sheet and a line of the text) and the deck's slide
    "section": "年底预测",
    "sheet_title": "{year} 年底回收率预测",
    "slide": "{year} 年底电费回收率预测（%）",
    "chart_title": "{year} 年各月末电费回收率：实际与预测（%）",
    "chart_path": "预测走势（%）",
    "month_end": "{month} 月",  # a month's end: the chart's title says 各月末
    "day": "{month} 月 {day} 日",
    "tile_rate": "预测年底回收率",
    "tile_band": "区间 {low} – {high}",
    "tile_one_year": "仅 1 个可比年份，无区间",
    "tile_now": "截至 {month} 月 {day} 日回收率",
    "tile_needed": "需日均回收（万元）",
    "tile_needed_sub": "为达到目标，{month} 月 {day} 日起共 {days} 天",
    "tile_reached": "按预测应收已达到目标 {target}",
    "based_on": "依据 {years} 年同期走势",
}
# the daily report's sheet 年底预测 (reports/columns.py adds the units)
COLUMN.update({
    "projected_rate": "预测年底回收率",
    "projected_low": "预测区间下限",
    "projected_high": "预测区间上限",
    "projection_years": "依据年份",
    "projected_billed": "预测年底应收电费",
    "days_left": "剩余日历天数",
    "needed_daily": "需日均回收",
    "projection_note": "说明",
})
# why an earlier year of the extract is not used (a status of recovery_projection.sql)
PROJECTION_YEAR_STATUS = {
    "starts_later": "的数据不是从 1 月开始",
    "ends_earlier": "的数据不到 12 月 31 日",
    "nothing_billed": "同日尚无已发行电费",
    "nothing_unpaid": "同日电费已全部收回，无未收回比例可推算",
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

# --- logins, users and the audit log (docs/DATA.md §8; queries/users.py, ui/auth.py, pages/audit.py) ---
PAGE_TITLE.update({"audit": "审计日志"})
ROLE = {"manager": "经理", "station": "供电所", "collector": "抄表员/催费员"}
LOCAL_USER = "本机经理"  # the user of the audit log when there is no users file
CLI_HELP.update({
    "users": "用户管理（docs/DATA.md §8）：添加、删除、列出可登录看板的用户",
    "users_add": "添加用户，或替换同名用户（密码取环境变量 FEE_PASSWORD，否则提示输入）",
    "users_remove": "删除用户",
    "users_list": "列出用户（不显示密码）",
    "users_file": "用户文件（TOML）；第一次 add 时创建；默认取环境变量 FEE_USERS_FILE",
    "user_name": "用户名",
    "role": "角色：manager（经理，看全部）、station（供电所）、collector（抄表员/催费员）",
    "user_station": "供电所用户可查看的供电所（可重复）",
    "user_collector": "抄表员/催费员用户在数据中的姓名（meter_reader）",
})
USERS = {
    # the users file: why it cannot be used (the app then lets nobody in)
    "missing": "用户文件不存在：{file}",
    "unreadable": "无法读取用户文件 {file}：{error}",
    "bad_toml": "用户文件 {file} 不是有效的 TOML：{error}",
    "bad_file": "用户文件 {file} 无法使用：{what}",
    "top_level": "文件顶层",
    "unknown_keys": "{where}有未知的项：{keys}",
    "settings_not_table": "[settings] 应为一个表",
    "users_not_list": "users 应写成 [[users]] 表数组",
    "entry": "第 {i} 个 [[users]]",
    "entry_not_table": "{where}应为一个表",
    "user": "用户“{name}”",
    "duplicate": "用户名“{name}”出现了不止一次",
    "bad_name": "{where}的 name 无效：{value}",
    "bad_role": "{where}的 role 无效：{value}（可选：{roles}）",
    "bad_hash": "{where}的 password 不是 Argon2 密码散列；请用 python -m queries users add 设置密码",
    "bad_stations": "{where}的 stations 应为文字列表",
    "bad_collector": "{where}的 collector 应为文字",
    "bad_setting": "[settings] 的 {key} 应为{rule}：{value}",
    "setting_rule": {
        "idle_minutes": "正整数（分钟）",
        "max_failures": "正整数（次）",
        "lockout_seconds": "正整数（秒）",
        "max_lockout_seconds": "正整数（秒），且不小于 lockout_seconds",
        "contacts_roles": "角色列表，取自 manager、station、collector",
        "station_branch_ranking": "true 或 false",
        "audit_log": "文字（文件路径）",
        "sso": "true 或 false",
        "sso_user_claim": "声明名称（非空文字，首尾无空格）",
        "sso_role_claim": "声明名称（非空文字，首尾无空格）",
        "sso_station_claim": "声明名称（非空文字，首尾无空格）",
        "sso_collector_claim": "声明名称（非空文字，首尾无空格）",
    },
    "name_blank": "名称不能为空，首尾不能有空格",
    "name_long": "名称不能超过 {n} 个字符",
    "name_control": "名称不能含控制字符",
    "short_password": "密码至少需要 {n} 个字符",
    # single sign-on: why a sign-in through the identity provider sees nothing
    "sso_no_user": "统一身份认证的身份令牌中没有用户名（声明 {claim}，也没有 sub）。",
    "sso_no_role": "统一身份认证账号“{user}”没有看板角色：身份令牌中没有声明 {claim}。",
    "sso_bad_role": "统一身份认证账号“{user}”的声明 {claim} 为“{value}”，不是看板的角色（{roles}）。",
    "sso_no_stations": "统一身份认证账号“{user}”的角色是供电所，但声明 {claim} 中没有供电所名称。",
    "sso_no_collector": "统一身份认证账号“{user}”的角色是抄表员/催费员，但声明 {claim} 中没有抄表员姓名。",
    # the command line
    "bad_user_name": "用户名无效（{problem}）：{name}",
    "bad_station": "供电所名称无效（{problem}）：{name}",
    "bad_collector_name": "催费员姓名无效（{problem}）：{name}",
    "manager_scope": "经理可查看全部数据，不用 --station 或 --collector",
    "station_needs": "供电所用户至少需要一个 --station",
    "station_no_collector": "供电所用户按 --station 限定，不用 --collector",
    "collector_needs": "抄表员/催费员用户需要 --collector（数据中的抄表员姓名）",
    "collector_no_station": "抄表员/催费员用户按 --collector 限定，不用 --station",
    "no_users_file": "请用 --users FILE 或环境变量 FEE_USERS_FILE 指定用户文件",
    "password_prompt": "用户 {name} 的密码：",
    "password_again": "再输入一次：",
    "password_mismatch": "两次输入的密码不一致",
    "no_password": "无法读取密码：请用环境变量 FEE_PASSWORD 提供，或在终端中运行",
    "no_such_user": "用户文件中没有用户“{name}”",
    "unwritable": "无法写入用户文件 {file}：{error}",
    "added": "已添加用户“{name}”（{who}）：{file}",
    "replaced": "已替换用户“{name}”（{who}）：{file}",
    "removed": "已删除用户“{name}”：{file}",
    "all_rows": "全部数据",
    "of_stations": "{stations}",
    "of_collector": "{collector} 负责的客户",
    "list_header": ["用户名", "角色", "可查看"],
    "no_users": "（没有用户）",
    "list_file": "用户文件：{file}",
    "list_settings": "设置：无操作 {idle} 分钟自动退出；连续失败 {failures} 次后限制登录；可显示联系方式的角色：{contacts}；"
                     "供电所用户可看全局排名：{ranking}；统一身份认证登录：{sso}；审计日志：{audit}",
    "list_sso": "是（角色取自声明 {role}，供电所取自 {stations}，抄表员取自 {collector}，用户名取自 {user}）",
    "yes": "是",
    "no": "否",
    "none": "无",
    # comments written into the file (it is rewritten whole: other comments are not kept)
    "file_comments": {
        "header": ["电费回收看板 用户文件（docs/DATA.md §8）。",
                   "用户用 python -m queries users add|remove|list 维护；[settings] 可以手工修改。",
                   "命令会整体重写本文件，手写的其他注释不会保留。password 是 Argon2id 散列，不是密码本身。"],
        "idle_minutes": "无操作多少分钟后自动退出登录",
        "max_failures": "同一用户名或同一会话连续登录失败几次后开始限制",
        "lockout_seconds": "达到上述次数后，再次尝试前需等待的秒数；此后每失败一次等待加倍",
        "max_lockout_seconds": "等待时间的上限（秒）",
        "contacts_roles": "可以显示完整户名和联系电话的角色（manager、station、collector）",
        "station_branch_ranking": "供电所用户能否看到全局比较（各供电所排名）",
        "audit_log": "审计日志（SQLite 数据库）的路径，相对于本文件所在目录；空：本文件旁的 <文件名>.audit.sqlite",
        "sso": "是否提供统一身份认证登录（OpenID Connect，Streamlit 的 st.login；另需在 secrets.toml 中配置 [auth]）",
        "sso_user_claim": "统一身份认证：身份令牌中作为用户名的声明（审计日志记此名）；令牌中没有时用 sub",
        "sso_role_claim": "统一身份认证：给出角色的声明，值为 manager、station 或 collector；缺少或为其他值时看不到任何数据",
        "sso_station_claim": "统一身份认证：供电所用户可查看的供电所（一个名称或名称列表）",
        "sso_collector_claim": "统一身份认证：抄表员/催费员用户在数据中的姓名（meter_reader）",
    },
}
AUTH = {
    "users_arg": "用户文件（TOML，docs/DATA.md §8）；指定后每个页面先要求登录",
    "login_title": "请登录",
    "login_caption": "登录后才能查看数据。账号由管理员用 python -m queries users add 添加。",
    "user": "用户名",
    "password": "密码",
    "login": "登录",
    "wrong": "用户名或密码错误。",
    "empty": "请输入用户名和密码。",
    "throttled": "登录失败次数过多，请 {seconds} 秒后再试。",
    "expired": "长时间未操作，已自动退出登录，请重新登录。",
    "changed": "账号已被修改或删除，请重新登录。",
    "logged_out": "已退出登录。",
    "logout": "退出登录",
    "who": "当前用户：{user}（{role}）",
    "who_scope": "可查看：{scope}",
    "local": "本机模式：未设用户文件，只在本机（127.0.0.1）提供，以经理身份查看全部数据。",
    "users_broken": "用户文件无法使用，暂不能登录",
    "not_local": "未设用户文件时，看板只在本机（127.0.0.1）提供",
    "not_local_help": "要在网络上提供，请用 --users FILE（或环境变量 FEE_USERS_FILE）指定用户文件，"
                      "并用 python -m queries users add 添加用户（docs/DATA.md §8）。",
    "not_manager": "只有经理可以查看审计日志。",
    # single sign-on (OpenID Connect through Streamlit's st.login; docs/DATA.md §8)
    "sso_login": "统一身份认证登录",
    "sso_caption": "使用公司统一身份认证账号登录；角色和可查看的数据由身份认证系统中的账号设置决定。",
    "or_password": "或使用看板账号的用户名和密码登录：",
    "sso_unconfigured": "用户文件设置了 sso = true，但 Streamlit 的 secrets.toml 中没有 [auth] 配置，统一身份认证登录暂不可用。",
    "sso_broken": "统一身份认证配置有误（secrets.toml 的 [auth]），暂不能用统一身份认证登录：",
    "sso_refused": "统一身份认证账号没有查看权限",
    "sso_refused_help": "请管理员在身份认证系统中为该账号设置看板角色和可查看的数据（docs/DATA.md §8），"
                        "然后重新登录；也可以退出登录，换一个账号。",
    "via_sso": "通过统一身份认证登录",
    "launch_not_local": "未设用户文件时看板只在本机（127.0.0.1）提供，不能使用 --server.address {address}。"
                        "要在网络上提供，请用 --users FILE 指定用户文件（docs/DATA.md §8）。",
}
# contacts (full names of people, phones): the shared toggle and the audit log
PERSONAL = {
    "toggle": "显示联系方式（催费用）",
    "toggle_help": "显示完整户名和联系电话，供催费使用；演示模式下不可用。本页各清单同时生效。",
    "audited": "每次显示和下载都记入审计日志。",  # added to every page's toggle help
    "audit_failed": "审计日志无法写入，暂不能显示或下载联系方式：{error}",
}
AUDIT = {
    "action": {"reveal": "显示联系方式", "download": "下载含联系方式的文件"},
    "caption": "每次显示联系方式、每次下载含完整户名或电话的文件都记入审计日志（只追加，不可修改）。日志文件：{file}",
    "user_filter": "用户",
    "all_users": "全部用户",
    "days": "日期",
    "none": "所选范围内没有审计记录。",
    "count": "共 {n} 条记录。",
    "intact": "日志链校验通过：记录未被改动。",
    "broken": "日志链校验失败：第 {id} 条记录之后的记录被改动或删除过。",
    "unreadable": "无法读取审计日志 {file}：{error}",
    "file": "审计日志",
    "exported": "导出时间：{at}",
    "filter_line": "用户：{users}；日期：{first} 至 {last}",
    "download_xlsx": "下载 Excel",
    "download_csv": "下载 CSV",
}
COLUMN.update({
    "audit_id": "序号",
    "audit_at": "时间",
    "audit_user": "用户",
    "audit_role": "角色",
    "audit_action": "操作",
    "audit_page": "页面",
    "audit_scope": "范围",
    "audit_rows": "行数",
    "audit_detail": "内容",
})

# --- importing marketing-system exports (docs/DATA.md §7: queries/importer.py) ---
IMPORT = {
    "help": "导入营销系统导出文件（.xlsx、.xls、.csv），写成数据目录（docs/DATA.md §7）",
    "inputs_help": "导出文件，或放有导出文件的文件夹（只读其中的 .xlsx、.xls、.csv）",
    "out_help": "写出的数据目录；不加 --append 时应不存在或为空",
    "mapping_help": "映射文件（TOML）：补充表头名称、恢复被存成数字的编号（docs/DATA.md §7）",
    "append_help": "追加到已有数据目录：每张表新增一个文件，目录中已有的编号跳过",
    # how a file was read
    "how_sheet": "Excel 工作表“{sheet}”",
    "how_utf8_bom": "CSV，编码 UTF-8（带 BOM）",
    "how_utf8": "CSV，编码 UTF-8",
    "how_gb18030": "CSV，编码 GB18030（兼容 GBK）",
    # the report, per file
    "file": "{file}：{name}（{table}），{how}，表头在第 {row} 行",
    "counts": "  读取 {read} 行：写入 {written} 行，拒绝 {rejected} 行，已存在跳过 {skipped} 行",
    "posted_rows": "  其中 {n} 行是此前导入时尚在途（入账时间为空）、现已入账的缴费：不重复添加，只补上它们的入账时间",
    "rejected_title": "  拒绝的行（按原因）：",
    "notes_title": "  已导入但有改动的行（按原因）：",
    "reason": "    {reason}：{count} 行，例如 {examples}",
    "example": "第 {row} 行",
    "example_value": "第 {row} 行（{value}）",
    "same_as_row": "{id}，与第 {row} 行相同",
    "refused": "{file}：未导入 —— {why}",
    # the end of a run
    "aborted": "有 {n} 个文件无法导入（原因见上），本次没有写入任何文件。",
    "nothing_new": "没有可写入的新行，未写入任何文件。",
    "written": "已写入 {out}：",
    "written_table": "  {name}（{table}）{rows} 行 → {file}",
    "posted_since": "已为此前在途、现已入账的 {n} 笔缴费补上入账时间（改写了 {files}）；下次打开或构建时将完整重建数据缓存。",
    "lacking": "注意：数据目录中还没有必需的表 {tables}，看板还不能打开它；可用 --append 导入这些表的导出文件。",
    "next": "下一步：python -m queries build --data {out}，然后 python dashboard.py --data {out}",
    # refusals of the arguments
    "no_input": "找不到导出文件或文件夹：{path}",
    "not_export": "{file} 不是导出文件（应为 .xlsx、.xls 或 .csv）",
    "no_exports": "文件夹 {dir} 中没有导出文件（.xlsx、.xls、.csv）",
    "out_is_file": "输出目录 {out} 是一个文件，不是文件夹",
    "out_not_empty": "输出目录 {out} 不是空的；要向已有数据追加，请加 --append",
    "single_file_table": "输出目录 {out} 中的表 {table} 是单个文件 {table}.parquet；追加需要文件夹形式，"
                         "请先把它移到 {table}/ 文件夹中（docs/DATA.md §1）",
    "existing_unreadable": "无法读取输出目录 {out} 中已有的表 {table}（{error}）",
    "unwritable": "无法写入输出目录 {out}：{error}（没有留下不完整的文件）",
    "bad_mapping": "映射文件 {file} 无法使用：{why}",
    "mapping_unreadable": "无法读取（{error}）",
    "mapping_not_toml": "不是有效的 TOML（{error}）",
    "mapping_not_column": "表头“{header}”对应的“{column}”不是可导入的列（写列名，如 customer_id，"
                          "或 表.列，如 payments.amount；见 docs/DATA.md §2）",
    "mapping_restore_table": "[restore] 应是一个表，例如 [restore] 下写 customer_id = { width = 12 }",
    "mapping_restore_column": "[restore] 中的 {column} 不是编号列（可用：{ids}）",
    "mapping_restore_width": "[restore] 中 {column} 的 width 应是 1 到 40 之间的整数，例如 {column} = {{ width = 12 }}",
}
# Why a file or a row was not imported (a row's reason follows its header: 发行日期：无法识别的日期…).
IMPORT_REASON = {
    "unreadable": "文件无法读取（{error}）",
    "undecodable": "无法按 UTF-8 或 GB18030（GBK）解码（第 {line} 行）",
    "no_header": "前 {n} 行中没有找到表头（表头行至少要有 {least} 个可识别的列名；"
                 "可识别的名称见 docs/DATA.md §7，其他名称可用 --mapping 补充）",
    "unknown_table": "无法识别是哪张表：表头（{headers}）中没有 收费流水号、应收标识、回收目标 或 户号 等关键列",
    "duplicate_header": "表头“{first}”和“{second}”都对应列 {column}，无法确定用哪一个",
    "missing_column": "按表头识别为{table}，但缺少必需的列 {columns}",
    "numeric_id": "列“{header}”（{column}）—— 编号被电子表格存成了数字，前导零可能已经丢失。共 {count} 行，"
                  "例如 {examples}。请在营销系统中把该列按文本导出，或在 --mapping 文件的 [restore] 中写明编号位数，"
                  "例如 {column} = {{ width = 12 }}（docs/DATA.md §7）",
    # rows
    "missing": "缺少必需的值",
    "money": "无法识别的金额（可用 1234.56、1,234.56）",
    "money_range": "金额的绝对值不小于 10^12 元",
    "number": "无法识别的数值",
    "date": "无法识别的日期（可用 2021-12-31、2021/12/31、20211231 或电子表格日期）",
    "timestamp": "无法识别的时间（可用 2021-12-31 08:30:00、2021/12/31 8:30、20211231083000 或电子表格日期时间）",
    "period": "无法识别的电费年月（可用 202112、2021-12 或日期）",
    "year": "无法识别的年度（应为四位年份，如 2021）",
    "bool": "无法识别的是/否（可用 是/否、Y/N、1/0、true/false）",
    "target": "无法识别的回收目标（应为 0 到 1 之间的小数，或百分数如 99.99%）",
    "restore": "按数字存储的编号无法恢复为 {width} 位（不是整数、超过 {width} 位，或超过 15 位已被电子表格改动）",
    "duplicate": "编号在本文件中重复（保留先出现的行）",
    # rows kept with a change
    "unknown_tariff": "无法识别的电价类型，按空值（未登记）导入",
}
# --- building ahead of time and newer data (docs/DATA.md §9; python -m queries build,
# queries/progress.py, ui/data.py, ui/freshness.py) -----------------------------------------
CLI_HELP.update({
    "docs": "数据目录、表、指标定义、导入与预先构建的说明见 docs/DATA.md（Data format and definitions）。",
    "build": "预先构建（docs/DATA.md §9）：检查数据并建立数据缓存，打开看板时不再等待",
    "build_description": "检查数据目录（docs/DATA.md §4）并建立数据缓存；缓存已是最新时只核对、不重建。"
                         "适合在每晚导出、导入之后运行。",
    "build_docs": "退出码：0 已建立或已是最新；1 数据未通过检查；2 参数有误、缓存目录不可用或引擎不可用。"
                  "说明见 docs/DATA.md §9。",
    "cache": "缓存目录（默认为环境变量 FEE_CACHE_DIR，未设时为 ~/.cache/fee-recovery）；看板须使用同一目录",
    "engine": "计算引擎：duckdb（默认，本机）或 spark（Apache Spark，须安装 .[spark] 与 Java 17+）",
    "master": "Spark 的 master，如 spark://主机:7077 或 yarn（默认 local[*]，即本机全部核）；仅与 --engine spark 同用",
    "data_build": "数据目录：本机的文件夹，或 Spark 读取的地址（hdfs://…、s3a://…，须 --engine spark；本机在缓存目录中保留其副本）",
})
BUILD_CLI = {
    "no_spark": "未安装 Spark 引擎（pyspark）：请先 pip install -e '.[spark]'，或使用默认的 --engine duckdb（docs/DATA.md §9）。",
    "no_java": "找不到 Java：Spark 引擎需要 Java 17 及以上（如 Debian 的 openjdk-17-jre-headless），或设置 JAVA_HOME（docs/DATA.md §9）。",
    "spark_failed": "Spark 未能启动或连接 master：{error}（docs/DATA.md §9）",
    "master_without_spark": "--master 只与 --engine spark 同用。",
    "built": "已建立数据缓存，用时 {seconds} 秒；数据截至 {as_of}。缓存文件：{file}",
    "current": "数据缓存已是最新，无需重建；数据截至 {as_of}。缓存文件：{file}",
    "refreshed": "已更新数据缓存（{note}），用时 {seconds} 秒；数据截至 {as_of}。缓存文件：{file}",
    "why_full": "已完整重建，未只计入新增文件：{note}。",
    "no_as_of": "（没有可用的入账日期）",
    "findings": "另有 {n} 项数据质量提示（不影响计算），详见看板的“数据质量”页。",
    "uri_without_spark": "数据目录 {uri} 是一个地址而不是本机的文件夹：只有 --engine spark 能读取它（docs/DATA.md §9）。",
    "synced": "已从 {uri} 同步本机副本：复制 {copied} 个文件（{mb} MB），沿用 {kept} 个，删除 {removed} 个。副本：{mirror}",
}
# A data directory Spark reads by URI (HDFS, S3A…) and this machine's copy of it (queries/remote.py)
REMOTE = {
    "not_mirrored_title": "这个数据目录还没有建立过，看板暂无数字可显示",
    "not_mirrored": "数据目录 {uri} 在本机还没有副本：请先运行 python -m queries build --data {uri} --engine spark"
                    "（docs/DATA.md §9），看板与其他命令随后读取这份副本。",
    "no_filesystem": "Spark 不认识 {scheme}:// 这类地址：{error}。S3A 需要 hadoop-aws 包（spark-submit --packages "
                     "org.apache.hadoop:hadoop-aws:与 Spark 自带 Hadoop 相同的版本），见 docs/DATA.md §9。",
    "unreadable": "读不了数据目录 {uri}：{error}（docs/DATA.md §9）",
    "copy_failed": "把 {file} 复制到本机时出错：{error}（docs/DATA.md §9）",
    "changed": "数据目录 {uri} 中的文件在建立期间有变动：检查与汇总可能读到了不同的文件，本次未写入缓存。"
               "请在导出完成后重新运行。",
    "sync_step": "从数据目录复制 {n} 个新增或变动的文件到本机副本",
    "not_listed": "Spark 列出的文件中没有 {file}（Spark 列出：{listed}）：检查无法说出问题所在的文件，本次未写入缓存"
                  "（docs/DATA.md §9）。",
}
# A build's progress, stage by stage: on stderr (queries/progress.py) and on the page (ui/data.py).
BUILD_PROGRESS = {
    "tty_bar": "建立数据缓存 [{bar}] {percent:>3}%  {stage}  {seconds} 秒（共 {total} 秒）",
    "tty_stage": "✓ {stage}  {seconds} 秒",
    "log_stage": "建立数据缓存 {percent:>3}%  {stage}  用时 {seconds} 秒",
    "cut": "建立数据缓存未完成：{stage}  已用 {seconds} 秒",
    "page_title": "正在检查数据并建立数据缓存（数据更新后只需一次）",
    "page_stage": "第 {number} 步：{stage}，已用 {seconds} 秒（共 {total} 秒）",
    "page_finished": "已完成：{stages}",
    "page_one": "{stage} {seconds} 秒",
}
# Newer data in the data directory, seen by an open session (ui/freshness.py).
FRESHNESS = {
    "updated": "数据已更新至 {as_of}，点击刷新",
    "updated_no_date": "数据已更新，点击刷新",
    "building": "数据目录有新文件，正在建立数据缓存，完成后这里会提示刷新。",
    "unbuilt": "数据目录有新文件，尚未建立数据缓存；点击刷新将先检查数据并建立缓存（可能需要几分钟）。",
    "unbuilt_quick": "数据目录有新的缴费记录，尚未计入；点击刷新即可计入（通常只需几秒）。",
    "refresh": "刷新",
    "refresh_help": "改用新数据；如未另选“数据截至”日期，将移到新数据的最后入账日期。",
}
# The refresh (queries/refresh.py): new payments files added to an extract, applied to its
# previous cache instead of building everything again (docs/DATA.md §9).
REFRESH_STEP = {
    "check": "检查新增的缴费文件",
    "copy": "复制上次的数据缓存",
    "apply": "计入新增缴费",
    "sum": "更新汇总表",
    "findings": "更新数据质量问题",
    "save": "写入缓存",
    "done": "完成",
}
REFRESH_NOTE = "在上次的数据缓存上计入新增的 {files} 个缴费文件（{rows} 条）"
# Why a change is built in full rather than refreshed (kept in extract_info.build_note, shown by
# `python -m queries build` after BUILD_CLI["why_full"]).
REFRESH_BLOCKED = {
    "previous_unreadable": "上次的数据缓存无法读取（{error}）",
    "code": "程序已更新",
    "file_gone": "文件 {file} 已删除",
    "file_changed": "文件 {file} 已改动",
    "not_payments": "新增文件 {file} 不是缴费记录",
    "nothing_new": "数据文件与上次相同",
    "columns": "新增缴费文件的列 {column} 与已有文件不同",
    "duplicate_ids": "新增缴费文件与已有缴费记录有重复的 payment_id",
    "backdated": "新增缴费中有入账日期早于该账单已有入账的记录",
    "new_year": "新增缴费进入新的年度（年初陈欠须从全部数据算起）",
    "new_arrears": "有用户因冲正或退款新出现欠费",
    "earlier_payments": "新增缴费中有缴费时间早于（或等于）该用户已有最近一笔缴费的记录",
    "failed": "增量更新未能完成（{error}）",
}
