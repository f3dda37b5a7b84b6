-- The rollups made bucket by bucket (queries/extract.py): the bills and payments of the
-- customers of one bucket of segments (bucket_accounts) at a time, as raw_bills and
-- raw_payments. Every table below is a sum by segment or a set of rows of one bill or customer,
-- so the buckets' rows together are the table of the whole extract. A small extract is one
-- bucket (the files themselves); a large one is split first (FEE_BUILD_BUCKET_ROWS), so that
-- each bucket's bills fit in the build's memory instead of spilling the whole extract to disk.
-- The first bucket creates each table; the next ones insert into it (queries/extract.py).

-- The payments that settle bills (_parts.sql): the bucket's own (of its customers, looked up
-- among them rather than among every account), and those of other buckets' customers that pay
-- one of its bills (none in a build of one bucket; all of known customers).
create or replace temp view bill_payments as
select * from settling_payments('raw_payments', 'bucket_accounts')
union all
select * from settling_payments('incoming_payments', 'incoming_payers');

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
-- that of the larger payment, then of the later payment_id). Few of them (2 % at 10 M accounts).
-- Kept as a table first, so that the join below knows it is the small side: as a subquery its
-- size was guessed, and at 10 M accounts in buckets of 15 M bills DuckDB built its hash table
-- on the bucket's payments instead and ran out of memory (benchmarks/results.md).
create temp table day_posted_bills as
select bill_id
from bill_paid
where first_posted_on <> last_posted_on or same_day_channel_min <> same_day_channel_max;

create temp table bill_day_postings as
with days as (
    select
        bill_id, posted_on, sum(amount) as amount,
        bool_or(channel = 'bank' and amount > 0) as via_bank,
        count(*) filter (where same_day) as same_day_payments,
        sum(amount) filter (where same_day) as same_day_amount,
        arg_max(channel, (amount, payment_id)) filter (where same_day) as same_day_channel
    from bill_payments
    where bill_id in (select bill_id from day_posted_bills)
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
join bucket_accounts as a using (customer_id)  -- the bucket's bills are its customers' (or unknown)
left join days as d using (bill_id)
where b.bill_id is not null;

drop table bill_paid;
drop table day_posted_bills;
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

-- Bills whose customer is known (the others count nowhere), with their energy: read from the
-- files by the few tables that need the energy, rather than carried through bill_state.
create or replace temp view known_bills as
select
    b.bill_id, b.customer_id, a.seg_id, b.period, b.issued_on, b.due_on, b.amount,
    b.kwh, b.kwh_peak, b.kwh_flat, b.kwh_valley, b.tariff
from raw_bills as b
join bucket_accounts as a using (customer_id)
where b.bill_id is not null;

-- Each posting day of each bill: outstanding before and after it.
create or replace temp view bill_steps as
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
select * from payment_day_rows('raw_payments', 'bucket_accounts')
order by paid_on, seg_id;

-- Payments not posted on the day they were paid (in transit at some date).
create table late_postings as
select * from late_posting_rows('raw_payments', 'bucket_accounts')
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

-- --- Collection operations (docs/DATA.md §6) -------------------------------------------------

-- The customers ever in arrears (some stretch in overdue_pieces): only they can ever have a
-- risk grade. Numbered, so that their history is grouped and joined on an integer, and with
-- the attributes a chase list shows.
create table graded_customers as
select
    customer_no, customer_id, seg_id, customer_name, phone, station, village, line, transformer, category,
    meter_reader, is_high_energy, is_key_account
from bucket_accounts
where customer_id in (select customer_id from overdue_pieces);

-- Their bills, for the history clauses of the risk grade: bill month (as year × 12 + month −
-- 1), issue and due dates, amount, and whether the bill still owed on its due date
-- (outstanding(b, due_on) > 0).
create table grading_bills as
select * from grading_bill_rows('bill_state')
order by month_no, customer_no;

-- Their last payment (amount > 0: not a reversal or refund) of each day they paid, valid
-- until the next day they paid: the last payment at D is the row with paid_on <= D < valid_to.
create or replace temp view graded_payments as
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

-- --- Key and high-energy accounts (重点客户, docs/DATA.md §6) ------------------------------

-- The posting days of the bills in large_customer_bills: paid so far (paid(b, D) is the last
-- step on or before D) and the balance before and after each day, so the day a bill was paid
-- in full is the last step that took a positive balance to 0.
create table large_customer_postings as
select bill_id, posted_on, paid_to_date, out_before, out_after
from bill_steps
where bill_id in (select bill_id from large_customer_bills)
order by bill_id, posted_on;

drop table bill_state;
