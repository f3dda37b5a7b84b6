-- The chase list (催费清单) at $as_of: every customer with arrears, its risk grade and the
-- clause that gave it (docs/DATA.md §6), arrears, days overdue, its last payment and channel,
-- collector and penalty exposure; highest grade first, then largest arrears. Names and phones
-- masked unless $show_personal. The history figures (average_monthly_bill, late_bills_12m)
-- are there for the customers the rule reached them for.
-- $as_of DATE, $show_personal BOOLEAN, $limit INTEGER (0 = all), $risk STRUCT and
-- $penalty_rates STRUCT[] (queries/collections.py: the settings), $scope (a Scope STRUCT)
with grades as (
    select *, case risk_grade when 'high' then 1 when 'medium' then 2 else 3 end as grade_order
    from risk_grades($as_of::date, $scope, $risk, $penalty_rates)
),

listed as (  -- the rows asked for, before the rest of each row is looked up
    select * from grades
    order by grade_order, arrears desc, customer_id
    limit (case when $limit > 0 then $limit end)
),

last_payment as (
    select customer_no, paid_at, amount, channel
    from last_payments
    where paid_on <= $as_of and $as_of < valid_to
),

final as (
    select
        g.customer_id,
        case when $show_personal then c.customer_name else mask_name(c.customer_name, c.category) end as customer_name,
        case when $show_personal then c.phone else mask_phone(c.phone) end as phone,
        c.station, c.village, c.line, c.transformer, c.category,
        c.meter_reader as collector, c.is_high_energy, c.is_key_account,
        g.risk_grade, g.risk_reason,
        g.arrears, g.arrears_prior_years, g.arrears_bills, g.days_overdue,
        g.average_monthly_bill, g.months_12m, g.late_bills_12m,
        l.paid_at as last_paid_at, l.amount as last_payment_amount, l.channel as last_payment_channel,
        g.penalty_exposure,
        g.grade_order
    from listed as g
    join graded_customers as c using (customer_no)
    left join last_payment as l using (customer_no)
)

select * exclude (grade_order) from final
order by grade_order, arrears desc, customer_id
