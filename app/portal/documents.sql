-- name: list_estimates
-- The signed-in customer's estimates once sent (their own policy hides drafts), newest first;
-- a replaced one ('revised') is left out: its revision stands for it.
select e.id, e.number, e.revision, e.title, e.status, e.sent_at, e.valid_until, e.currency,
       (select min(t.total) from public.estimate_option_totals t
         where t.tenant_id = e.tenant_id and t.estimate_id = e.id) as total_from,
       (select t.total from public.estimate_option_totals t
         where t.tenant_id = e.tenant_id and t.option_id = e.approved_option_id) as approved_total,
       e.status in ('sent', 'viewed', 'approved', 'declined') as opens
from public.estimates e
where e.tenant_id = %(tenant_id)s and e.customer_id = %(customer_id)s and e.status <> 'revised'
order by e.sent_at desc nulls last, e.number desc

-- name: list_invoices
-- The signed-in customer's invoices once sent, open ones first.
select i.id, i.number, i.status, i.issued_on, i.due_on, i.currency, i.total,
       (i.total - i.paid)::numeric(14,2) as balance,
       i.status in ('sent', 'partly_paid', 'paid') as opens
from public.invoices i
where i.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
order by i.status in ('sent', 'partly_paid') desc, i.issued_on desc, i.number desc

-- name: list_payments
-- The payments of those invoices (the homeowner's policy: their own invoices).
select p.id, p.received_on, p.amount, p.method, i.number as invoice_number, i.currency
from public.payments p
join public.invoices i on i.tenant_id = p.tenant_id and i.id = p.invoice_id
where p.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
order by p.received_on desc, p.created_at desc

-- name: open_document
-- A new hour-long link to the signed-in customer's own estimate or invoice (null otherwise).
select app.portal_open_document(%(kind)s, %(document_id)s) as token
