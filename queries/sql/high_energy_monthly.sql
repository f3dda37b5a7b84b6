-- Each bill month up to $as_of: energy, amount, average price (元/kWh) and TOU shares of
-- high-energy customers and, for comparison, of other large-industry customers.
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

usage as (
    select
        case when s.is_high_energy then 'high_energy' else 'other_large_industry' end as customer_group,
        u.*
    from usage_monthly as u
    join segments as s using (seg_id)
    where (s.is_high_energy or s.category = 'large_industry')
      and u.issued_on <= $as_of
      and u.seg_id in (select seg_id from scope)
),

final as (
    select
        customer_group,
        period,
        sum(bills)::bigint as bills,
        sum(kwh) as kwh,
        sum(amount) as amount,
        rate(sum(amount), sum(kwh)) as price_per_kwh,
        rate(sum(kwh_peak), sum(kwh_peak) + sum(kwh_flat) + sum(kwh_valley)) as peak_share,
        rate(sum(kwh_flat), sum(kwh_peak) + sum(kwh_flat) + sum(kwh_valley)) as flat_share,
        rate(sum(kwh_valley), sum(kwh_peak) + sum(kwh_flat) + sum(kwh_valley)) as valley_share,
        coalesce(sum(amount) filter (where tariff = 'market'), 0) as amount_market,
        coalesce(sum(amount) filter (where tariff = 'agency'), 0) as amount_agency,
        coalesce(sum(amount) filter (where tariff = 'catalogue' or tariff is null), 0) as amount_catalogue
    from usage
    group by customer_group, period
)

select * from final order by customer_group, period
