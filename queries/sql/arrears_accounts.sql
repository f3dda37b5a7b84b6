-- The accounts with arrears at $as_of, largest first, with the attributes a collector
-- chases by and the risk grade (风险等级, docs/DATA.md §6) with the clause that gave it; only the
-- grades in $grades (none: every grade). Names and phones masked unless $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $limit INTEGER (0 = all), $grades VARCHAR[] ('high' |
-- 'medium' | 'low'), $risk STRUCT (queries/collections.py: the settings), $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

owed as (
    select
        p.customer_id,
        sum(p.outstanding) as arrears,
        coalesce(sum(p.outstanding) filter (where year(p.period) = year($as_of::date)), 0) as arrears_current_year,
        coalesce(sum(p.outstanding) filter (where year(p.period) < year($as_of::date)), 0) as arrears_prior_years,
        count(*) as arrears_bills,
        min(p.period) as oldest_period,
        max($as_of::date - p.due_on) as days_overdue
    from overdue_pieces as p
    where p.valid_from <= $as_of and $as_of < p.valid_to
      and p.seg_id in (select seg_id from scope)
    group by p.customer_id
),

decided as (  -- the grade's clauses that need no history
    select *, risk_reason_at_once(days_overdue, arrears_prior_years, arrears, $risk) as decided_reason
    from owed
),

-- Without a grade filter only the rows asked for are graded: the largest $limit (a whole branch
-- owes on hundreds of thousands of accounts). With one, every account that may hold a chosen
-- grade is: decided in it, or left to its history when 中 or 低 is chosen.
candidates as (
    select d.*, g.customer_no
    from (
        select * from decided
        where len($grades::varchar[]) = 0
           or list_contains($grades::varchar[], grade_of_reason(decided_reason))
           or (decided_reason is null and list_has_any($grades::varchar[], ['medium', 'low']))
        order by arrears desc, customer_id
        limit (case when $limit > 0 and len($grades::varchar[]) = 0 then $limit end)
    ) as d
    join graded_customers as g using (customer_id)
),

history as (
    select * from risk_history($as_of::date, (select list(customer_no) from candidates where decided_reason is null))
),

graded as (
    select
        c.*,
        case when c.decided_reason is null then coalesce(h.months_12m, 0) end as months_12m,
        case when c.decided_reason is null and h.months_12m > 0 then round(h.billed_12m / h.months_12m, 2) end
            as average_monthly_bill,
        case when c.decided_reason is null then coalesce(h.late_bills_12m, 0) end as late_bills_12m,
        coalesce(c.decided_reason,
                 risk_reason_by_history(c.arrears, h.billed_12m, h.months_12m, h.late_bills_12m, $risk)) as risk_reason
    from candidates as c
    left join history as h using (customer_no)
),

listed as (
    select *, grade_of_reason(risk_reason) as risk_grade
    from graded
    where len($grades::varchar[]) = 0 or list_contains($grades::varchar[], grade_of_reason(risk_reason))
    order by arrears desc, customer_id
    limit (case when $limit > 0 then $limit end)
),

final as (
    select
        l.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        case when $show_personal then a.phone else mask_phone(a.phone) end as phone,
        a.station, a.village, a.line, a.transformer, a.category,
        a.meter_reader as collector, a.is_high_energy, a.is_key_account, a.industry,
        l.arrears, l.arrears_current_year, l.arrears_prior_years, l.arrears_bills,
        l.oldest_period, l.days_overdue,
        l.risk_grade, l.risk_reason, l.average_monthly_bill, l.months_12m, l.late_bills_12m
    from listed as l
    join accounts as a using (customer_id)
)

select * from final
order by arrears desc, customer_id
