-- The rollups made once every bucket is in (queries/sql/_rollups_buckets.sql): those read
-- the tables the buckets made, or every payment of the few large accounts.

-- Arrears carried into each year (年初陈欠): with E = 31 December of year − 1, the balance
-- at E of bills of earlier months issued by E, per segment. The opening can only change
-- from year Y − 1 to Y when something in year Y − 1 (a bill month, an issue or a posting)
-- happened, so it is kept for those years alone; any other year has the opening of the
-- latest kept year before it (none before the first: 0). Years far apart (a posting dated
-- 9999) therefore cost one row each, not one per year in between.
create table opening_years as
select distinct year
from (
    select year(period) + 1 as year from cohorts
    union all select year(issued_on) + 1 from cohorts
    union all select year(eff_date) + 1 from out_events
)
order by year;

create table year_openings as
select *
from year_opening_rows('cohorts', 'out_events', 'opening_years')
where prior_opening <> 0
order by year, seg_id;

-- Each year's recovery curve at its month ends, per segment: of the bills of the year (bill
-- month in it) issued by the last day of each of its months (month_no 1–12) or of the December
-- before (month_no 0), what was billed and what was still unpaid that day. The year-end
-- projection (recovery_projection.sql) reads earlier years' month ends here and adds the days
-- since the last month end from cohorts and out_events, so it never sums a whole year of
-- postings. Month first: a question reads a few month ends of every year (and, within them, the
-- segments of a station or village lie together).
create table month_end_balances as
select * from month_end_rows('cohorts', 'out_events')
order by month_no, seg_id, bill_year;

-- Cash posted per segment and day (prepayments included: this is cash, not 实收).
create table postings_daily as
select * from posting_day_rows('payment_days')
order by posted_on;

create table instalment_parts as
select * from instalment_part_rows('raw_instalment_plans', 'bill_tails', 'instalment_postings')
order by bill_id, due_on;

-- Their last payment (amount > 0: not a reversal or refund; with or without a bill) of each day
-- they paid, valid until the next day they paid, as last_payments keeps it for the customers
-- ever in arrears: the last payment at D is the row with paid_on <= D < valid_to.
create temp view large_payments as
select * from raw_payments where customer_id in (select customer_id from large_accounts);

create table large_customer_last_payments as
select * from last_payment_rows('large_payments')
order by valid_to, customer_id;  -- a recent D skips the stretches that ended before it
