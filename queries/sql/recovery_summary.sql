-- CONTRACT §3 figures of a scope, in total or grouped by station, village, line,
-- transformer, category or collector (a group with nothing to show is left out).
-- $as_of DATE, $year INTEGER, $group_by VARCHAR ('total' | 'station' | 'village' | 'line' |
-- 'transformer' | 'category' | 'collector'), scope: $stations, $villages, $lines,
-- $categories VARCHAR[], $high_energy_only, $key_accounts_only BOOLEAN
with metrics as (
    select m.*, s.station, s.village, s.line, s.transformer, s.category, s.meter_reader,
           coalesce(t.target, 1.0) as target
    from recovery_by_segment($as_of, $year, $stations, $villages, $lines, $categories,
                             $high_energy_only, $key_accounts_only) as m
    join segments as s using (seg_id)
    left join station_targets($year) as t using (station)
),

keyed as (
    select
        *,
        case when $group_by in ('station', 'village', 'line', 'transformer', 'collector') then station end as group_station,
        case $group_by
            when 'village' then village
            when 'line' then line
            when 'transformer' then transformer
            when 'category' then category
            when 'collector' then meter_reader
        end as group_member,
        case $group_by when 'transformer' then line end as group_line
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
    where $group_by = 'total' and not exists (select 1 from grouped)
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
    where $group_by = 'total' or bills > 0 or arrears > 0 or prior_opening > 0
)

select * from final
order by station nulls last, line_of_member nulls last, member nulls last
