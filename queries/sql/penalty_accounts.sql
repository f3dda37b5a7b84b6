-- The customers (or bills) carrying a penalty exposure at $as_of (docs/DATA.md §6), largest penalty
-- first, with the attributes a collector chases by; names and phones masked unless
-- $show_personal. The figures are penalty_exposure.sql's (both read the macro penalty_groups).
-- $as_of DATE, $group_by VARCHAR ('customer' | 'bill'), $show_personal BOOLEAN, $limit INTEGER (0 = all),
-- $penalty_rates STRUCT[] (queries/collections.py: the settings' rate rows), $scope (a Scope STRUCT)
with grouped as (
    select * from penalty_groups($as_of::date, $scope, $penalty_rates, $group_by)
),

-- the first $limit before the attributes are joined: a whole branch owes on many accounts
top as (
    select * from grouped
    order by penalty_exposure desc, customer_id, bill_id
    limit (case when $limit > 0 then $limit end)
),

final as (
    select
        g.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        case when $show_personal then a.phone else mask_phone(a.phone) end as phone,
        g.station, g.village, g.collector, a.category,
        g.bill_id, g.period, g.due_on, g.rate_sum, g.days_overdue, g.arrears, g.penalty_exposure, g.penalty_bills
    from top as g
    join accounts as a using (customer_id)
)

select * from final
order by penalty_exposure desc, customer_id, bill_id
