-- Penalty exposure (违约金敞口, CONTRACT §6) at $as_of: what the arrears would owe if paid that
-- day, in total or per station, village, collector (within a station), customer or bill: the
-- penalty, how many bills carry one, and the arrears it is reckoned on.
-- $as_of DATE, $group_by VARCHAR ('total' | 'station' | 'village' | 'collector' | 'customer' | 'bill'),
-- $penalty_rates STRUCT[] (queries/collections.py: the settings' rate rows), $scope (a Scope STRUCT)
with penalties as (
    select p.*, s.station, s.village, s.meter_reader
    from owing_bills($as_of::date, $scope, $penalty_rates) as p
    join segments as s using (seg_id)
),

keyed as (
    select
        *,
        case when $group_by <> 'total' then station end as group_station,
        case when $group_by in ('village', 'customer', 'bill') then village end as group_village,
        case when $group_by in ('collector', 'customer', 'bill') then meter_reader end as group_collector,
        case when $group_by in ('customer', 'bill') then customer_id end as group_customer,
        case when $group_by = 'bill' then bill_id end as group_bill
    from penalties
),

grouped as (
    select
        group_station as station,
        group_village as village,
        group_collector as collector,
        group_customer as customer_id,
        group_bill as bill_id,
        -- a bill's own dates and summed daily rate (null for larger groups)
        case when $group_by = 'bill' then any_value(period) end as period,
        case when $group_by = 'bill' then any_value(due_on) end as due_on,
        case when $group_by = 'bill' then any_value(rate_sum) end as rate_sum,
        max(days_overdue) as days_overdue,
        sum(outstanding) as arrears,
        sum(penalty) as penalty_exposure,
        count(*) as penalty_bills
    from keyed
    group by group_station, group_village, group_collector, group_customer, group_bill
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
