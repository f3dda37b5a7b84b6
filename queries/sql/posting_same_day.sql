-- Same-day posting (docs/DATA.md §6) of the payments paid from 1 January of $as_of's year to
-- $as_of, in total or by channel, station, collector (within a station) or month paid: how
-- many, how many were posted the day they were paid, the rate, and the amount paid.
-- $as_of DATE, $group_by VARCHAR ('total' | 'channel' | 'station' | 'collector' | 'month'), $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

paid as (
    select d.*, s.station, s.meter_reader
    from payment_days as d
    join segments as s using (seg_id)
    where d.paid_on between make_date(year($as_of::date), 1, 1) and $as_of
      and d.seg_id in (select seg_id from scope)
),

keyed as (
    select
        *,
        case when $group_by in ('station', 'collector') then station end as group_station,
        case $group_by when 'channel' then channel when 'collector' then meter_reader end as member,
        case when $group_by = 'month' then date_trunc('month', paid_on)::date end as paid_month
    from paid
),

grouped as (
    select
        group_station as station,
        member,
        paid_month,
        sum(payments)::bigint as payments,
        coalesce(sum(payments) filter (where posted_on = paid_on), 0)::bigint as posted_same_day,
        sum(amount) as amount
    from keyed
    group by group_station, member, paid_month
),

-- 'total' always answers one row, also when nothing was paid
nothing_paid as (
    select null::varchar as station, null::varchar as member, null::date as paid_month,
           0::bigint as payments, 0::bigint as posted_same_day, 0::decimal(38, 2) as amount
    where $group_by = 'total' and not exists (select 1 from grouped)
),

final as (
    select
        station, member, paid_month, payments, posted_same_day,
        rate(posted_same_day, payments) as same_day_posting_rate,
        amount
    from (select * from grouped union all select * from nothing_paid)
)

select * from final
order by station nulls last, member nulls last, paid_month
