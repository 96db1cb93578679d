-- The office's reports on invoices. Every statement names the company; the policies decide
-- again who may read.

-- name: ageing
-- Every invoice with a balance (sent or partly paid), with how many days it is past due on
-- the company's day and the bucket that puts it in: current (not yet due), 1–30, 31–60, 61–90
-- or over 90 days. Most overdue first.
select i.id, i.number, i.status, i.issued_on, i.due_on, i.currency, i.customer_id,
       i.bill_to_name, t.total, t.balance,
       greatest(%(today)s::date - i.due_on, 0) as days_overdue,
       case when i.due_on >= %(today)s then 'current'
            when %(today)s::date - i.due_on <= 30 then '1-30'
            when %(today)s::date - i.due_on <= 60 then '31-60'
            when %(today)s::date - i.due_on <= 90 then '61-90'
            else 'over-90' end as bucket
from public.invoices i
join public.invoice_totals t on t.tenant_id = i.tenant_id and t.invoice_id = i.id
where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid') and t.balance > 0
order by i.due_on, i.number
