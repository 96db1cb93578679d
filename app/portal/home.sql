-- name: next_visit
-- The signed-in customer's next planned visit (app.portal_visits answers for them only).
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.time_zone, v.job_summary,
       v.technician
from app.portal_visits() v
where v.status in ('scheduled', 'dispatched', 'en_route', 'on_site')
order by v.window_starts_at
limit 1

-- name: waiting
-- What waits for the homeowner: estimates to approve, invoices to pay and what they owe.
select
  (select count(*) from public.estimates e
    where e.tenant_id = %(tenant_id)s and e.customer_id = %(customer_id)s
      and e.status in ('sent', 'viewed')) as estimates_to_approve,
  (select count(*) from public.invoices i
    where i.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
      and i.status in ('sent', 'partly_paid')) as invoices_due,
  (select sum(i.total - i.paid) from public.invoices i
    where i.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
      and i.status in ('sent', 'partly_paid')) as balance_due,
  (select t.currency from public.tenants t where t.id = %(tenant_id)s) as currency
