-- Each bill month of one account ($customer_id, when it is in scope) issued by $as_of: its
-- bills' amount and energy, the average price (元/kWh = amount ÷ kWh; null without energy), the
-- tariff of its largest bill, and how many days late the month was paid (the watch list's
-- days late, macro bill_month_delays, for a key or high-energy account; null for a month not
-- yet due). For a key, high-energy or large-industry account: the accounts whose bills are
-- kept one by one.
-- $as_of DATE, $customer_id VARCHAR, $scope (a Scope STRUCT)
with bills as (
    select b.*
    from large_customer_bills as b
    where b.customer_id = $customer_id
      and b.issued_on <= $as_of
      and b.seg_id in (select seg_id from scoped_segments($scope))
),

months as (
    select
        period,
        count(*) as bills,
        sum(amount) as amount,
        sum(kwh) as kwh,
        arg_max(tariff, amount) as tariff
    from bills
    group by period
),

delays as (
    select period, days_late, owing
    from bill_month_delays($as_of::date, $scope, $customer_id)
),

final as (
    select
        m.period,
        m.bills,
        m.amount,
        m.kwh,
        rate(m.amount, m.kwh) as price_per_kwh,
        m.tariff,
        d.days_late,
        d.owing
    from months as m
    left join delays as d using (period)
)

select * from final order by period
