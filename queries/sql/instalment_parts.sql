-- The parts of instalment plans (分次结算, docs/DATA.md §6) at $as_of, each upcoming, on_time,
-- late or missed (the macro instalment_statuses), with what was due and paid by when. Names
-- masked unless $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $scope (a Scope STRUCT)
with parts as (
    select * from instalment_statuses($as_of::date, $scope)
),

final as (
    select
        p.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        a.station, a.village, a.meter_reader as collector, a.is_key_account, a.is_high_energy,
        p.bill_id, p.period, p.bill_amount, p.due_on, p.amount, p.due_by_then,
        p.paid_by_due, p.paid_now, p.status
    from parts as p
    join accounts as a using (customer_id)
)

select * from final order by customer_id, bill_id, due_on
