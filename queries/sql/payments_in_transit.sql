-- Payments paid by $as_of but not posted by then (在途), oldest first; names masked unless
-- $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

in_transit as (
    select p.*
    from late_postings as p
    where p.paid_at::date <= $as_of
      and (p.posted_at is null or p.posted_at::date > $as_of)
      and p.seg_id in (select seg_id from scope)
),

final as (
    select
        t.payment_id, t.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        a.station, a.village, a.meter_reader as collector,
        t.bill_id, t.channel, t.paid_at, t.posted_at, t.amount,
        ($as_of::date - t.paid_at::date) as days_in_transit
    from in_transit as t
    join accounts as a using (customer_id)
)

select * from final order by paid_at, payment_id
