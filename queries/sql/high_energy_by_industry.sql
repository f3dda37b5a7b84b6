-- High-energy customers by industry for $year as of $as_of: accounts, energy, amount,
-- average price, and arrears at $as_of.
-- $as_of DATE, $year INTEGER, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

segs as (
    select s.seg_id, coalesce(s.industry, '') as industry
    from segments as s
    where s.is_high_energy and s.seg_id in (select seg_id from scope)
),

accounts_by_industry as (
    select coalesce(a.industry, '') as industry, count(*) as accounts
    from accounts as a join segs using (seg_id)
    group by 1
),

energy as (
    select segs.industry, sum(u.kwh) as kwh, sum(u.amount) as amount
    from usage_monthly as u join segs using (seg_id)
    where u.period between make_date($year, 1, 1) and make_date($year, 12, 31)
      and u.issued_on <= $as_of
    group by segs.industry
),

owed as (
    select segs.industry, sum(p.outstanding) as arrears
    from overdue_pieces as p join segs using (seg_id)
    where p.valid_from <= $as_of and $as_of < p.valid_to
    group by segs.industry
),

final as (
    select
        nullif(a.industry, '') as industry,
        a.accounts,
        coalesce(e.kwh, 0) as kwh,
        coalesce(e.amount, 0) as amount,
        rate(e.amount, e.kwh) as price_per_kwh,
        coalesce(o.arrears, 0) as arrears
    from accounts_by_industry as a
    left join energy as e using (industry)
    left join owed as o using (industry)
)

select * from final order by amount desc, industry
