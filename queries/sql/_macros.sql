-- The definitions of docs/DATA.md §3, written once; every question file builds on these.
-- Stored with the rollups, so a question sees them on a read-only connection.
-- A scope is one STRUCT value (queries/extract.py: Scope), bound once as $scope and read
-- here alone: scoped_segments is the only place that knows its fields. Macros pass the
-- value down (not a list of segments), so each filters with a plain semi-join that DuckDB
-- plans as a hash join.

-- A rate; null where the denominator is 0 (docs/DATA.md §3).
create macro rate(numerator, denominator) as
    case when denominator is null or denominator = 0 then null
         else numerator::double / denominator::double end;

-- The segments of a scope. Empty lists mean "no filter"; '' stands for a null village/line.
-- The rows a user may see (docs/DATA.md §8, queries/access.py) come first and hold whatever the
-- filters say: a restricted scope keeps the segments of its allowed stations (if any are
-- named) whose collector is allowed (if any are named), and none when neither is named; a
-- missing or null field keeps none (fail closed).
create macro scoped_segments(scope) as table
select *
from segments
where coalesce(
        not scope['restricted']
        or ((len(scope['allowed_stations']) > 0 or len(scope['allowed_collectors']) > 0)
            and (len(scope['allowed_stations']) = 0 or list_contains(scope['allowed_stations'], station))
            and (len(scope['allowed_collectors']) = 0 or list_contains(scope['allowed_collectors'], meter_reader))),
        false)
  and (len(scope['stations']) = 0 or list_contains(scope['stations'], station))
  and (len(scope['villages']) = 0 or list_contains(scope['villages'], coalesce(village, '')))
  and (len(scope['lines']) = 0 or list_contains(scope['lines'], coalesce(line, '')))
  and (len(scope['categories']) = 0 or list_contains(scope['categories'], category))
  and (len(scope['collectors']) = 0 or list_contains(scope['collectors'], coalesce(meter_reader, '')))
  and (not scope['high_energy_only'] or is_high_energy)
  and (not scope['key_accounts_only'] or is_key_account);

-- Whether a scope may see what describes the whole extract rather than its customers (its
-- files, the checks' findings with their example rows): only a scope with no restriction.
create macro sees_whole_extract(scope) as not coalesce(scope['restricted'], true);

-- Unpaid balance per segment and bill month, for bills in a period range issued by
-- `issued_by`, as of `as_of`: Σ out_final − Σ changes posted after as_of (see _rollups.sql).
create macro unpaid_by_segment_month(as_of, period_from, period_to, issued_by, scope) as table
with scope as (
    select seg_id from scoped_segments(scope)
),
balances as (
    select seg_id, period, sum(bills) as bills, sum(billed) as billed, sum(out_final) as out_final
    from cohorts
    where period between period_from and period_to
      and issued_on <= issued_by
      and seg_id in (select seg_id from scope)
    group by seg_id, period
),
settled_later as (
    select seg_id, period, sum(delta) as delta
    from out_events
    where eff_date > as_of
      and period between period_from and period_to
      and issued_on <= issued_by
      and seg_id in (select seg_id from scope)
    group by seg_id, period
)
select b.seg_id, b.period, b.bills, b.billed, b.out_final - coalesce(s.delta, 0) as unpaid
from balances as b
left join settled_later as s using (seg_id, period);

-- Arrears at D per segment: issued, overdue bills with a positive balance on day D.
create macro arrears_by_segment(as_of, scope) as table
with scope as (
    select seg_id from scoped_segments(scope)
)
select
    seg_id,
    sum(outstanding) as arrears,
    coalesce(sum(outstanding) filter (where year(period) = year(as_of)), 0) as arrears_current_year,
    coalesce(sum(outstanding) filter (where year(period) < year(as_of)), 0) as arrears_prior_years,
    count(distinct customer_id) as arrears_customers,
    count(*) as arrears_bills
from overdue_pieces
where valid_to > as_of and valid_from <= as_of
  and seg_id in (select seg_id from scope)
group by seg_id;

-- Every additive figure of docs/DATA.md §3 per segment of a scope, for year yr as of as_of.
-- A customer lies in exactly one segment, so even arrears_customers adds up across segments.
-- With E = 31 December of yr − 1 and P the bills of earlier months issued by E:
-- prior_opening = Σ_P outstanding(b, E) is kept per year (year_openings), and
-- prior_recovered = Σ_P (outstanding(b, E) − outstanding(b, D)) is the changes posted
-- between E and D, with the sign of the direction of travel.
create macro recovery_by_segment(as_of, yr, scope) as table
with scope as (
    select seg_id from scoped_segments(scope)
),
this_year as (
    select seg_id, sum(bills) as bills, sum(billed) as billed, sum(unpaid) as unpaid
    from unpaid_by_segment_month(as_of, make_date(yr, 1, 1), make_date(yr, 12, 31), as_of, scope)
    group by seg_id
),
opening as (
    select seg_id, prior_opening
    from year_openings
    where year = (select max(year) from opening_years where year <= yr)
      and seg_id in (select seg_id from scope)
),
prior_moves as (
    select
        seg_id,
        coalesce(sum(delta) filter (where posted_on <= make_date(yr - 1, 12, 31)), 0)
            - coalesce(sum(delta) filter (where posted_on > make_date(yr - 1, 12, 31)), 0) as prior_recovered
    from out_events
    where period < make_date(yr, 1, 1)
      and issued_on <= make_date(yr - 1, 12, 31)
      and posted_on > least(as_of, make_date(yr - 1, 12, 31))
      and posted_on <= greatest(as_of, make_date(yr - 1, 12, 31))
      and seg_id in (select seg_id from scope)
    group by seg_id
),
arrears as (
    select * from arrears_by_segment(as_of, scope)
),
segment_ids as (
    select seg_id from this_year
    union select seg_id from opening
    union select seg_id from prior_moves
    union select seg_id from arrears
)
select
    s.seg_id,
    coalesce(y.bills, 0) as bills,
    coalesce(y.billed, 0) as billed,
    coalesce(y.billed, 0) - coalesce(y.unpaid, 0) as recovered,
    coalesce(o.prior_opening, 0) as prior_opening,
    coalesce(m.prior_recovered, 0) as prior_recovered,
    coalesce(a.arrears, 0) as arrears,
    coalesce(a.arrears_current_year, 0) as arrears_current_year,
    coalesce(a.arrears_prior_years, 0) as arrears_prior_years,
    coalesce(a.arrears_customers, 0) as arrears_customers,
    coalesce(a.arrears_bills, 0) as arrears_bills
from segment_ids as s
left join this_year as y using (seg_id)
left join opening as o using (seg_id)
left join prior_moves as m using (seg_id)
left join arrears as a using (seg_id);

-- Each station's target for a year (docs/DATA.md §2: 1.0 where none is set).
create macro station_targets(yr) as table
select station, max(recovery_target) as target
from targets
where year = yr and collector is null
group by station;

-- Each collector's own target for a year, within a station (docs/DATA.md §6: a collector without
-- one has the station's). The row's station tells namesakes in two stations apart.
create macro collector_targets(yr) as table
select station, collector as meter_reader, max(recovery_target) as target
from targets
where year = yr and collector is not null
group by station, collector;

-- Each segment's target for a year: its collector's, else its station's, else 1.0.
create macro segment_targets(yr) as table
select s.seg_id, coalesce(c.target, t.target, 1.0) as target
from segments as s
left join station_targets(yr) as t using (station)
left join collector_targets(yr) as c using (station, meter_reader);

-- The target of a group of segments (an aggregate): the rate the group reaches if each segment
-- meets its own target — a target as set when the group has one, else the billed-weighted mix
-- (to 6 decimals, so a float quotient like 0.99989999… never truncates to 99.98 %).
create macro group_target(target, billed) as
    case
        when min(target) = max(target) then min(target)
        else coalesce(round(rate(sum(target::decimal(18, 6) * billed), sum(billed)), 6), min(target))
    end;

-- docs/DATA.md §3 figures of a scope in total or per group (station, village, line,
-- transformer, category, collector within a station, or collector_name: one collector name
-- across stations), with each group's target and its accounts (户数: every customer of the
-- group, also one with nothing billed or owed); a group with nothing to show is left out,
-- and 'total' answers one row even for an empty scope.
-- recovery_summary.sql lists these; ranking.sql ranks them.
create macro recovery_groups(as_of, yr, group_by, scope) as table
with metrics as (
    select m.*, s.station, s.village, s.line, s.transformer, s.category, s.meter_reader, t.target
    from recovery_by_segment(as_of, yr, scope) as m
    join segments as s using (seg_id)
    join segment_targets(yr) as t using (seg_id)
),

-- every segment of the scope with its accounts; its figures are the metrics rows'
headcount as (
    select station, village, line, transformer, category, meter_reader, accounts
    from scoped_segments(scope)
),

keyed as (
    select
        *,
        case when group_by in ('station', 'village', 'line', 'transformer', 'collector') then station end as group_station,
        case group_by
            when 'village' then village
            when 'line' then line
            when 'transformer' then transformer
            when 'category' then category
            when 'collector' then meter_reader
            when 'collector_name' then meter_reader
        end as group_member,
        case group_by when 'transformer' then line end as group_line
    from (select * from metrics union all by name select * from headcount)
),

grouped as (
    select
        group_station as station,
        group_line as line_of_member,
        group_member as member,
        coalesce(sum(accounts), 0)::bigint as accounts,
        -- a group of headcount rows alone has no figures: zeros
        coalesce(sum(bills), 0)::bigint as bills,
        coalesce(sum(billed), 0) as billed,
        coalesce(sum(recovered), 0) as recovered,
        coalesce(sum(prior_opening), 0) as prior_opening,
        coalesce(sum(prior_recovered), 0) as prior_recovered,
        coalesce(sum(arrears), 0) as arrears,
        coalesce(sum(arrears_current_year), 0) as arrears_current_year,
        coalesce(sum(arrears_prior_years), 0) as arrears_prior_years,
        coalesce(sum(arrears_customers), 0)::bigint as arrears_customers,
        coalesce(sum(arrears_bills), 0)::bigint as arrears_bills,
        group_target(target, billed) as target
    from keyed
    group by group_station, group_line, group_member
),

-- 'total' answers one row even for a scope with nothing in it: zeros, undefined rates
nothing_in_scope as (
    select
        null::varchar as station, null::varchar as line_of_member, null::varchar as member,
        0::bigint as accounts, 0::bigint as bills, 0::decimal(38, 2) as billed, 0::decimal(38, 2) as recovered,
        0::decimal(38, 2) as prior_opening, 0::decimal(38, 2) as prior_recovered,
        0::decimal(38, 2) as arrears, 0::decimal(38, 2) as arrears_current_year,
        0::decimal(38, 2) as arrears_prior_years, 0::bigint as arrears_customers,
        0::bigint as arrears_bills, null::double as target
    where group_by = 'total' and not exists (select 1 from grouped)
),

final as (
    select
        station,
        line_of_member,
        member,
        accounts,
        bills,
        billed,
        recovered,
        rate(recovered, billed) as recovery_rate,
        prior_opening,
        prior_recovered,
        rate(prior_recovered, prior_opening) as prior_recovery_rate,
        rate(recovered + prior_recovered, billed + prior_opening) as cumulative_rate,
        arrears,
        arrears_current_year,
        arrears_prior_years,
        arrears_customers,
        arrears_bills,
        target
    from (select * from grouped union all by name select * from nothing_in_scope)
    where group_by = 'total' or bills > 0 or arrears > 0 or prior_opening > 0
)
select * from final;

-- Personal data (DOMAIN: names and phones are masked wherever a page may be projected).
-- A person's name keeps its first and last character (张*明); an organisation's name
-- (large industry) is not personal data and stays whole.
create macro mask_name(name, category) as
    case
        when name is null then null
        when category = 'large_industry' then name
        when length(name) <= 1 then '*'
        when length(name) = 2 then left(name, 1) || '*'
        else left(name, 1) || repeat('*', length(name) - 2) || right(name, 1)
    end;

-- 18812348912 → 188****8912; other lengths keep only their last four digits.
create macro mask_phone(phone) as
    case
        when phone is null then null
        when length(phone) = 11 then left(phone, 3) || '****' || right(phone, 4)
        when length(phone) > 4 then repeat('*', length(phone) - 4) || right(phone, 4)
        else repeat('*', length(phone))
    end;

-- --- Collection operations (docs/DATA.md §6) -------------------------------------------------
-- Settings (queries/collections.toml) arrive as parameters: $penalty_rates, a list of
-- structs (effective_from, residential, current_year, cross_year, minimum), and $risk, a
-- struct of the risk-grade thresholds. Nothing here needs a rebuild when they change.

-- The penalty rate rows, each in force from its effective_from up to (not including) the
-- next row's effective_from (effective_until; null for the last row).
create macro penalty_rate_periods(rates) as table
with rows as (
    select unnest(rates, recursive := true)
)
select
    effective_from::date as effective_from,
    lead(effective_from::date) over (order by effective_from::date) as effective_until,
    residential::decimal(18, 9) as residential,
    current_year::decimal(18, 9) as current_year,
    cross_year::decimal(18, 9) as cross_year,
    minimum::decimal(18, 2) as minimum
from rows;

-- Σ of the daily penalty rates of the days due_on + 1 … as_of, in closed form: per rate row,
-- the days it is in force; for other categories than residential, split into the days in the
-- calendar year of the bill's month, bill_year (current_year rate; also a day before it, when
-- a due date lies before its bill month) and the days after it (cross_year rate).
-- `rate_rows`: the rows of penalty_rate_periods as a list; a day before the first carries none.
create macro penalty_rate_sum(due_on, bill_year, residential, as_of, rate_rows) as
    list_sum(list_transform(rate_rows, lambda r:
        case
            when residential
                then greatest(0, least(as_of::date, coalesce(r.effective_until - 1, as_of::date))
                                 - greatest(due_on + 1, r.effective_from) + 1) * r.residential
            else greatest(0, least(as_of::date, coalesce(r.effective_until - 1, as_of::date), make_date(bill_year, 12, 31))
                             - greatest(due_on + 1, r.effective_from) + 1) * r.current_year
               + greatest(0, least(as_of::date, coalesce(r.effective_until - 1, as_of::date))
                             - greatest(due_on + 1, r.effective_from, make_date(bill_year + 1, 1, 1)) + 1) * r.cross_year
        end));

-- Every issued, overdue bill in scope still owing at D (o = outstanding > 0) with its penalty
-- exposure (docs/DATA.md §6: what it would owe if paid at D): penalty = max(the minimum of the rate
-- row in force on D, round(o × Σ rates, 2)), in DECIMAL so that round takes halves away from
-- zero. Σ rates depends only on the due date, the bill's year and whether residential: it is
-- worked out once for each such combination, not once per bill.
create macro owing_bills(as_of, scope, rates) as table
with scope as (
    select seg_id, category from scoped_segments(scope)
),
rate_rows as (
    select
        list({'effective_from': effective_from, 'effective_until': effective_until, 'residential': residential,
              'current_year': current_year, 'cross_year': cross_year} order by effective_from) as rows,
        coalesce(max_by(minimum, effective_from) filter (where effective_from <= as_of), 0) as minimum
    from penalty_rate_periods(rates)
),
owing as (
    select
        p.customer_id, p.seg_id, p.bill_id, p.period, p.due_on, p.outstanding, s.category,
        year(p.period) as bill_year, s.category = 'residential' as residential,
        as_of::date - p.due_on as days_overdue
    from overdue_pieces as p
    join scope as s using (seg_id)
    where p.valid_from <= as_of and as_of < p.valid_to
),
rate_sums as (
    select
        k.due_on, k.bill_year, k.residential, r.minimum,
        penalty_rate_sum(k.due_on, k.bill_year, k.residential, as_of, r.rows)::decimal(18, 9) as rate_sum
    from (select distinct due_on, bill_year, residential from owing) as k
    cross join rate_rows as r
)
select
    o.customer_id, o.seg_id, o.bill_id, o.period, o.due_on, o.outstanding, o.category, o.days_overdue,
    s.rate_sum,
    greatest(s.minimum, round(o.outstanding::decimal(38, 2) * s.rate_sum, 2))::decimal(38, 2) as penalty
from owing as o
join rate_sums as s using (due_on, bill_year, residential);

-- Penalty exposure at D in total or per station, village, collector (within a station),
-- customer or bill: the penalty, how many bills carry one, the arrears it is reckoned on and
-- the longest days overdue; a bill's row also has its dates and Σ rates. penalty_exposure.sql
-- lists the groups, penalty_accounts.sql the customers or bills with their names.
create macro penalty_groups(as_of, scope, rates, group_by) as table
with penalties as (
    select p.*, s.station, s.village, s.meter_reader
    from owing_bills(as_of, scope, rates) as p
    join segments as s using (seg_id)
),
keyed as (
    select
        *,
        case when group_by <> 'total' then station end as group_station,
        case when group_by in ('village', 'customer', 'bill') then village end as group_village,
        case when group_by in ('collector', 'customer', 'bill') then meter_reader end as group_collector,
        case when group_by in ('customer', 'bill') then customer_id end as group_customer,
        case when group_by = 'bill' then bill_id end as group_bill
    from penalties
)
select
    group_station as station,
    group_village as village,
    group_collector as collector,
    group_customer as customer_id,
    group_bill as bill_id,
    -- a bill's own dates and summed daily rate (null for larger groups)
    case when group_by = 'bill' then any_value(period) end as period,
    case when group_by = 'bill' then any_value(due_on) end as due_on,
    case when group_by = 'bill' then any_value(rate_sum) end as rate_sum,
    max(days_overdue) as days_overdue,
    sum(outstanding) as arrears,
    sum(penalty) as penalty_exposure,
    count(*) as penalty_bills
from keyed
group by group_station, group_village, group_collector, group_customer, group_bill;

-- The risk grade (docs/DATA.md §6 default rule) is decided in two steps, so that a list can grade only
-- the customers it shows. risk_reason_at_once: the clauses that need no history, given a
-- customer's longest days overdue, arrears on bills of years before D's and arrears: the reason,
-- or null when the customer's history decides (thresholds from the $risk setting).
create macro risk_reason_at_once(days_overdue, arrears_prior_years, arrears, risk) as
    case
        when days_overdue > risk['high_days_overdue'] then 'high_overdue'
        when arrears_prior_years > 0 then 'high_prior_years'
        when arrears >= risk['high_arrears']::decimal(18, 2) then 'high_amount'
        when days_overdue > risk['medium_days_overdue'] then 'medium_overdue'
    end;

-- The history of the customers numbered in `customer_nos` (graded_customers.customer_no): their
-- bills of the 12 bill months before D's month issued by D, Σ amount (billed_12m), months with a
-- bill (months_12m, counted as bits: the window's month k is bit k, not DISTINCT) and how many
-- still owed on a due date before D (late_bills_12m). A customer without such bills has no row.
create macro risk_history(as_of, customer_nos) as table
select
    b.customer_no,
    sum(b.amount) as billed_12m,
    bit_count(bit_or(1::integer << (b.month_no - (year(as_of) * 12 + month(as_of) - 13))::integer)) as months_12m,
    count(*) filter (where b.owed_at_due and b.due_on < as_of) as late_bills_12m
from grading_bills as b
join (select unnest(customer_nos) as customer_no) as c using (customer_no)
where b.month_no between year(as_of) * 12 + month(as_of) - 13 and year(as_of) * 12 + month(as_of) - 2
  and b.issued_on <= as_of
group by b.customer_no;

-- A grade from its reason: 'high_overdue' → 'high'.
create macro grade_of_reason(reason) as split_part(reason, '_', 1);

-- The clauses that need the history (risk_history's figures; nulls: no bill in the window):
-- arrears ≥ multiple × billed ÷ months, without a rounded quotient; else late bills; else low.
create macro risk_reason_by_history(arrears, billed_12m, months_12m, late_bills_12m, risk) as
    case
        when months_12m > 0
             and arrears * months_12m >= risk['medium_average_bill_multiple']::decimal(18, 6) * billed_12m
            then 'medium_average_bill'
        when late_bills_12m >= risk['medium_late_bills'] then 'medium_late_bills'
        else 'low'
    end;

-- The risk grade at D of every customer in scope with arrears, with the first clause that holds
-- as its reason, and its penalty exposure. The history figures (billed_12m, months_12m,
-- average_monthly_bill: Σ amount ÷ months with a bill, late_bills_12m) are there for the
-- customers the rule reaches them for, null for the others.
create macro risk_grades(as_of, scope, risk, rates) as table
with owed as (
    select
        customer_id,
        any_value(seg_id) as seg_id,  -- a customer lies in one segment
        sum(outstanding) as arrears,
        coalesce(sum(outstanding) filter (where year(period) < year(as_of)), 0) as arrears_prior_years,
        count(*) as arrears_bills,
        max(days_overdue) as days_overdue,
        sum(penalty) as penalty_exposure
    from owing_bills(as_of, scope, rates)
    group by customer_id
),
decided as (
    select o.*, g.customer_no,
           risk_reason_at_once(o.days_overdue, o.arrears_prior_years, o.arrears, risk) as decided_reason
    from owed as o
    join graded_customers as g using (customer_id)
),
history as (
    select * from risk_history(as_of, (select list(customer_no) from decided where decided_reason is null))
),
graded as (
    select
        d.*,
        case when d.decided_reason is null then coalesce(h.billed_12m, 0) end as billed_12m,
        case when d.decided_reason is null then coalesce(h.months_12m, 0) end as months_12m,
        case when d.decided_reason is null then coalesce(h.late_bills_12m, 0) end as late_bills_12m,
        coalesce(d.decided_reason,
                 risk_reason_by_history(d.arrears, h.billed_12m, h.months_12m, h.late_bills_12m, risk)) as risk_reason
    from decided as d
    left join history as h using (customer_no)
)
select
    customer_id, customer_no, seg_id, arrears, arrears_prior_years, arrears_bills, days_overdue,
    penalty_exposure, billed_12m, months_12m,
    case when months_12m > 0 then round(billed_12m / months_12m, 2) end as average_monthly_bill,
    late_bills_12m,
    grade_of_reason(risk_reason) as risk_grade,
    risk_reason
from graded;

-- The payments in transit at D (在途, docs/DATA.md §6): paid by D and not posted by D, whatever the
-- year, each with its age, D − the day paid.
create macro payments_in_transit_at(as_of, scope) as table
select p.*, as_of::date - p.paid_at::date as age_days
from late_postings as p
where p.paid_at::date <= as_of
  and (p.posted_at is null or p.posted_at::date > as_of)
  and p.seg_id in (select seg_id from scoped_segments(scope));

-- Each instalment part (分次结算) of a bill in scope at D: upcoming when due after D; else
-- on_time when paid(b, due_on) had reached C_k (due_by_then: the plan's total due by that
-- day), late when paid(b, D) has, missed otherwise.
create macro instalment_statuses(as_of, scope) as table
with scope as (
    select seg_id from scoped_segments(scope)
),
paid_now as (  -- paid(b, D)
    select bill_id, arg_max(paid_to_date, posted_on) as paid
    from instalment_postings
    where posted_on <= as_of
    group by bill_id
)
select
    p.*,
    coalesce(n.paid, 0) as paid_now,
    case
        when p.due_on > as_of then 'upcoming'
        when p.paid_by_due >= p.due_by_then then 'on_time'
        when coalesce(n.paid, 0) >= p.due_by_then then 'late'
        else 'missed'
    end as status
from instalment_parts as p
left join paid_now as n using (bill_id)
where p.seg_id in (select seg_id from scope);

-- --- Key and high-energy accounts (重点客户, docs/DATA.md §6) ------------------------------

-- A key or high-energy account's name and phone as its lists show them: whole when asked for
-- ($show_personal); else an enterprise's name (large industry, high-energy) whole and a
-- person's masked, and every phone masked.
create macro listed_name(name, category, is_high_energy, show_personal) as
    case when show_personal or is_high_energy then name else mask_name(name, category) end;

create macro listed_phone(phone, show_personal) as
    case when show_personal then phone else mask_phone(phone) end;

-- How late each bill month of the key and high-energy accounts in scope was paid as of D (the
-- watch list, 关注名单): per customer and bill month that has a bill of a positive amount issued
-- and due by D, days_late = the most days any such bill of the month was paid in full after its
-- due date (0 when paid in full by it), or, for a bill still owing at D, D − due_on. A bill is
-- paid in full on the last posting day that took a positive balance to 0 (a reversal that
-- reopens it counts the day it is paid again). `only_customer`: one customer id, or null for all.
create macro bill_month_delays(as_of, scope, only_customer) as table
with scope as (
    select seg_id from scoped_segments(scope) where is_key_account or is_high_energy
),
bills as (
    select b.customer_id, b.seg_id, b.bill_id, b.period, b.due_on, b.amount
    from large_customer_bills as b
    where b.amount > 0 and b.issued_on <= as_of and b.due_on <= as_of
      and (only_customer is null or b.customer_id = only_customer)
      and b.seg_id in (select seg_id from scope)
),
settled as (
    select
        bill_id,
        arg_max(out_after, posted_on) as outstanding,
        max(posted_on) filter (where out_before > 0 and out_after = 0) as paid_in_full_on
    from large_customer_postings
    where posted_on <= as_of
      and bill_id in (select bill_id from bills)
    group by bill_id
),
late as (
    select
        b.customer_id, b.seg_id, b.period, b.due_on,
        case
            when coalesce(s.outstanding, b.amount) > 0 then as_of::date - b.due_on
            else greatest(0, s.paid_in_full_on - b.due_on)
        end as days_late,
        coalesce(s.outstanding, b.amount) > 0 as owing
    from bills as b
    left join settled as s using (bill_id)
)
select
    customer_id,
    any_value(seg_id) as seg_id,  -- a customer lies in one segment
    period,
    max(days_late) as days_late,
    bool_or(owing) as owing
from late
group by customer_id, period;
