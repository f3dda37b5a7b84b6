-- Posting (入账, docs/DATA.md §6) at $as_of: of the payments paid from 1 January of $as_of's year to
-- $as_of, how many, how many were posted the day they were paid, and the rate; and the
-- payments in transit at $as_of whatever the year (paid by then, not posted by then).
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

this_year as (
    select
        coalesce(sum(payments), 0)::bigint as payments,
        coalesce(sum(payments) filter (where posted_on = paid_on), 0)::bigint as posted_same_day
    from payment_days
    where paid_on between make_date(year($as_of::date), 1, 1) and $as_of
      and seg_id in (select seg_id from scope)
),

in_transit as (
    select
        count(*) as in_transit,
        coalesce(sum(amount), 0) as in_transit_amount,
        max(age_days) as in_transit_oldest_days
    from payments_in_transit_at($as_of::date, $scope)
),

final as (
    select
        t.payments,
        t.posted_same_day,
        rate(t.posted_same_day, t.payments) as same_day_posting_rate,
        i.in_transit,
        i.in_transit_amount,
        i.in_transit_oldest_days
    from this_year as t
    cross join in_transit as i
)

select * from final
