-- The definitions of CONTRACT §3, written once; every question file builds on these.
-- Stored with the rollups, so a question sees them on a read-only connection.
-- A scope is one STRUCT value (queries/extract.py: Scope), bound once as $scope and read
-- here alone: scoped_segments is the only place that knows its fields. Macros pass the
-- value down (not a list of segments), so each filters with a plain semi-join that DuckDB
-- plans as a hash join.

-- A rate; null where the denominator is 0 (CONTRACT §3).
create macro rate(numerator, denominator) as
    case when denominator is null or denominator = 0 then null
         else numerator::double / denominator::double end;

-- The segments of a scope. Empty lists mean "no filter"; '' stands for a null village/line.
create macro scoped_segments(scope) as table
select *
from segments
where (len(scope['stations']) = 0 or list_contains(scope['stations'], station))
  and (len(scope['villages']) = 0 or list_contains(scope['villages'], coalesce(village, '')))
  and (len(scope['lines']) = 0 or list_contains(scope['lines'], coalesce(line, '')))
  and (len(scope['categories']) = 0 or list_contains(scope['categories'], category))
  and (len(scope['collectors']) = 0 or list_contains(scope['collectors'], coalesce(meter_reader, '')))
  and (not scope['high_energy_only'] or is_high_energy)
  and (not scope['key_accounts_only'] or is_key_account);

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

-- Every additive figure of CONTRACT §3 per segment of a scope, for year yr as of as_of.
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

-- Each station's target for a year (CONTRACT §2: 1.0 where none is set).
create macro station_targets(yr) as table
select station, max(recovery_target) as target
from targets
where year = yr
group by station;

-- CONTRACT §3 figures of a scope in total or per group (station, village, line,
-- transformer, category or collector), with each group's target; a group with nothing to
-- show is left out, and 'total' answers one row even for an empty scope.
-- recovery_summary.sql lists these; ranking.sql ranks them.
create macro recovery_groups(as_of, yr, group_by, scope) as table
with metrics as (
    select m.*, s.station, s.village, s.line, s.transformer, s.category, s.meter_reader,
           coalesce(t.target, 1.0) as target
    from recovery_by_segment(as_of, yr, scope) as m
    join segments as s using (seg_id)
    left join station_targets(yr) as t using (station)
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
        end as group_member,
        case group_by when 'transformer' then line end as group_line
    from metrics
),

grouped as (
    select
        group_station as station,
        group_line as line_of_member,
        group_member as member,
        sum(bills)::bigint as bills,
        sum(billed) as billed,
        sum(recovered) as recovered,
        sum(prior_opening) as prior_opening,
        sum(prior_recovered) as prior_recovered,
        sum(arrears) as arrears,
        sum(arrears_current_year) as arrears_current_year,
        sum(arrears_prior_years) as arrears_prior_years,
        sum(arrears_customers)::bigint as arrears_customers,
        sum(arrears_bills)::bigint as arrears_bills,
        -- the rate the scope reaches if each station meets its own target: a target as set
        -- when the group has one, else the billed-weighted mix (to 6 decimals, so a float
        -- quotient like 0.99989999… never truncates to 99.98 %)
        case
            when min(target) = max(target) then min(target)
            else coalesce(round(rate(sum(target::decimal(18, 6) * billed), sum(billed)), 6), min(target))
        end as target
    from keyed
    group by group_station, group_line, group_member
),

-- 'total' answers one row even for a scope with nothing in it: zeros, undefined rates
nothing_in_scope as (
    select
        null::varchar as station, null::varchar as line_of_member, null::varchar as member,
        0::bigint as bills, 0::decimal(38, 2) as billed, 0::decimal(38, 2) as recovered,
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
