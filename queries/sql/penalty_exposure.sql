-- Penalty exposure (违约金敞口, docs/DATA.md §6) at $as_of: what the arrears would owe if paid that
-- day, in total or per station, village, collector (within a station), customer or bill: the
-- penalty, how many bills carry one, and the arrears it is reckoned on.
-- $as_of DATE, $group_by VARCHAR ('total' | 'station' | 'village' | 'collector' | 'customer' | 'bill'),
-- $penalty_rates STRUCT[] (queries/collections.py: the settings' rate rows), $scope (a Scope STRUCT)
with grouped as (
    select * from penalty_groups($as_of::date, $scope, $penalty_rates, $group_by)
),

-- 'total' always answers one row, also when nothing is owed
nothing_owed as (
    select null::varchar as station, null::varchar as village, null::varchar as collector,
           null::varchar as customer_id, null::varchar as bill_id, null::date as period,
           null::date as due_on, null::decimal(18, 9) as rate_sum, null::bigint as days_overdue,
           0::decimal(38, 2) as arrears, 0::decimal(38, 2) as penalty_exposure, 0::bigint as penalty_bills
    where $group_by = 'total' and not exists (select 1 from grouped)
),

final as (
    select * from grouped
    union all
    select * from nothing_owed
)

select * from final
order by penalty_exposure desc, station nulls last, village nulls last, collector nulls last,
         customer_id nulls last, bill_id nulls last
