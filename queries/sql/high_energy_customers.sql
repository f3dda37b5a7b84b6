-- One row per high-energy customer in scope: this month's bill (latest bill month issued by
-- $as_of), energy and price, the last 12 months' amounts (for a sparkline), the year's
-- totals and the arrears and days overdue at $as_of. High-energy customers are enterprises:
-- their names are not personal data and are not masked.
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

customers as (
    select a.*
    from accounts as a
    where a.is_high_energy and a.seg_id in (select seg_id from scope)
),

bills as (
    select b.*
    from large_customer_bills as b
    join customers using (customer_id)
    where b.issued_on <= $as_of
),

latest_month as (
    select customer_id, max(period) as period from bills group by customer_id
),

this_month as (
    select b.customer_id, b.period, sum(b.amount) as amount, sum(b.kwh) as kwh
    from bills as b join latest_month using (customer_id, period)
    group by b.customer_id, b.period
),

history as (
    select customer_id, period, sum(amount) as amount
    from bills
    where period > date_trunc('month', $as_of::date) - interval 12 month
    group by customer_id, period
),

trend as (
    select customer_id, list(amount::double order by period) as amounts_12m
    from history group by customer_id
),

this_year as (
    select customer_id, sum(amount) as amount_ytd, sum(kwh) as kwh_ytd
    from bills where year(period) = year($as_of::date)
    group by customer_id
),

owed as (
    select customer_id, sum(outstanding) as arrears, max($as_of::date - due_on) as days_overdue
    from overdue_pieces
    where valid_from <= $as_of and $as_of < valid_to
      and customer_id in (select customer_id from customers)
    group by customer_id
),

final as (
    select
        c.customer_id,
        c.customer_name,
        c.industry, c.station, c.line, c.is_key_account,
        m.period as latest_period,
        m.amount as latest_amount,
        m.kwh as latest_kwh,
        rate(m.amount, m.kwh) as latest_price_per_kwh,
        t.amounts_12m,
        y.amount_ytd,
        y.kwh_ytd,
        coalesce(o.arrears, 0) as arrears,
        coalesce(o.days_overdue, 0) as days_overdue
    from customers as c
    left join this_month as m using (customer_id)
    left join trend as t using (customer_id)
    left join this_year as y using (customer_id)
    left join owed as o using (customer_id)
)

select * from final order by arrears desc, latest_amount desc nulls last, customer_id
