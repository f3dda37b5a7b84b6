-- Arrears at $as_of (docs/DATA.md §3) in total or by station, village or 10 kV line: the
-- current-year and prior-year parts, accounts and bills; the arrears columns of
-- recovery_summary without its recovery figures, so the arrears page stays fast.
-- $as_of DATE, $group_by VARCHAR ('total' | 'station' | 'village' | 'line'), $scope (a Scope STRUCT)
with arrears as (
    select * from arrears_by_segment($as_of::date, $scope)
),

keyed as (
    select
        a.*,
        case when $group_by <> 'total' then s.station end as station,
        case $group_by when 'village' then s.village when 'line' then s.line end as member
    from arrears as a
    join segments as s using (seg_id)
),

grouped as (
    select
        station,
        member,
        sum(arrears) as arrears,
        sum(arrears_current_year) as arrears_current_year,
        sum(arrears_prior_years) as arrears_prior_years,
        -- a customer lies in exactly one segment, so counts add up across segments
        sum(arrears_customers)::bigint as arrears_customers,
        sum(arrears_bills)::bigint as arrears_bills
    from keyed
    group by station, member
),

-- 'total' always answers one row, also when nothing is owed
nothing_owed as (
    select
        null::varchar as station, null::varchar as member, 0::decimal(38, 2) as arrears,
        0::decimal(38, 2) as arrears_current_year, 0::decimal(38, 2) as arrears_prior_years,
        0::bigint as arrears_customers, 0::bigint as arrears_bills
    where $group_by = 'total' and not exists (select 1 from grouped)
),

final as (
    select * from grouped
    union all
    select * from nothing_owed
)

select * from final
order by station nulls last, member nulls last
