-- What each rollup table holds, as a function of the rows it is made from: the one definition
-- that both the full build (_rollups.sql, over every bill and payment) and the refresh
-- (_refresh.sql, over the bills and payments a new payments file touches) run. A table macro
-- takes the name of the table (or view) it reads, so the same SQL reads bill_state in a build
-- and the touched bills' states in a refresh. Temporary: not stored with the rollups.
--
-- A "state" table has bill_state's columns (one row per bill and posting day, docs/DATA.md §3):
-- bill_id, customer_id, seg_id, period, issued_on, due_on, amount, posted_on (null: never
-- posted), next_posted_on (null: the bill's last row), first_step (its first row), via_bank,
-- paid_to_date, day_amount, same_day_payments, same_day_amount, same_day_channel.
-- Every figure below is a sum over rows or a set of rows, so a table made from all bills
-- equals the old table minus what the touched bills' old rows made plus what their new rows
-- make (queries/refresh.py).
--
-- The build on Apache Spark runs these definitions too, translated by sqlglot with each macro
-- expanded where it is called (queries/spark.py): keep to SQL both engines have where a plain
-- form does the same (a values list rather than range(), a join rather than ASOF).

-- Outstanding of a bill before and after a posting day: with paid_to_date the running sum,
-- the balance before a day is the one after the day before (no posting: the bill's amount).
create temp macro balance_after(amount, paid_to_date) as
    greatest(0, amount - greatest(0, coalesce(paid_to_date, 0)));
create temp macro balance_before(amount, paid_to_date, day_amount) as
    greatest(0, amount - greatest(0, coalesce(paid_to_date - day_amount, 0)));

-- A bill still owing after its last row, or never posted to (bill_tails.is_open).
create temp macro bill_open(posted_on, amount, paid_to_date) as
    posted_on is null or balance_after(amount, paid_to_date) > 0;

-- The payments that settle bills: posted, with a bill, of a known customer (in-transit and
-- unbilled payments never count); same_day: paid on the day it was posted. `customers`: the
-- accounts the payers are looked up in (a bucket's own, in a build in buckets: a lookup in
-- every account would hold all of them in memory once per bucket).
create temp macro settling_payments(payments, customers) as table
select
    p.bill_id, p.payment_id, p.posted_at::date as posted_on, p.amount, p.channel,
    p.paid_at::date = p.posted_at::date as same_day
from query_table(payments) as p
where p.bill_id is not null
  and p.posted_at is not null
  and p.customer_id in (select customer_id from query_table(customers));

-- A state table's rows with their balance before and after the day.
create temp macro with_balances(states) as table
select *, balance_before(amount, paid_to_date, day_amount) as out_before,
          balance_after(amount, paid_to_date) as out_after
from query_table(states);

-- Changes of balance by segment, bill month, issue date and posting day (out_events).
create temp macro out_event_rows(states) as table
select
    seg_id, period, issued_on, posted_on,
    greatest(posted_on, issued_on) as eff_date,
    sum(out_after - out_before) as delta
from with_balances(states)
where posted_on is not null and out_after <> out_before
group by all;

-- Bills, billed and outstanding at issue and after every posting, by segment, month, issue date.
create temp macro cohort_rows(states) as table
select
    seg_id, period, issued_on,
    count(*) as bills,
    sum(amount) as billed,
    sum(greatest(0, amount)) as out_open,
    sum(out_after) as out_final
from with_balances(states)
where next_posted_on is null  -- each bill's last row: its balance after every posting
group by all;

-- Arrears carried into each year of `years` (年初陈欠), per segment: with E = 31 December of
-- year − 1, the balance at E of the bills of earlier months issued by E.
create temp macro year_opening_rows(cohorts, events, years) as table
with finals as (
    select y.year, c.seg_id, sum(c.out_final) as out_final
    from query_table(cohorts) as c
    join query_table(years) as y on c.period < make_date(y.year, 1, 1) and c.issued_on <= make_date(y.year - 1, 12, 31)
    group by all
),
settled_after_year_end as (
    select y.year, e.seg_id, sum(e.delta) as delta
    from query_table(events) as e
    join query_table(years) as y
      on e.period < make_date(y.year, 1, 1)
     and e.issued_on <= make_date(y.year - 1, 12, 31)
     and e.eff_date > make_date(y.year - 1, 12, 31)
    group by all
)
select year, seg_id, coalesce(f.out_final, 0) - coalesce(s.delta, 0) as prior_opening
from finals as f
full join settled_after_year_end as s using (year, seg_id);

-- Each year's recovery curve at its month ends, per segment (month_end_balances).
create temp macro month_end_rows(cohorts, events) as table
with changes as (  -- what first counts at each month end: bills issued, and postings
    select seg_id, year(period) as bill_year,
           case when year(issued_on) < year(period) then 0 else month(issued_on) end as month_no,
           billed, out_open as unpaid
    from query_table(cohorts)
    where year(issued_on) <= year(period)
    union all
    select seg_id, year(period),
           case when year(eff_date) < year(period) then 0 else month(eff_date) end,
           0, delta
    from query_table(events)
    where year(eff_date) <= year(period)
),
by_month as (
    select seg_id, bill_year, month_no, sum(billed) as billed, sum(unpaid) as unpaid
    from changes
    group by all
),
month_ends as (  -- every month end of every year a segment has bills in
    select s.seg_id, s.bill_year, m.month_no
    from (select distinct seg_id, bill_year from by_month) as s
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) as m(month_no)
),
running as (
    select
        e.seg_id, e.bill_year, e.month_no,
        sum(coalesce(b.billed, 0)) over w as billed,
        sum(coalesce(b.unpaid, 0)) over w as unpaid
    from month_ends as e
    left join by_month as b using (seg_id, bill_year, month_no)
    window w as (partition by e.seg_id, e.bill_year order by e.month_no)
)
select seg_id, bill_year, month_no::integer as month_no, billed, unpaid
from running
where billed <> 0 or unpaid <> 0;

-- Stretches of days on which a bill is issued, overdue and has a positive balance
-- (overdue_pieces): the arrears at D are the pieces with valid_from <= D < valid_to.
create temp macro overdue_piece_rows(states) as table
with states as (select * from with_balances(states)),
pieces as (
    -- before its first posting day (posted_on of its first row; none: open-ended)
    select bill_id, customer_id, seg_id, period, issued_on, due_on,
           date '0001-01-01' as from_day, posted_on as to_day, greatest(0, amount) as outstanding,
           0::decimal(38, 2) as paid_to_date, false as via_bank
    from states
    where first_step
    union all
    select bill_id, customer_id, seg_id, period, issued_on, due_on,
           posted_on, next_posted_on, out_after, paid_to_date, via_bank
    from states
    where posted_on is not null
),
clipped as (
    select *,
        greatest(from_day, due_on + 1, issued_on) as valid_from,
        coalesce(to_day, 'infinity'::date) as valid_to  -- open-ended, past any as-of date
    from pieces
    where outstanding > 0
)
select customer_id, seg_id, bill_id, period, issued_on, due_on, valid_from, valid_to, outstanding,
       paid_to_date, via_bank  -- paid so far, and whether that day's payment came through a bank
from clipped
where valid_from < valid_to;

-- What same-day posting saved (same_day_settlements, docs/DATA.md §6), per segment, day,
-- due date, bill year and channel.
create temp macro same_day_settlement_rows(states) as table
with settled as (
    select
        seg_id, posted_on as paid_on, due_on, year(period) as bill_year,
        same_day_channel as channel, same_day_payments as payments,
        posted_on + case isodow(posted_on) when 5 then 3 when 6 then 2 else 1 end as next_working_day,
        greatest(0, least(same_day_amount, out_before - out_after)) as settled
    from with_balances(states)
    where posted_on is not null and same_day_payments > 0
)
select
    seg_id, paid_on, next_working_day, due_on, bill_year, channel,
    count(*) as bills, sum(payments)::bigint as payments, sum(settled) as settled
from settled
where due_on < next_working_day and settled > 0
group by all;

-- The bills of the customers in graded_customers, for the history clauses of the risk grade
-- (grading_bills): bill month (as year × 12 + month − 1), issue and due dates, amount, and
-- whether the bill still owed on its due date (outstanding(b, due_on) > 0), from the row of
-- each bill that holds its balance on its due date.
create temp macro grading_bill_rows(states) as table
with owed_at_due as (
    select
        s.bill_id, s.customer_id, s.period, s.issued_on, s.due_on, s.amount,
        case when s.posted_on <= s.due_on then s.out_after else greatest(0, s.amount) end as outstanding
    from with_balances(states) as s
    where s.customer_id in (select customer_id from graded_customers)
      and (   (s.first_step and (s.posted_on is null or s.posted_on > s.due_on))  -- nothing posted by then
           or (s.posted_on <= s.due_on and (s.next_posted_on is null or s.next_posted_on > s.due_on)))
)
select
    g.customer_no,
    (year(b.period) * 12 + month(b.period) - 1)::integer as month_no,
    b.issued_on, b.due_on, b.amount,
    b.outstanding > 0 as owed_at_due,
    b.bill_id
from owed_at_due as b
join graded_customers as g using (customer_id);

-- Payments by segment, day paid, day posted (null: not posted) and channel (payment_days), of
-- the payers in `customers` (as in settling_payments).
create temp macro payment_day_rows(payments, customers) as table
select a.seg_id, p.paid_at::date as paid_on, p.posted_at::date as posted_on, p.channel,
       count(*) as payments, sum(p.amount) as amount,
       sum(p.amount) filter (where p.bill_id is null) as prepaid
from query_table(payments) as p
join query_table(customers) as a using (customer_id)
group by all;

-- Cash posted per segment and day (postings_daily), from payment_days rows.
create temp macro posting_day_rows(payment_days) as table
select seg_id, posted_on, sum(payments)::bigint as payments, sum(amount) as amount, sum(prepaid) as prepaid
from query_table(payment_days)
where posted_on is not null
group by all;

-- Payments not posted on the day they were paid (late_postings), of the payers in `customers`.
create temp macro late_posting_rows(payments, customers) as table
select p.payment_id, p.customer_id, a.seg_id, p.bill_id, p.paid_at, p.posted_at, p.amount, p.channel
from query_table(payments) as p
join query_table(customers) as a using (customer_id)
where p.posted_at is null or p.posted_at::date > p.paid_at::date;

-- Each customer's last payment (amount > 0: not a reversal or refund) of each day they paid,
-- valid until the next day they paid: the last payment at D is the row with
-- paid_on <= D < valid_to. `payments` holds the payments of the customers wanted.
create temp macro last_payment_rows(payments) as table
with ordered as (
    select
        p.customer_id, p.paid_at::date as paid_on, p.paid_at, p.amount, p.channel,
        lead(p.paid_at::date) over (partition by p.customer_id order by p.paid_at, p.payment_id) as next_paid_on
    from query_table(payments) as p
    where p.amount > 0 and p.paid_at is not null
)
select customer_id, paid_on, paid_at, amount, channel, coalesce(next_paid_on, 'infinity'::date) as valid_to
from ordered
where next_paid_on is distinct from paid_on;  -- the day's last

-- Instalment plans' parts (instalment_parts) with C_k, the plan's total due by the part's due
-- date, and paid(b, due_on) from the bills' posting steps in `postings`. `plans` and `bills`
-- are raw_instalment_plans and bill_tails (passed in: they do not exist yet when this is made).
create temp macro instalment_part_rows(plans, bills, postings) as table
with parts as (
    select
        bill_id, due_on, amount,
        sum(amount) over (partition by bill_id order by due_on
                          range between unbounded preceding and current row) as due_by_then
    from query_table(plans)
    where bill_id is not null and due_on is not null and amount is not null
)
select
    b.customer_id, b.seg_id, b.period, b.amount as bill_amount,
    p.bill_id, p.due_on, p.amount, p.due_by_then,
    coalesce(s.paid_to_date, 0) as paid_by_due
from parts as p
join query_table(bills) as b using (bill_id)
left join (  -- the last posting day of the bill on or before each part's due date
    select d.bill_id, d.due_on, max(s.posted_on) as posted_on
    from (select distinct bill_id, due_on from parts) as d
    join query_table(postings) as s on s.bill_id = d.bill_id and s.posted_on <= d.due_on
    group by all
) as l on l.bill_id = p.bill_id and l.due_on = p.due_on
left join query_table(postings) as s on s.bill_id = l.bill_id and s.posted_on = l.posted_on;
