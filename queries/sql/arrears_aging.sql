-- Arrears at $as_of by days overdue (D − due_on): 1–30, 31–90, 91–180, 181–365, > 365.
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

buckets as (
    select * from (values
        (1, '1-30', 1, 30), (2, '31-90', 31, 90), (3, '91-180', 91, 180),
        (4, '181-365', 181, 365), (5, '>365', 366, 2147483647)
    ) as t(bucket_order, bucket, min_days, max_days)
),

overdue as (
    select p.customer_id, p.outstanding, ($as_of::date - p.due_on) as days_overdue
    from overdue_pieces as p
    where p.valid_from <= $as_of and $as_of < p.valid_to
      and p.seg_id in (select seg_id from scope)
),

final as (
    select
        b.bucket_order,
        b.bucket,
        coalesce(sum(o.outstanding), 0) as arrears,
        count(distinct o.customer_id) as arrears_customers,
        count(o.customer_id) as arrears_bills
    from buckets as b
    left join overdue as o on o.days_overdue between b.min_days and b.max_days
    group by b.bucket_order, b.bucket
)

select * from final order by bucket_order
