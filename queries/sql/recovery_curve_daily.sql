-- The cumulative recovery curve of the bills of months $period_from … $period_to (a year:
-- January … December; a month: that month alone): for each day from $period_from to the
-- last day of $period_to (or $as_of, if earlier), their billed and recovered as of that day.
-- $as_of DATE, $period_from DATE, $period_to DATE (1st of a month), $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

issued as (
    select issued_on as day, sum(billed) as billed, sum(out_open) as unpaid_change
    from cohorts
    where period between $period_from and $period_to
      and issued_on <= $as_of
      and seg_id in (select seg_id from scope)
    group by issued_on
),

settled as (
    select eff_date as day, 0 as billed, sum(delta) as unpaid_change
    from out_events
    where period between $period_from and $period_to
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
    select unnest(generate_series($period_from::date,
                                  least($as_of::date, last_day($period_to::date)),
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
