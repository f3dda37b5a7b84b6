-- Instalment parts (分次结算, docs/DATA.md §6) at $as_of per status — upcoming, on_time, late,
-- missed (the macro instalment_statuses) — with their bills and amounts; every status
-- appears, with zeros.
-- $as_of DATE, $scope (a Scope STRUCT)
with parts as (
    select * from instalment_statuses($as_of::date, $scope)
),

statuses as (
    select * from (values (1, 'upcoming'), (2, 'on_time'), (3, 'late'), (4, 'missed')) as t(status_order, status)
),

final as (
    select
        s.status,
        count(p.bill_id) as parts,
        count(distinct p.bill_id) as bills,
        coalesce(sum(p.amount), 0) as amount,
        s.status_order
    from statuses as s
    left join parts as p using (status)
    group by s.status_order, s.status
)

select * from final order by status_order
