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
--
-- The build runs this file, then _rollups_buckets.sql for each bucket of segments (one bucket
-- for all but the largest extracts), then _rollups_after.sql.

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

-- The bills whose customer is not known (no row in bill_tails): a refresh looks a new
-- payment's bill up in these two tables rather than in every bill of the extract.
create table other_bills as
select bill_id, customer_id
from raw_bills
where bill_id is not null
  -- not exists rather than not in: the same rows (no account's id is null), and an anti join on
  -- any engine (Spark runs a not in of many rows as a nested loop)
  and not exists (select 1 from accounts as a where a.customer_id = raw_bills.customer_id);

-- The few dozen large-industry, high-energy and key accounts (重点客户) of a branch: their
-- bills, postings and payments are kept one by one.
create table large_accounts as
select customer_id
from accounts
where is_high_energy or category = 'large_industry' or is_key_account;

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

-- The bucket the build is at (queries/extract.py sets it: bucket of buckets): its customers are
-- those whose segment is seg_id % buckets = bucket.
create temp table build_bucket (bucket integer, buckets integer);

create temp view bucket_accounts as
select *
from accounts
where seg_id % (select buckets from build_bucket) = (select bucket from build_bucket);

-- A large extract's payments whose bill is not a bill of the same customer in their bucket:
-- they pay another customer's bill (maybe in another bucket) or no bill of the extract
-- (queries/sql/_odd_payments*.sql fills them after the split, with where each bill was found).
-- A payment counts toward its bill whoever paid it (docs/DATA.md §3), so a bucket also settles
-- its bills with the payments of other buckets' customers that point to them (incoming_payments);
-- the findings look up only these payments' bills. A build of one bucket has none of them.
create temp table odd_payments as
select p.* exclude (source_file), null::integer as from_bucket
from raw_payments as p
where false;

create temp table odd_payment_bills as
select *, null::boolean as bill_known, null::varchar as bill_customer_id, null::integer as to_bucket
from odd_payments;

create temp view incoming_payments as
select * exclude (from_bucket, bill_known, bill_customer_id, to_bucket)
from odd_payment_bills
where to_bucket = (select bucket from build_bucket) and from_bucket <> to_bucket;

-- Their payers (every one a known customer of another bucket: the split holds no other).
create temp view incoming_payers as
select distinct customer_id from incoming_payments;
