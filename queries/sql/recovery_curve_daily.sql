-- The year's cumulative recovery curve: for each day from 1 January of $year to $as_of,
-- the billed and recovered of $year's bills as of that day, and their rate.
-- $as_of DATE, $year INTEGER, scope: $stations, $villages, $lines, $categories VARCHAR[],
-- $high_energy_only, $key_accounts_only BOOLEAN
with scope as (
    select seg_id from scoped_segments($stations, $villages, $lines, $categories, $high_energy_only, $key_accounts_only)
),

issued as (
    select issued_on as day, sum(billed) as billed, sum(out_open) as unpaid_change
    from cohorts
    where period between make_date($year, 1, 1) and make_date($year, 12, 31)
      and issued_on <= $as_of
      and seg_id in (select seg_id from scope)
    group by issued_on
),

settled as (
    select eff_date as day, 0 as billed, sum(delta) as unpaid_change
    from out_events
    where period between make_date($year, 1, 1) and make_date($year, 12, 31)
      and eff_date <= $as_of
      and seg_id in (select seg_id from scope)
    group by eff_date
),

running as (
    select
        day,
        sum(sum(billed)) over (order by day) as billed,
        sum(sum(unpaid_change)) over (order by day) as unpaid
    from (select * from issued union all select * from settled)
    group by day
),

days as (
    select unnest(generate_series(make_date($year, 1, 1),
                                  least($as_of, make_date($year, 12, 31)),
                                  interval 1 day))::date as day
),

final as (
    select
        days.day,
        coalesce(r.billed, 0) as billed,
        coalesce(r.billed, 0) - coalesce(r.unpaid, 0) as recovered,
        rate(coalesce(r.billed, 0) - coalesce(r.unpaid, 0), coalesce(r.billed, 0)) as recovery_rate
    from days
    asof left join running as r on days.day >= r.day
)

select * from final order by day
