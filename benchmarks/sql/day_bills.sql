-- The bills a day's payments settle, in the order they are taken: the bills still owing (bill
-- amount less its posted payments, > 0), in a random order fixed by the seed; then the other bills
-- of the latest bill month, paid once more (an overpayment). Only bills issued by the day, of
-- known customers; money in fen. $day DATE, $seed BIGINT, $limit BIGINT
with bills as (select bill_id, customer_id, period, issued_on, amount from raw_bills),
customers as (select customer_id from raw_customers),
payments as (select bill_id, amount from raw_payments where posted_at is not null and bill_id is not null),
paid as (
    select bill_id, sum(amount) as paid
    from payments
    group by bill_id
),
issued as (
    select b.*
    from bills b
    where b.issued_on <= $day and b.customer_id in (select customer_id from customers)
),
latest_month as (select max(period) as period from issued),
balances as (
    select i.bill_id, i.customer_id, i.period, i.amount,
           i.amount - greatest(coalesce(p.paid, 0), 0) as outstanding
    from issued i
    left join paid p using (bill_id)
),
final as (
    select b.bill_id, b.customer_id, (b.amount * 100)::bigint as amount_fen,
           (greatest(b.outstanding, 0) * 100)::bigint as outstanding_fen, b.outstanding > 0 as owing
    from balances b, latest_month l
    where b.outstanding > 0 or (b.period = l.period and b.amount > 0)
)
select * from final
order by owing desc, hash(bill_id, $seed), bill_id
limit $limit
