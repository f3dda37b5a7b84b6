-- Bills still owing at $as_of whose latest payment came through a bank but fell short of
-- the bill (the reminder list of DOMAIN step 3): what the bill asks (owed), what is posted by
-- $as_of (paid) and the shortfall; names and phones masked unless $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

short as (
    select p.*
    from overdue_pieces as p
    where p.valid_from <= $as_of and $as_of < p.valid_to
      and p.via_bank and p.paid_to_date > 0
      and p.seg_id in (select seg_id from scope)
),

final as (
    select
        s.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        case when $show_personal then a.phone else mask_phone(a.phone) end as phone,
        a.station, a.village, a.meter_reader as collector, a.category,
        -- owing and paid > 0, so the bill's amount is paid + outstanding exactly
        s.bill_id, s.period, s.paid_to_date + s.outstanding as owed, s.paid_to_date as paid,
        s.outstanding as shortfall,
        ($as_of::date - s.due_on) as days_overdue
    from short as s
    join accounts as a using (customer_id)
)

select * from final order by shortfall desc, customer_id, period
