-- Billed, recovered and recovery rate of each bill month of $year, as of $as_of
-- (monthly rates restrict both sides to one bill month).
-- $as_of DATE, $year INTEGER, $scope (a Scope STRUCT)
with months as (
    select *
    from unpaid_by_segment_month($as_of, make_date($year, 1, 1), make_date($year, 12, 31), $as_of,
                                 $scope)
),

final as (
    select
        period,
        sum(bills)::bigint as bills,
        sum(billed) as billed,
        sum(billed) - sum(unpaid) as recovered,
        rate(sum(billed) - sum(unpaid), sum(billed)) as recovery_rate
    from months
    group by period
)

select * from final order by period
