-- After the per-bucket pass (_odd_payments_bucket.sql), on the whole extract again.

-- The payments of customers not in customers (the split has none of them) count nowhere, but
-- the findings look their bills up too.
insert into odd_payments by name
select p.* exclude (source_file)
from raw_payments as p
where p.bill_id is not null
  and not exists (select 1 from accounts as a where a.customer_id = p.customer_id);

-- Each one's bill, looked up among all bills of the extract: whether there is one, whose it
-- is, and the bucket of that customer's segment (null when the customer is not known), where
-- the payment settles it.
insert into odd_payment_bills
select o.*, b.bill_id is not null, b.customer_id, a.seg_id % (select buckets from build_bucket)
from odd_payments as o
left join (select bill_id, customer_id from raw_bills where bill_id is not null) as b on b.bill_id = o.bill_id
left join accounts as a on a.customer_id = b.customer_id;

drop table odd_payments;
