-- Builds the per-extract rollups that every question reads (run once per extract, cached
-- outside the data directory). Inputs: views raw_customers, raw_bills, raw_payments, raw_targets;
-- the macros of _parts.sql, which say what each table holds (a refresh, _refresh.sql, runs them
-- on the rows a new payments file touches).
--
-- Why this shape: outstanding(b, D) only changes on the days a payment for b is posted, so
-- a bill is its opening balance plus a few dated deltas. Summing deltas by segment and day
-- answers any as-of date exactly without touching the payments again:
--   outstanding(b, D) = out_final(b) − Σ delta(b, eff_date > D)   for bills issued by D,
-- with eff_date = greatest(posted_on, issued_on). A segment is one combination of the
-- customer attributes a scope filters or groups by, so every figure stays additive.

-- Accounts and their segment.
create table accounts as
select
    customer_id, customer_name, phone, station, village, line, transformer, category,
    is_high_energy, coalesce(is_key_account, false) as is_key_account, industry, meter_reader,
    dense_rank() over (
        order by station, village, line, transformer, category, is_high_energy,
                 coalesce(is_key_account, false), meter_reader, industry
    )::integer as seg_id,
    -- a number for joining a customer's history on an integer (graded_customers): from every
    -- account, so that it stays the same when new payments change who is ever in arrears
    row_number() over (order by customer_id)::integer as customer_no
from raw_customers
where customer_id is not null;

-- Each segment once, with how many accounts it holds (a group's 户数 adds up across segments).
create table segments as
select
    seg_id, station, village, line, transformer, category, is_high_energy, is_key_account,
    meter_reader, industry, count(*)::bigint as accounts
from accounts
group by all
order by seg_id;

-- The payments that settle bills (_parts.sql).
create temp view bill_payments as
select * from settling_payments('raw_payments');

-- Per bill: most bills are posted on a single day, and need no running sum. For the same-day
-- saving (same_day_settlements) the payments paid on their posting day are summed apart.
create temp table bill_paid as
select
    bill_id,
    min(posted_on) as first_posted_on,
    max(posted_on) as last_posted_on,
    sum(amount) as amount,
    bool_or(channel = 'bank' and amount > 0) as via_bank,
    count(*) filter (where same_day) as same_day_payments,
    sum(amount) filter (where same_day) as same_day_amount,
    -- the channel when all of them came through one (a cheap state); else settled below
    min(channel) filter (where same_day) as same_day_channel_min,
    max(channel) filter (where same_day) as same_day_channel_max
from bill_payments
group by bill_id;

-- The bills that need their postings day by day: those posted on several days (for the running
-- sum), and those paid on their posting day through several channels (the same-day channel is
-- that of the larger payment, then of the later payment_id). Few of them.
create temp table bill_day_postings as
with days as (
    select
        bill_id, posted_on, sum(amount) as amount,
        bool_or(channel = 'bank' and amount > 0) as via_bank,
        count(*) filter (where same_day) as same_day_payments,
        sum(amount) filter (where same_day) as same_day_amount,
        arg_max(channel, (amount, payment_id)) filter (where same_day) as same_day_channel
    from bill_payments
    where bill_id in (select bill_id from bill_paid
                      where first_posted_on <> last_posted_on or same_day_channel_min <> same_day_channel_max)
    group by bill_id, posted_on
)
select
    *,
    sum(amount) over w as paid_to_date,
    lead(posted_on) over w as next_posted_on,
    lag(posted_on) over w is null as first_step
from days
window w as (partition by bill_id order by posted_on);

-- Every bill whose customer is known (the others count nowhere), once per day it was posted
-- (once with posted_on null when never): outstanding before and after that day, paid so far,
-- the next posting day, and whether it is the bill's first row (first_step). With
-- paid_to_date the running sum, the balance before a day is the one after the day before:
-- greatest(0, amount − greatest(0, paid_to_date − that day's amount)).
create temp table bill_state as
with days as (
    select bill_id, first_posted_on as posted_on, amount as day_amount, via_bank, same_day_payments,
           same_day_amount, same_day_channel_min as same_day_channel, amount as paid_to_date,
           null::date as next_posted_on, true as first_step
    from bill_paid
    where first_posted_on = last_posted_on
      and same_day_channel_min is not distinct from same_day_channel_max
    union all
    select bill_id, posted_on, amount, via_bank, same_day_payments, same_day_amount, same_day_channel,
           paid_to_date, next_posted_on, first_step
    from bill_day_postings
)
select
    b.bill_id, b.customer_id, a.seg_id, b.period, b.issued_on, b.due_on, b.amount,
    d.posted_on, d.next_posted_on, coalesce(d.first_step, true) as first_step,
    coalesce(d.via_bank, false) as via_bank, d.paid_to_date, d.day_amount, d.same_day_payments,
    d.same_day_amount, d.same_day_channel
from raw_bills as b
join accounts as a using (customer_id)
left join days as d using (bill_id)
where b.bill_id is not null;

drop table bill_paid;
drop table bill_day_postings;

-- Each bill's last row (its state after every posting so far), kept with the rollups: a
-- refresh continues from it when new payments arrive, rather than reading every payment again.
-- The bills still owing (is_open) come first: new payments nearly always settle those, and a
-- refresh finds them without reading the rest.
create table bill_tails as
select *, true as is_open
from bill_state
where next_posted_on is null and bill_open(posted_on, amount, paid_to_date);

insert into bill_tails
select *, false
from bill_state
where next_posted_on is null and not bill_open(posted_on, amount, paid_to_date);

-- The bills whose customer is not known (no row in bill_tails): a refresh looks a new
-- payment's bill up in these two tables rather than in every bill of the extract.
create table other_bills as
select bill_id, customer_id
from raw_bills
where bill_id is not null
  and (customer_id is null or customer_id not in (select customer_id from accounts));

-- Bills whose customer is known (the others count nowhere), with their energy: read from the
-- files by the few tables that need the energy, rather than carried through bill_state.
create temp view known_bills as
select
    b.bill_id, b.customer_id, a.seg_id, b.period, b.issued_on, b.due_on, b.amount,
    b.kwh, b.kwh_peak, b.kwh_flat, b.kwh_valley, b.tariff
from raw_bills as b
join accounts as a using (customer_id)
where b.bill_id is not null;

-- Each posting day of each bill: outstanding before and after it.
create temp view bill_steps as
select *
from with_balances('bill_state')
where posted_on is not null;

-- Changes of balance by segment, bill month, issue date and effective day. Rows of bills
-- paid in a later year (陈欠 collections) come first, so zone maps skip the rest when a
-- question asks about earlier years' bills. posted_on is kept beside eff_date for the one
-- question that looks at bills not yet issued on D (prior_recovered with E after D): a
-- payment posted before its bill's issue still counts by its posting day (docs/DATA.md §3).
create table out_events as
select * from out_event_rows('bill_state')
order by year(eff_date) = year(period), eff_date, seg_id;

create table cohorts as
select * from cohort_rows('bill_state')
order by period, seg_id;

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

-- Stretches of days on which a bill is issued, overdue and has a positive balance:
-- the arrears at D are the pieces with valid_from <= D < valid_to.
create table overdue_pieces as
select * from overdue_piece_rows('bill_state')
order by valid_to, seg_id;  -- a recent as-of date skips the stretches that ended before it

-- Energy and amount by segment, month and tariff (trends, price per kWh, TOU shares).
create table usage_monthly as
select
    seg_id, period, issued_on, tariff,
    count(*) as bills,
    sum(kwh) as kwh,
    sum(amount) as amount,
    sum(kwh) filter (where kwh_peak is not null and kwh_flat is not null and kwh_valley is not null) as tou_kwh,
    sum(kwh_peak) filter (where kwh_flat is not null and kwh_valley is not null) as kwh_peak,
    sum(kwh_flat) filter (where kwh_peak is not null and kwh_valley is not null) as kwh_flat,
    sum(kwh_valley) filter (where kwh_peak is not null and kwh_flat is not null) as kwh_valley
from known_bills
group by all
order by period, seg_id;

-- The few dozen large-industry, high-energy and key accounts (重点客户) of a branch: their
-- bills, postings and payments are kept one by one.
create table large_accounts as
select customer_id
from accounts
where is_high_energy or category = 'large_industry' or is_key_account;

-- Bill-level history of the large, high-energy and key accounts.
create table large_customer_bills as
select b.customer_id, b.seg_id, b.bill_id, b.period, b.issued_on, b.due_on, b.amount,
       b.kwh, b.kwh_peak, b.kwh_flat, b.kwh_valley, b.tariff
from known_bills as b
where b.customer_id in (select customer_id from large_accounts)
order by b.customer_id, b.period;

-- Payments by segment, day paid, day posted (null: not posted) and channel, with or without
-- a bill: cash posted, and same-day posting and its latency (docs/DATA.md §6) by channel,
-- station and month. prepaid: the part paid without a bill (预收).
create table payment_days as
select * from payment_day_rows('raw_payments')
order by paid_on, seg_id;

-- Cash posted per segment and day (prepayments included: this is cash, not 实收).
create table postings_daily as
select * from posting_day_rows('payment_days')
order by posted_on;

-- Payments not posted on the day they were paid (in transit at some date).
create table late_postings as
select * from late_posting_rows('raw_payments')
order by paid_at;

-- What same-day posting saved (docs/DATA.md §6): each bill's payments paid and posted on one
-- day p, with the part of the bill's balance they settled that day (at most their sum, at most
-- that day's drop in outstanding) and the next working day after p (Monday–Friday; holidays
-- are not in the data). Posted then instead, the settled part would have owed the penalty
-- days after max(p, due_on) up to that day, so only bills due before it are kept; rates are
-- settings, applied when asked. A bill paid the same day through two channels counts under
-- the channel of its larger payment. Summed per segment, day, due date, bill year and channel.
create table same_day_settlements as
select * from same_day_settlement_rows('bill_state')
order by paid_on, seg_id;

-- A station's target (collector null), or one collector's within a station (docs/DATA.md §6).
create table targets as
select station, collector, year, recovery_target
from raw_targets
-- a target outside 0–1 is a finding and is not used (the station's target stays 1.0)
where station is not null and year is not null and recovery_target between 0 and 1;

-- D defaults to the latest plausible posting (docs/DATA.md §3): not before 1990-01-01 and not
-- more than 366 days after the latest issue date (with no bills, only the first rule).
create table extract_dates as
with latest_issue as (select max(issued_on) as day from raw_bills)
select
    (select max(posted_at)::date from raw_payments
     where posted_at >= timestamp '1990-01-01'
       and (posted_at::date <= (select day from latest_issue) + 366
            or (select day from latest_issue) is null)) as default_as_of,
    (select min(issued_on) from raw_bills) as first_issued,
    (select min(period) from raw_bills) as first_period,
    (select max(period) from raw_bills) as last_period,
    (select min(paid_at)::date from raw_payments) as first_paid,
    (select max(paid_at)::date from raw_payments) as last_paid,
    (select day from latest_issue) as last_issued;

-- --- Collection operations (docs/DATA.md §6) -------------------------------------------------

-- The customers ever in arrears (some stretch in overdue_pieces): only they can ever have a
-- risk grade. Numbered, so that their history is grouped and joined on an integer, and with
-- the attributes a chase list shows.
create table graded_customers as
select
    customer_no, customer_id, seg_id, customer_name, phone, station, village, line, transformer, category,
    meter_reader, is_high_energy, is_key_account
from accounts
where customer_id in (select customer_id from overdue_pieces);

-- Their bills, for the history clauses of the risk grade: bill month (as year × 12 + month −
-- 1), issue and due dates, amount, and whether the bill still owed on its due date
-- (outstanding(b, due_on) > 0).
create table grading_bills as
select * from grading_bill_rows('bill_state')
order by month_no, customer_no;

-- Their last payment (amount > 0: not a reversal or refund) of each day they paid, valid
-- until the next day they paid: the last payment at D is the row with paid_on <= D < valid_to.
create temp view graded_payments as
select * from raw_payments where customer_id in (select customer_id from graded_customers);

create table last_payments as
select g.customer_no, p.paid_on, p.paid_at, p.amount, p.channel, p.valid_to
from last_payment_rows('graded_payments') as p
join graded_customers as g using (customer_id)
order by valid_to, customer_no;  -- a recent D skips the stretches that ended before it

-- Instalment plans (分次结算) of bills of known customers: each part with C_k, the plan's total
-- due by its due date, and paid(b, due_on); rows with a missing value are findings, unused.
-- The bills' posting steps give paid(b, D) for any D.
create table instalment_postings as
select bill_id, posted_on, paid_to_date
from bill_steps
where bill_id in (select bill_id from raw_instalment_plans)
order by bill_id, posted_on;

create table instalment_parts as
select * from instalment_part_rows('raw_instalment_plans', 'bill_tails', 'instalment_postings')
order by bill_id, due_on;

-- --- Key and high-energy accounts (重点客户, docs/DATA.md §6) ------------------------------

-- The posting days of the bills in large_customer_bills: paid so far (paid(b, D) is the last
-- step on or before D) and the balance before and after each day, so the day a bill was paid
-- in full is the last step that took a positive balance to 0.
create table large_customer_postings as
select bill_id, posted_on, paid_to_date, out_before, out_after
from bill_steps
where bill_id in (select bill_id from large_customer_bills)
order by bill_id, posted_on;

-- Their last payment (amount > 0: not a reversal or refund; with or without a bill) of each day
-- they paid, valid until the next day they paid, as last_payments keeps it for the customers
-- ever in arrears: the last payment at D is the row with paid_on <= D < valid_to.
create temp view large_payments as
select * from raw_payments where customer_id in (select customer_id from large_accounts);

create table large_customer_last_payments as
select * from last_payment_rows('large_payments')
order by valid_to, customer_id;  -- a recent D skips the stretches that ended before it
