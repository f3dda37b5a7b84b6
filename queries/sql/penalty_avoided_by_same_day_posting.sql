-- What same-day posting saved (docs/DATA.md §6): of the bill payments paid from 1 January of
-- $as_of's year to $as_of and posted the day they were paid, the penalty days and the penalty
-- that posting them on the next working day instead would have added, in total or by station,
-- channel or timing ('by_due_date': paid on or before the due date; 'overdue': after it).
-- $as_of DATE, $group_by VARCHAR ('total' | 'station' | 'channel' | 'timing'),
-- $penalty_rates STRUCT[] (queries/collections.py: the settings' rate rows), $scope (a Scope STRUCT)
with scope as (
    select seg_id, station, category = 'residential' as residential from scoped_segments($scope)
),

rate_rows as (
    select list({'effective_from': effective_from, 'effective_until': effective_until, 'residential': residential,
                 'current_year': current_year, 'cross_year': cross_year} order by effective_from) as rows
    from penalty_rate_periods($penalty_rates)
),

-- each bill-day settled on the day paid: the avoided days run from max(paid day, due date) + 1
-- to the next working day
settled as (
    select s.*, c.station, c.residential, greatest(s.paid_on, s.due_on) as accrues_after
    from same_day_settlements as s
    join scope as c using (seg_id)
    where s.paid_on between make_date(year($as_of::date), 1, 1) and $as_of
),

-- Σ of the daily rates of those days, once per combination (as owing_bills does)
rate_sums as (
    select
        k.accrues_after, k.next_working_day, k.bill_year, k.residential,
        penalty_rate_sum(k.accrues_after, k.bill_year, k.residential, k.next_working_day, r.rows)::decimal(18, 9)
            as rate_sum
    from (select distinct accrues_after, next_working_day, bill_year, residential from settled) as k
    cross join rate_rows as r
),

keyed as (
    select
        s.*, r.rate_sum,
        case when $group_by = 'station' then s.station end as group_station,
        case $group_by
            when 'channel' then s.channel
            when 'timing' then case when s.due_on >= s.paid_on then 'by_due_date' else 'overdue' end
        end as member
    from settled as s
    join rate_sums as r using (accrues_after, next_working_day, bill_year, residential)
),

grouped as (
    select
        group_station as station,
        member,
        sum(payments)::bigint as payments,
        sum(bills)::bigint as bills,
        sum(settled) as settled,
        sum(bills * (next_working_day - accrues_after))::bigint as penalty_days,
        -- exact to the end, rounded once per figure, halves away from zero (DECIMAL round)
        round(sum(settled::decimal(38, 2) * rate_sum), 2)::decimal(38, 2) as penalty_avoided
    from keyed
    group by group_station, member
),

-- 'total' always answers one row, also when nothing was posted the same day
nothing_saved as (
    select null::varchar as station, null::varchar as member, 0::bigint as payments, 0::bigint as bills,
           0::decimal(38, 2) as settled, 0::bigint as penalty_days, 0::decimal(38, 2) as penalty_avoided
    where $group_by = 'total' and not exists (select 1 from grouped)
),

final as (
    select * from grouped
    union all
    select * from nothing_saved
)

select * from final
order by penalty_avoided desc, station nulls last, member nulls last
