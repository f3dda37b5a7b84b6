-- Any grouping ranked for a meeting: each group's docs/DATA.md §3 figures at $as_of, its gap to
-- target and its change since the day before, in the one order every page, report and
-- deck uses: recovery rate high to low (undefined last), then arrears high to low, then name.
-- Gaps and rate changes are in percentage points. rank is the place among all groups of the
-- scope; rank_in_station, for a group within a station (village, line, transformer,
-- collector), the place among that station's groups, in the same order.
-- $as_of DATE, $year INTEGER, $group_by VARCHAR ('total' | 'station' | 'village' | 'line' |
-- 'transformer' | 'category' | 'collector'), $scope (a Scope STRUCT)
with today as (
    select * from recovery_groups($as_of, $year, $group_by, $scope)
),

day_before as (
    select * from recovery_groups($as_of::date - 1, $year, $group_by, $scope)
),

compared as (
    select
        t.*,
        (t.recovery_rate - t.target) * 100 as gap_to_target,
        (t.recovery_rate - b.recovery_rate) * 100 as rate_change,
        t.arrears - coalesce(b.arrears, 0) as arrears_change,
        t.arrears_customers - coalesce(b.arrears_customers, 0) as arrears_customers_change
    from today as t
    left join day_before as b
      on t.station is not distinct from b.station
     and t.line_of_member is not distinct from b.line_of_member
     and t.member is not distinct from b.member
),

final as (
    select
        row_number() over (
            order by recovery_rate desc nulls last, arrears desc,
                     station nulls last, line_of_member nulls last, member nulls last
        ) as rank,
        case when $group_by in ('village', 'line', 'transformer', 'collector') then row_number() over (
            partition by station
            order by recovery_rate desc nulls last, arrears desc, line_of_member nulls last, member nulls last
        ) end as rank_in_station,
        *
    from compared
)

select * from final
order by rank
