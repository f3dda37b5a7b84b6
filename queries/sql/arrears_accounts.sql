-- The accounts with arrears at $as_of, largest first, with the attributes a collector
-- chases by; names and phones masked unless $show_personal.
-- $as_of DATE, $show_personal BOOLEAN, $limit INTEGER (0 = all), $scope (a Scope STRUCT)
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

final as (
    select
        o.customer_id,
        case when $show_personal then a.customer_name else mask_name(a.customer_name, a.category) end as customer_name,
        case when $show_personal then a.phone else mask_phone(a.phone) end as phone,
        a.station, a.village, a.line, a.transformer, a.category,
        a.meter_reader as collector, a.is_high_energy, a.is_key_account, a.industry,
        o.arrears, o.arrears_current_year, o.arrears_prior_years, o.arrears_bills,
        o.oldest_period, o.days_overdue
    from owed as o
    join accounts as a using (customer_id)
)

select * from final
order by arrears desc, customer_id
limit (case when $limit > 0 then $limit end)
