-- Payments in transit at $as_of (docs/DATA.md §6: paid by then, not posted by then, whatever the
-- year) by age, $as_of − the day paid: 0, 1, 2–3, 4–7, 8–30, > 30 days.
-- $as_of DATE, $scope (a Scope STRUCT)
with buckets as (
    select * from (values
        (1, '0', 0, 0), (2, '1', 1, 1), (3, '2-3', 2, 3), (4, '4-7', 4, 7), (5, '8-30', 8, 30),
        (6, '>30', 31, 2147483647)
    ) as t(bucket_order, bucket, min_days, max_days)
),

in_transit as (
    select age_days, amount from payments_in_transit_at($as_of::date, $scope)
),

final as (
    select
        b.bucket_order,
        b.bucket,
        count(t.age_days) as payments,
        coalesce(sum(t.amount), 0) as amount
    from buckets as b
    left join in_transit as t on t.age_days between b.min_days and b.max_days
    group by b.bucket_order, b.bucket
)

select * from final order by bucket_order
