-- One row per key (重点客户) or high-energy account in scope at $as_of (docs/DATA.md §6): this
-- month's bill (the account's latest bill month issued by $as_of), paid so far and outstanding
-- on it, its due date and the days to it (on or before it) or overdue (after it, still owing);
-- its arrears; its last payment (the latest of a positive amount paid by $as_of); and its
-- instalment plan: parts, the next part due after $as_of and parts per status. Names of
-- persons and every phone masked unless $show_personal; enterprises (large industry,
-- high-energy) keep their names.
-- $as_of DATE, $show_personal BOOLEAN, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope) where is_key_account or is_high_energy
),

customers as (
    select a.*
    from accounts as a
    where a.seg_id in (select seg_id from scope)
),

bills as (
    select b.*
    from large_customer_bills as b
    where b.seg_id in (select seg_id from scope)
      and b.issued_on <= $as_of
),

latest_month as (
    select customer_id, max(period) as period from bills group by customer_id
),

this_month_bills as (
    select b.customer_id, b.bill_id, b.period, b.due_on, b.amount
    from bills as b
    join latest_month using (customer_id, period)
),

paid_now as (  -- paid(b, D) of those bills
    select bill_id, arg_max(paid_to_date, posted_on) as paid
    from large_customer_postings
    where posted_on <= $as_of
      and bill_id in (select bill_id from this_month_bills)
    group by bill_id
),

this_month as (
    select
        b.customer_id,
        any_value(b.period) as period,
        sum(b.amount) as amount,
        -- recovered(b, D) and outstanding(b, D) of docs/DATA.md §3, bill by bill
        sum(b.amount - greatest(0, b.amount - greatest(0, coalesce(p.paid, 0)))) as paid,
        sum(greatest(0, b.amount - greatest(0, coalesce(p.paid, 0)))) as outstanding,
        coalesce(min(b.due_on) filter (where b.amount > 0), min(b.due_on)) as due_on
    from this_month_bills as b
    left join paid_now as p using (bill_id)
    group by b.customer_id
),

owed as (
    select customer_id, sum(outstanding) as arrears, count(*) as arrears_bills
    from overdue_pieces
    where valid_from <= $as_of and $as_of < valid_to
      and seg_id in (select seg_id from scope)
    group by customer_id
),

last_payment as (
    select customer_id, paid_at, amount, channel
    from large_customer_last_payments
    where paid_on <= $as_of and $as_of < valid_to
      and customer_id in (select customer_id from customers)
),

parts as (
    select p.*
    from instalment_statuses($as_of::date, $scope) as p
    where p.seg_id in (select seg_id from scope)
),

next_part as (  -- the parts due on the first day after $as_of that has one (of any of its bills)
    select customer_id, due_on, sum(amount) as amount
    from parts
    where status = 'upcoming'
    group by customer_id, due_on
    qualify due_on = min(due_on) over (partition by customer_id)
),

plan as (
    select
        customer_id,
        count(*) as plan_parts,
        count(*) filter (where status = 'upcoming') as parts_upcoming,
        count(*) filter (where status = 'on_time') as parts_on_time,
        count(*) filter (where status = 'late') as parts_late,
        count(*) filter (where status = 'missed') as parts_missed
    from parts
    group by customer_id
),

final as (
    select
        c.customer_id,
        listed_name(c.customer_name, c.category, c.is_high_energy, $show_personal) as customer_name,
        listed_phone(c.phone, $show_personal) as phone,
        c.station, c.village, c.meter_reader as collector, c.category, c.industry,
        c.is_key_account, c.is_high_energy,
        m.period,
        m.amount,
        m.paid,
        m.outstanding,
        m.due_on,
        case when $as_of <= m.due_on then m.due_on - $as_of::date end as days_to_due,
        case when $as_of > m.due_on and m.outstanding > 0 then $as_of::date - m.due_on end as days_overdue,
        case
            when m.period is null then null
            when m.outstanding = 0 then 'paid'
            when $as_of <= m.due_on then 'due'
            else 'overdue'
        end as bill_status,
        coalesce(o.arrears, 0) as arrears,
        coalesce(o.arrears_bills, 0) as arrears_bills,
        l.paid_at as last_paid_at,
        l.amount as last_payment_amount,
        l.channel as last_payment_channel,
        coalesce(n.plan_parts, 0) as plan_parts,
        x.due_on as next_part_due_on,
        x.amount as next_part_amount,
        coalesce(n.parts_upcoming, 0) as parts_upcoming,
        coalesce(n.parts_on_time, 0) as parts_on_time,
        coalesce(n.parts_late, 0) as parts_late,
        coalesce(n.parts_missed, 0) as parts_missed
    from customers as c
    left join this_month as m using (customer_id)
    left join owed as o using (customer_id)
    left join last_payment as l using (customer_id)
    left join plan as n using (customer_id)
    left join next_part as x using (customer_id)
)

select * from final
order by arrears desc, outstanding desc nulls last, amount desc nulls last, customer_id
