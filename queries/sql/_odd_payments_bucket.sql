-- After the split of a large extract (queries/extract.py), once per bucket, raw_bills and
-- raw_payments being that bucket's rows: the payments whose bill is not a bill of the same
-- customer in the bucket (odd_payments, _rollups.sql). Every other payment of a known customer
-- has its bill in its own bucket, with the same customer: it breaks neither bill rule of the
-- findings, and its bucket settles that bill with it.
insert into odd_payments by name
select p.*, (select bucket from build_bucket) as from_bucket
from raw_payments as p
left join raw_bills as b on b.bill_id = p.bill_id
where p.bill_id is not null
  and b.customer_id is distinct from p.customer_id;
