-- Will the year make its target? D's year's recovery rate projected to 31 December from each
-- earlier, complete year of the extract: from the same day of the year on, this year's unpaid
-- share (1 − rate) moves as that year's did, in proportion, and its billed grows as that year's
-- grew. The projection is the median of those years, the band their lowest to highest; with it,
-- the collection needed each calendar day after D to reach the scope's target for the year
-- (docs/DATA.md §6, "Year-end projection"). One row; `path` holds D and each month end after it.
-- $as_of DATE, $scope (a Scope STRUCT)
with scope as (
    select seg_id from scoped_segments($scope)
),

span as (  -- what the extract covers: its first bill month and its latest plausible posting
    select first_period, default_as_of from extract_dates
),

-- D's year and each earlier year of the extract: the day matching D (the same month and day;
-- 29 February → 28 February in a common year), and whether the extract holds the year whole
-- (its bills from January on, and postings up to its 31 December: the extract's latest
-- plausible posting, D's default, on or after it). A year's figures on its matched day start
-- from the nearest month end (month_end_balances): the one before for a day up to the 15th,
-- adding the days since; else the one after, taking away the days after the matched day.
years as (
    select
        y.year,
        y.matched_day,
        case
            when y.year = year($as_of::date) then 'this_year'
            when s.first_period > make_date(y.year, 1, 1) then 'starts_later'
            when coalesce(s.default_as_of >= make_date(y.year, 12, 31), false) then 'complete'
            else 'ends_earlier'
        end as coverage,
        month($as_of::date) - case when day($as_of::date) <= 15 then 1 else 0 end as anchor_month_no,
        case when day($as_of::date) <= 15 then 1 else -1 end as sign,
        case when day($as_of::date) <= 15 then make_date(y.year, month($as_of::date), 1)
             else y.matched_day + 1 end as days_from,
        case when day($as_of::date) <= 15 then y.matched_day
             else last_day(y.matched_day) end as days_to
    from span as s
    cross join (
        select
            r.year,
            make_date(r.year, month($as_of::date),
                      least(day($as_of::date), day(last_day(make_date(r.year, month($as_of::date), 1))))) as matched_day
        from span
        cross join range(least(coalesce(year(span.first_period), year($as_of::date)), year($as_of::date)),
                         year($as_of::date) + 1) as r(year)
    ) as y
),

-- The years the projection reads: D's year (for its figures on D) and the complete earlier ones.
read_years as (
    select * from years where coverage in ('this_year', 'complete')
),

-- Their month ends from the one before D's month on, in the scope: each year's anchor, and the
-- earlier years' month ends after D, the points of the path. Kept per segment for D's year,
-- whose billed weighs the segments' targets.
month_ends as (
    select m.*
    from (
        select
            b.bill_year as year,
            b.month_no,
            case when b.bill_year = year($as_of::date) then b.seg_id end as seg_id,
            sum(b.billed) as billed,
            sum(b.unpaid) as unpaid
        from month_end_balances as b
        join scope using (seg_id)
        where b.month_no >= month($as_of::date) - 1
          and (b.bill_year < year($as_of::date) or b.bill_year = year($as_of::date) and b.month_no <= month($as_of::date))
        group by all
    ) as m
    join read_years as y
      on y.year = m.year
     and (m.month_no = y.anchor_month_no or y.coverage = 'complete' and m.month_no >= month($as_of::date))
),

-- The days between each year's anchor and its matched day. (Joined on the day, so the scans of
-- cohorts and out_events read those days alone.)
tail_days as (
    select year, unnest(generate_series(days_from, days_to, interval 1 day))::date as day
    from read_years
    where days_from <= days_to
),

issued_in_tail as (  -- the year's bills issued on those days: billed, and unpaid at issue
    select year(c.issued_on) as year, c.seg_id, sum(c.billed) as billed, sum(c.out_open) as unpaid
    from cohorts as c
    join tail_days as d on c.issued_on = d.day
    where year(c.period) = year(c.issued_on)
      and c.seg_id in (select seg_id from scope)
    group by all
),

settled_in_tail as (  -- changes of balance of the year's bills on those days
    select year(e.eff_date) as year, sum(e.delta) as unpaid
    from out_events as e
    join tail_days as d on e.eff_date = d.day
    where year(e.period) = year(e.eff_date)
      and e.seg_id in (select seg_id from scope)
    group by all
),

-- Each year on its matched day (D's year on D): billed and unpaid of its bills issued by then.
-- For D's year these are recovery_summary's billed and billed − recovered.
matched as (
    select y.year, coalesce(sum(x.billed), 0) as billed, coalesce(sum(x.unpaid), 0) as unpaid
    from read_years as y
    left join (
        select m.year, m.billed, m.unpaid
        from month_ends as m
        join read_years as r on r.year = m.year and m.month_no = r.anchor_month_no
        union all
        select i.year, r.sign * i.billed, r.sign * i.unpaid
        from issued_in_tail as i
        join read_years as r using (year)
        union all
        select s.year, 0, r.sign * s.unpaid
        from settled_in_tail as s
        join read_years as r using (year)
    ) as x using (year)
    group by y.year
),

now as (
    select billed, unpaid from matched where year = year($as_of::date)
),

-- The scope's target for D's year: each segment's, weighted by what it has billed by D (as
-- recovery_summary weighs it).
target as (
    select group_target(t.target, b.billed) as target
    from (
        select seg_id, sum(billed) as billed
        from (
            select m.seg_id, m.billed
            from month_ends as m
            join read_years as r on r.year = m.year and m.month_no = r.anchor_month_no
            where m.year = year($as_of::date)
            union all
            select i.seg_id, r.sign * i.billed
            from issued_in_tail as i
            join read_years as r using (year)
            where i.year = year($as_of::date)
        )
        group by seg_id
    ) as b
    join segment_targets(year($as_of::date)) as t using (seg_id)
),

-- The points of the path: D, then the last day of each month after it up to 31 December.
path_days as (
    select $as_of::date as day, null::integer as month_no
    union all
    select last_day(make_date(year($as_of::date), k::integer, 1)), k::integer
    from range(month($as_of::date), 13) as r(k)
    where last_day(make_date(year($as_of::date), k::integer, 1)) > $as_of::date
),

-- Each usable earlier year at each point: its billed and unpaid then (a month end; on D itself,
-- its matched day) and on its matched day.
year_points as (
    select
        m.year,
        p.day,
        case when p.month_no is null then m.billed else coalesce(e.billed, 0) end as billed_then,
        case when p.month_no is null then m.unpaid else coalesce(e.unpaid, 0) end as unpaid_then,
        m.billed as billed_matched,
        m.unpaid as unpaid_matched
    from matched as m
    cross join path_days as p
    left join month_ends as e on e.year = m.year and e.month_no = p.month_no
    where m.year < year($as_of::date) and m.billed > 0 and m.unpaid > 0
),

-- The projection by one earlier year:
--   unpaid share(t) = D's unpaid share × that year's unpaid share then ÷ on its matched day
--   rate(t)         = 1 − unpaid share(t)
--   billed(t)       = D's billed × that year's billed then ÷ on its matched day
-- The earlier year's ratio first: on D it is exactly 1, so the path starts at D's own rate (the
-- other order leaves float noise that truncates 80 % to 79.99 %).
projected as (
    select
        p.year,
        p.day,
        1 - rate(n.unpaid, n.billed) * (rate(p.unpaid_then, p.billed_then)
                                        / rate(p.unpaid_matched, p.billed_matched)) as rate,
        n.billed::double * (p.billed_then::double / p.billed_matched::double) as billed
    from year_points as p
    cross join now as n
    where n.billed > 0
),

by_day as (
    select
        day,
        count(rate) as years,
        median(rate) as rate,
        case when count(rate) >= 2 then min(rate) end as low,
        case when count(rate) >= 2 then max(rate) end as high,
        median(billed) as billed
    from projected
    group by day
),

year_end as (
    select * from by_day where day = make_date(year($as_of::date), 12, 31)
),

-- Every earlier year of the extract and what became of it: 'used', or why not — 'starts_later'
-- or 'ends_earlier' (not whole in the extract), 'nothing_billed' (no bill of the scope issued by
-- its matched day), 'nothing_unpaid' (nothing unpaid that day: no share to scale). With its
-- rate on the matched day and at its own year end, and the year-end rate it projects.
year_list as (
    select list({
        'year': y.year,
        'status': case
            when y.coverage <> 'complete' then y.coverage
            when m.billed <= 0 then 'nothing_billed'
            when m.unpaid <= 0 then 'nothing_unpaid'
            else 'used'
        end,
        'matched_day': y.matched_day,
        'rate_on_matched_day': case when m.billed > 0 then 1 - rate(m.unpaid, m.billed) end,
        'year_end_rate': case when e.billed > 0 then 1 - rate(e.unpaid, e.billed) end,
        'projected_rate': p.rate
    } order by y.year) as years
    from years as y
    left join matched as m using (year)
    left join month_ends as e on e.year = y.year and e.month_no = 12
    left join projected as p on p.year = y.year and p.day = make_date(year($as_of::date), 12, 31)
    where y.year < year($as_of::date)
),

path as (
    select list({'day': day, 'rate': rate, 'low': low, 'high': high} order by day) as path
    from by_day
),

final as (
    select
        $as_of::date as as_of,
        year($as_of::date) as year,
        make_date(year($as_of::date), 12, 31) - $as_of::date as days_left,
        n.billed,
        n.billed - n.unpaid as recovered,
        rate(n.billed - n.unpaid, n.billed) as recovery_rate,
        t.target,
        coalesce(e.years, 0) as years_used,
        e.rate as projected_rate,
        e.low as low_rate,
        e.high as high_rate,
        e.billed as projected_billed,
        case when e.years > 0 and $as_of::date < make_date(year($as_of::date), 12, 31) then
            greatest(0, t.target * e.billed - (n.billed - n.unpaid)::double)
                / (make_date(year($as_of::date), 12, 31) - $as_of::date)
        end as needed_daily,
        case
            when n.billed <= 0 then 'nothing_billed_yet'
            when coalesce(e.years, 0) = 0 then 'no_history'
        end as reason,
        coalesce(l.years, []) as years,
        coalesce(p.path, []) as path
    from now as n
    cross join target as t
    cross join year_list as l
    cross join path as p
    left join year_end as e on true
)

select * from final
