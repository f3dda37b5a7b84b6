-- Refreshes an extract's rollups when new payments files were added to it (queries/refresh.py),
-- on a copy of its previous cache, instead of building everything again.
--
-- Why it can: a bill's rows in bill_state only change from its last posting day on, and every
-- rollup table is made by a macro of _parts.sql from bill rows or payments. So the bills the new
-- payments touch are taken at their last row (bill_tails: old_states), continued with the new
-- postings (new_states), and each table gets what new_states make minus what old_states made.
-- Summed tables take those differences (d_<table>, without the keys where they come to 0,
-- merged by queries/refresh.py); tables of rows lose the old rows and gain the new ones.
--
-- What it cannot, it says: a table named blocked_<reason> that ends up with rows sends the
-- extract to a full build (labels.REFRESH_BLOCKED names why).
--
-- Inputs: the cache's tables; views raw_new_payments (the new files), raw_old_payments (the
-- files the cache was made from), raw_payments (all of them), raw_customers, raw_bills,
-- raw_instalment_plans; the macros of _parts.sql.

-- The new files' payments, read once.
create temp table new_payments as
select * from raw_new_payments;

-- A payment_id used twice: refused (docs/DATA.md §4), with the message a full build gives.
create temp table blocked_duplicate_ids as
select payment_id
from new_payments
where payment_id is not null
group by payment_id
having count(*) > 1
union all
select payment_id
from new_payments
where payment_id in (select payment_id from raw_old_payments);

-- What they posted, per bill and posting day (as bill_paid and bill_day_postings in _rollups.sql).
create temp table new_days as
select
    bill_id, posted_on,
    sum(amount) as day_amount,
    bool_or(channel = 'bank' and amount > 0) as via_bank,
    count(*) filter (where same_day) as same_day_payments,
    sum(amount) filter (where same_day) as same_day_amount,
    arg_max(channel, (amount, payment_id)) filter (where same_day) as same_day_channel
from settling_payments('new_payments', 'accounts')
group by bill_id, posted_on;

-- The bills they name, as they were: each one's last row. The bills still owing come first in
-- bill_tails, so the others are read only for the ids not found among them (none, usually).
create temp table open_payment_bills as
select *
from bill_tails
where is_open and bill_id in (select bill_id from new_payments);

create temp table payment_bills as
select * from open_payment_bills
union all
select *
from bill_tails
where not is_open
  and bill_id in (select bill_id from new_payments
                  where bill_id not in (select bill_id from open_payment_bills));

-- The bills they settle, as they were.
create temp table old_states as
select * exclude (is_open)
from payment_bills
where bill_id in (select bill_id from new_days);

-- A posting dated before a day its bill already has a posting on changes the bill's earlier rows.
create temp table blocked_backdated as
select d.bill_id
from new_days as d
join old_states as t using (bill_id)
where d.posted_on < t.posted_on;

-- On the bill's last day, payments paid that day through another channel than before: the
-- channel of the day is that of its larger payment (then the later payment_id), old or new, so
-- those few bills' payments are read again (none, usually: nothing is read then).
create temp table last_day_conflicts as
select t.bill_id, t.posted_on
from old_states as t
join new_days as d on d.bill_id = t.bill_id and d.posted_on = t.posted_on
where t.same_day_channel <> d.same_day_channel;

create temp view last_day_payments as
select * from raw_payments where bill_id in (select bill_id from last_day_conflicts);

create temp table last_day_channels as
select p.bill_id, arg_max(p.channel, (p.amount, p.payment_id)) as same_day_channel
from settling_payments('last_day_payments', 'accounts') as p
join last_day_conflicts as c on p.bill_id = c.bill_id and p.posted_on = c.posted_on
where p.same_day
group by p.bill_id;

-- Their rows from the last day on: that day with what the new files posted on it, then the new days.
create temp table new_states as
with days as (
    select
        t.bill_id, t.posted_on, t.first_step,
        t.day_amount + coalesce(d.day_amount, 0) as day_amount,
        t.via_bank or coalesce(d.via_bank, false) as via_bank,
        t.same_day_payments + coalesce(d.same_day_payments, 0) as same_day_payments,
        case when d.same_day_amount is null then t.same_day_amount
             else coalesce(t.same_day_amount, 0) + d.same_day_amount end as same_day_amount,
        coalesce(c.same_day_channel, t.same_day_channel, d.same_day_channel) as same_day_channel
    from old_states as t
    left join new_days as d on d.bill_id = t.bill_id and d.posted_on = t.posted_on
    left join last_day_channels as c on c.bill_id = t.bill_id
    where t.posted_on is not null
    union all
    select
        d.bill_id, d.posted_on, t.posted_on is null as first_step, d.day_amount, d.via_bank,
        d.same_day_payments, d.same_day_amount, d.same_day_channel
    from new_days as d
    join old_states as t on t.bill_id = d.bill_id and (t.posted_on is null or d.posted_on > t.posted_on)
),
running as (
    select
        *,
        sum(day_amount) over w as posted_since,
        lead(posted_on) over w as next_posted_on,
        row_number() over w as n
    from days
    window w as (partition by bill_id order by posted_on)
)
select
    t.bill_id, t.customer_id, t.seg_id, t.period, t.issued_on, t.due_on, t.amount,
    r.posted_on, r.next_posted_on, r.first_step and r.n = 1 as first_step, r.via_bank,
    -- paid before the last day (none when never posted), plus what was posted since
    coalesce(t.paid_to_date - t.day_amount, 0) + r.posted_since as paid_to_date,
    r.day_amount, r.same_day_payments, r.same_day_amount, r.same_day_channel
from running as r
join old_states as t using (bill_id);

-- --- Summed tables: what new_states make minus what old_states made ---------------------------

create temp table d_out_events as
select seg_id, period, issued_on, posted_on, eff_date, sum(delta) as delta
from (
    select * from out_event_rows('new_states')
    union all
    select seg_id, period, issued_on, posted_on, eff_date, -delta from out_event_rows('old_states')
)
group by all
having sum(delta) <> 0;

create temp table d_cohorts as
select seg_id, period, issued_on, sum(bills) as bills, sum(billed) as billed, sum(out_open) as out_open,
       sum(out_final) as out_final
from (
    select * from cohort_rows('new_states')
    union all
    select seg_id, period, issued_on, -bills, -billed, -out_open, -out_final from cohort_rows('old_states')
)
group by all
having sum(bills) <> 0 or sum(billed) <> 0 or sum(out_open) <> 0 or sum(out_final) <> 0;

-- A posting in a year after every earlier one starts a new opening year (opening_years): its
-- arrears carried in are made from the whole tables, by a full build.
create temp table blocked_new_year as
select distinct year(eff_date) + 1 as year
from out_event_rows('new_states')
where year(eff_date) + 1 not in (select year from opening_years);

create temp table d_year_openings as
select * from year_opening_rows('d_cohorts', 'd_out_events', 'opening_years');

create temp table d_month_end_balances as
select * from month_end_rows('d_cohorts', 'd_out_events');

create temp table d_same_day_settlements as
select seg_id, paid_on, next_working_day, due_on, bill_year, channel,
       sum(bills) as bills, sum(payments) as payments, sum(settled) as settled
from (
    select * from same_day_settlement_rows('new_states')
    union all
    select seg_id, paid_on, next_working_day, due_on, bill_year, channel, -bills, -payments, -settled
    from same_day_settlement_rows('old_states')
)
group by all
having sum(bills) <> 0 or sum(payments) <> 0 or sum(settled) <> 0;

create temp table d_payment_days as
select * from payment_day_rows('new_payments', 'accounts');

create temp table d_postings_daily as
select * from posting_day_rows('d_payment_days');

-- --- Tables of rows: the old rows out, the new rows in -----------------------------------------

insert into late_postings
select * from late_posting_rows('new_payments', 'accounts');

create temp table old_pieces as
select bill_id, valid_from from overdue_piece_rows('old_states');

delete from overdue_pieces as o
using old_pieces as p
where o.bill_id = p.bill_id and o.valid_from = p.valid_from;

insert into overdue_pieces
select * from overdue_piece_rows('new_states');

-- Who is ever in arrears (graded_customers) changes only for the customers of the touched bills.
create temp table touched_customers as
select distinct customer_id from old_states;

create temp table touched_in_arrears as
select distinct customer_id
from overdue_pieces
where customer_id in (select customer_id from touched_customers);

-- A customer in arrears who never was (a reversal or refund reopened a bill): their whole
-- history enters the risk grade, which a full build makes.
create temp table blocked_new_arrears as
select customer_id
from touched_in_arrears
where customer_id not in (select customer_id from graded_customers);

create temp table left_arrears as
select customer_no, customer_id
from graded_customers
where customer_id in (select customer_id from touched_customers)
  and customer_id not in (select customer_id from touched_in_arrears);

create temp table old_grading_bills as
select bill_id from grading_bill_rows('old_states');

delete from grading_bills
where bill_id in (select bill_id from old_grading_bills)
   or customer_no in (select customer_no from left_arrears);

delete from last_payments
where customer_no in (select customer_no from left_arrears);

delete from graded_customers
where customer_no in (select customer_no from left_arrears);

insert into grading_bills
select * from grading_bill_rows('new_states');

-- The last payment of each day: for the customers who paid in the new files, the days from
-- their latest payment so far on (kept as a payment of its own) are made again.
create temp table payers as
select distinct customer_id
from new_payments
where amount > 0 and paid_at is not null;

create temp table open_last_payments as
select g.customer_id, g.customer_no, l.paid_on, l.paid_at, l.amount, l.channel, false as large
from graded_customers as g
left join last_payments as l on l.customer_no = g.customer_no and l.valid_to = 'infinity'
where g.customer_id in (select customer_id from payers)
union all
select a.customer_id, null, l.paid_on, l.paid_at, l.amount, l.channel, true
from large_accounts as a
left join large_customer_last_payments as l on l.customer_id = a.customer_id and l.valid_to = 'infinity'
where a.customer_id in (select customer_id from payers);

-- A payment paid before its customer's latest one, or at the very same moment, changes days
-- already kept (or needs the payment_id the kept row does not have).
create temp table blocked_earlier_payments as
select p.payment_id
from new_payments as p
join open_last_payments as o using (customer_id)
where p.amount > 0 and p.paid_at is not null
  and (p.paid_at::date < o.paid_on or p.paid_at = o.paid_at);

create temp table payer_payments as
select customer_id, payment_id, paid_at, amount, channel
from new_payments
where amount > 0 and paid_at is not null
  and customer_id in (select customer_id from open_last_payments)
union all
select distinct customer_id, null, paid_at, amount, channel
from open_last_payments
where paid_on is not null;

create temp table new_last_payments as
select * from last_payment_rows('payer_payments');

delete from last_payments
where valid_to = 'infinity'
  and customer_no in (select customer_no from open_last_payments where not large);

insert into last_payments
select o.customer_no, p.paid_on, p.paid_at, p.amount, p.channel, p.valid_to
from new_last_payments as p
join (select distinct customer_id, customer_no from open_last_payments where not large) as o using (customer_id);

delete from large_customer_last_payments
where valid_to = 'infinity'
  and customer_id in (select customer_id from open_last_payments where large);

insert into large_customer_last_payments
select *
from new_last_payments
where customer_id in (select customer_id from open_last_payments where large);

-- The posting steps kept bill by bill (instalment plans, large customers), and the plans' parts.
delete from instalment_postings as i
using old_states as t
where i.bill_id = t.bill_id and i.posted_on = t.posted_on;

insert into instalment_postings
select bill_id, posted_on, paid_to_date
from new_states
where posted_on is not null and bill_id in (select bill_id from raw_instalment_plans);

delete from large_customer_postings as l
using old_states as t
where l.bill_id = t.bill_id and l.posted_on = t.posted_on;

insert into large_customer_postings
select bill_id, posted_on, paid_to_date, out_before, out_after
from with_balances('new_states')
where posted_on is not null and bill_id in (select bill_id from large_customer_bills);

delete from instalment_parts
where bill_id in (select bill_id from old_states);

insert into instalment_parts
select *
from instalment_part_rows('raw_instalment_plans', 'bill_tails', 'instalment_postings')
where bill_id in (select bill_id from old_states);

-- The bills' last rows, for the next refresh (looked for where they were found).
delete from bill_tails
where is_open and bill_id in (select bill_id from old_states where bill_id in (select bill_id from open_payment_bills));

delete from bill_tails
where not is_open
  and bill_id in (select bill_id from old_states where bill_id not in (select bill_id from open_payment_bills));

insert into bill_tails
select *, bill_open(posted_on, amount, paid_to_date)
from new_states
where next_posted_on is null;

-- The extract's dates (as extract_dates in _rollups.sql; greatest and least skip nulls).
update extract_dates set
    default_as_of = greatest(default_as_of, (
        select max(posted_at)::date from new_payments
        where posted_at >= timestamp '1990-01-01'
          and (posted_at::date <= last_issued + 366 or last_issued is null))),
    first_paid = least(first_paid, (select min(paid_at)::date from new_payments)),
    last_paid = greatest(last_paid, (select max(paid_at)::date from new_payments));
