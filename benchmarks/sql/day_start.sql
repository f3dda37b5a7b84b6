-- Where a day of new payments starts: the latest plausible posting date (docs/DATA.md §3: from
-- 1990 to 366 days after the latest issued_on) and the latest bill month issued by then.
-- (no parameters)
with payments as (select posted_at from raw_payments),
bills as (select period, issued_on from raw_bills),
latest_issue as (select max(issued_on) as issued_on from bills),
final as (
    select max(p.posted_at::date) as last_posted_on
    from payments p, latest_issue l
    where p.posted_at::date between date '1990-01-01' and l.issued_on + 366
)
select * from final
