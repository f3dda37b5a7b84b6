-- Customers with arrears at $as_of, their arrears and penalty exposure per risk grade (风险等级,
-- docs/DATA.md §6), in total or per station, village or collector (within a station); each group
-- lists every grade, with zeros.
-- $as_of DATE, $group_by VARCHAR ('total' | 'station' | 'village' | 'collector'), $risk STRUCT
-- and $penalty_rates STRUCT[] (queries/collections.py: the settings), $scope (a Scope STRUCT)
with grades as (
    select g.*, s.station, s.village, s.meter_reader
    from risk_grades($as_of::date, $scope, $risk, $penalty_rates) as g
    join segments as s using (seg_id)
),

keyed as (
    select
        *,
        case when $group_by <> 'total' then station end as group_station,
        case $group_by when 'village' then village when 'collector' then meter_reader end as member
    from grades
),

counted as (
    select group_station as station, member, risk_grade,
           count(*) as customers, sum(arrears) as arrears, sum(penalty_exposure) as penalty_exposure
    from keyed
    group by group_station, member, risk_grade
),

groups as (
    select distinct station, member from counted
    union
    select null, null where $group_by = 'total'
),

grade_order as (
    select * from (values (1, 'high'), (2, 'medium'), (3, 'low')) as t(grade_order, risk_grade)
),

final as (
    select
        g.station,
        g.member,
        o.risk_grade,
        coalesce(c.customers, 0) as customers,
        coalesce(c.arrears, 0) as arrears,
        coalesce(c.penalty_exposure, 0) as penalty_exposure,
        o.grade_order
    from groups as g
    cross join grade_order as o
    left join counted as c
      on c.station is not distinct from g.station
     and c.member is not distinct from g.member
     and c.risk_grade = o.risk_grade
)

select * from final
order by station nulls last, member nulls last, grade_order
