-- How many existing payment ids start with the prefix the day's new ids use (must be none).
-- $prefix VARCHAR
with payments as (select payment_id from raw_payments),
final as (select count(*) as clashes from payments where starts_with(payment_id, $prefix))
select * from final
