-- Each day from $date_from to $date_to: collected (实收 applied to bills of any year on that
-- day, i.e. the drop in their outstanding), newly billed (bills issued that day), and
-- cash posted (all posted payments, prepayments included).
-- $date_from DATE, $date_to DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

collected as (
    select eff_date as day, -sum(delta) as collected
    from out_events
    where eff_date between $date_from and $date_to
      and seg_id in (select seg_id from scope)
    group by eff_date
),

issued as (
    select issued_on as day, sum(billed) as newly_billed, sum(bills)::bigint as new_bills
    from cohorts
    where issued_on between $date_from and $date_to
      and seg_id in (select seg_id from scope)
    group by issued_on
),

cash as (
    select posted_on as day, sum(amount) as cash_posted, sum(payments)::bigint as payments
    from postings_daily
    where posted_on between $date_from and $date_to
      and seg_id in (select seg_id from scope)
    group by posted_on
),

days as (
    select unnest(generate_series($date_from::date, $date_to::date, interval 1 day))::date as day
),

final as (
    select
        days.day,
        coalesce(c.collected, 0) as collected,
        coalesce(i.newly_billed, 0) as newly_billed,
        coalesce(i.new_bills, 0) as new_bills,
        coalesce(p.cash_posted, 0) as cash_posted,
        coalesce(p.payments, 0) as payments
    from days
    left join collected as c using (day)
    left join issued as i using (day)
    left join cash as p using (day)
)

select * from final order by day
