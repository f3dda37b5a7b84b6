-- docs/DATA.md §3 figures of a scope, in total or grouped by station, village, line,
-- transformer, category or collector (a group with nothing to show is left out).
-- $as_of DATE, $year INTEGER, $group_by VARCHAR ('total' | 'station' | 'village' | 'line' |
-- 'transformer' | 'category' | 'collector'), $scope (a Scope STRUCT)
with groups as (
    select * from recovery_groups($as_of, $year, $group_by, $scope)
)

select * from groups
order by station nulls last, line_of_member nulls last, member nulls last
