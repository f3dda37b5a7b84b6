-- Customers who pay ahead without a bill (prepayments, 预收) on the day: a random sample fixed
-- by the seed. $seed BIGINT, $limit BIGINT
with customers as (select customer_id from raw_customers),
final as (select customer_id from customers)
select * from final
order by hash(customer_id, $seed), customer_id
limit $limit
