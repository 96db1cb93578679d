-- The office's reports on invoices. Every statement names the company; the policies decide
-- again who may read.

-- name: ageing_buckets
-- How many invoices have a balance (sent or partly paid) in each ageing bucket, by days past
-- due on the company's day: current (not yet due), 1–30, 31–60, 61–90 or over 90 days; and
-- what they owe.
select b.bucket, count(*) as invoices, sum(b.balance) as balance
from (
  select i.total - i.paid as balance,
         case when i.due_on >= %(today)s then 'current'
              when %(today)s::date - i.due_on <= 30 then '1-30'
              when %(today)s::date - i.due_on <= 60 then '31-60'
              when %(today)s::date - i.due_on <= 90 then '61-90'
              else 'over-90' end as bucket
  from public.invoices i
  where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid')
) b
group by b.bucket

-- name: ageing_page
-- One page of the invoices with a balance, most overdue first, in one bucket's range of due
-- dates or all of them (%(due_after)s and %(due_by)s null).
select i.id, i.number, i.status, i.issued_on, i.due_on, i.currency, i.customer_id,
       i.bill_to_name, i.total, (i.total - i.paid) as balance,
       greatest(%(today)s::date - i.due_on, 0) as days_overdue
from public.invoices i
where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid')
  and (%(due_after)s::date is null or i.due_on > %(due_after)s)
  and (%(due_by)s::date is null or i.due_on <= %(due_by)s)
order by i.due_on, i.number
limit %(limit)s offset %(offset)s
