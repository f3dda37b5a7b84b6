-- Payments by channel over time (docs/DATA.md §6: by their customer's scope, with or without a
-- bill, by the day paid): how many and their amount per channel, per month of $as_of's year up
-- to $as_of, or, given $month (the 1st of a month), per day of that month up to $as_of.
-- $as_of DATE, $month DATE (null: the months of the year), $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

span as (
    select
        coalesce($month::date, make_date(year($as_of::date), 1, 1)) as day_from,
        least($as_of::date, coalesce(last_day($month::date), $as_of::date)) as day_to
),

paid as (
    select
        case when $month is null then date_trunc('month', d.paid_on)::date else d.paid_on end as period,
        d.channel, d.payments, d.amount
    from payment_days as d
    where d.paid_on between (select day_from from span) and (select day_to from span)
      and d.seg_id in (select seg_id from scope)
),

final as (
    select period, channel, sum(payments)::bigint as payments, sum(amount) as amount
    from paid
    group by period, channel
)

select * from final order by period, channel
