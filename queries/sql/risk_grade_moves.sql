-- How risk grades (docs/DATA.md §6) moved from the end of last month to $as_of: customers per
-- grade then and grade now ('none': no arrears), with the move: up, down, same, new (no
-- arrears then) or cleared (no arrears now), and their arrears then and now.
-- $as_of DATE, $risk STRUCT and $penalty_rates STRUCT[] (queries/collections.py: the settings),
-- $scope (a Scope STRUCT)
with now as (
    select customer_id, risk_grade, arrears from risk_grades($as_of::date, $scope, $risk, $penalty_rates)
),

month_end as (  -- the last day of the month before $as_of's
    select customer_id, risk_grade, arrears
    from risk_grades(make_date(year($as_of::date), month($as_of::date), 1) - 1, $scope, $risk, $penalty_rates)
),

ranks as (
    select * from (values ('none', 0), ('low', 1), ('medium', 2), ('high', 3)) as t(risk_grade, grade_rank)
),

pairs as (
    select
        coalesce(b.risk_grade, 'none') as grade_then,
        coalesce(n.risk_grade, 'none') as grade_now,
        coalesce(b.arrears, 0) as arrears_then,
        coalesce(n.arrears, 0) as arrears_now
    from month_end as b
    full outer join now as n using (customer_id)
),

final as (
    select
        p.grade_then,
        p.grade_now,
        case
            when p.grade_then = 'none' then 'new'
            when p.grade_now = 'none' then 'cleared'
            when r_now.grade_rank > r_then.grade_rank then 'up'
            when r_now.grade_rank < r_then.grade_rank then 'down'
            else 'same'
        end as move,
        count(*) as customers,
        sum(p.arrears_then) as arrears_then,
        sum(p.arrears_now) as arrears_now
    from pairs as p
    join ranks as r_then on r_then.risk_grade = p.grade_then
    join ranks as r_now on r_now.risk_grade = p.grade_now
    group by all
)

select * from final
order by case move when 'up' then 1 when 'new' then 2 when 'same' then 3 when 'down' then 4 else 5 end,
         grade_then, grade_now
