-- The watch list (关注名单) at $as_of: the key and high-energy accounts in scope whose payments
-- are slipping (docs/DATA.md §6): in each of their latest $watch.rises bill months due by
-- $as_of, the month was paid later after its due date than the bill month before it by at
-- least $watch.min_rise_days days (days late: the macro bill_month_delays). Each with those
-- months and their days late, oldest first, the latest month's, and its arrears; the latest
-- most late first. Names of persons and phones masked unless $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $watch STRUCT (queries/collections.py: the settings),
-- $scope (a Scope STRUCT)
with recent as (  -- each account's latest rises + 1 bill months
    select *
    from bill_month_delays($as_of::date, $scope, null)
    qualify row_number() over (partition by customer_id order by period desc) <= $watch['rises'] + 1
),

compared as (  -- each of them but the first with the month before it
    select *, lag(days_late) over (partition by customer_id order by period) as days_late_before
    from recent
),

judged as (
    select
        customer_id,
        count(*) as months,
        count(*) filter (where days_late - days_late_before >= $watch['min_rise_days']) as rises,
        list(period order by period) as periods,
        list(days_late order by period) as days_late_by_month,
        max(period) as latest_period,
        arg_max(days_late, period) as latest_days_late,
        arg_max(owing, period) as latest_owing
    from compared
    group by customer_id
),

slipping as (
    select * from judged
    where months = $watch['rises'] + 1 and rises = $watch['rises']
),

owed as (
    select customer_id, sum(outstanding) as arrears
    from overdue_pieces
    where valid_from <= $as_of and $as_of < valid_to
      and customer_id in (select customer_id from slipping)
    group by customer_id
),

final as (
    select
        s.customer_id,
        listed_name(a.customer_name, a.category, a.is_high_energy, $show_personal) as customer_name,
        listed_phone(a.phone, $show_personal) as phone,
        a.station, a.village, a.meter_reader as collector, a.category, a.industry,
        a.is_key_account, a.is_high_energy,
        s.periods,
        s.days_late_by_month,
        s.latest_period,
        s.latest_days_late,
        s.latest_owing,
        coalesce(o.arrears, 0) as arrears
    from slipping as s
    join accounts as a using (customer_id)
    left join owed as o using (customer_id)
)

select * from final
order by latest_days_late desc, arrears desc, customer_id
