-- How long posting took (docs/DATA.md §6: posted day − paid day, in days) for the payments paid
-- from 1 January of $as_of's year to $as_of and posted by $as_of: payments and amount per
-- number of days (0 = the same day).
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

posted as (
    select posted_on - paid_on as latency_days, payments, amount
    from payment_days
    where paid_on between make_date(year($as_of::date), 1, 1) and $as_of
      and posted_on <= $as_of
      and seg_id in (select seg_id from scope)
),

final as (
    select latency_days, sum(payments)::bigint as payments, sum(amount) as amount
    from posted
    group by latency_days
)

select * from final order by latency_days
