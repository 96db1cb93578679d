-- name: visits_today
-- Today's visits of the company by status (office), or the caller's own (technicians: RLS
-- shows them only theirs, and the assignment filter keeps office staff's own day separate).
select v.status, count(*) as n
from public.visits v
where v.tenant_id = %(tenant_id)s
  and v.window_starts_at >= %(day_starts)s and v.window_starts_at < %(day_ends)s
  and v.status <> 'canceled'
  and (%(mine)s::uuid is null or exists (
    select from public.visit_assignments a
    where a.tenant_id = v.tenant_id and a.visit_id = v.id and a.technician_id = %(mine)s
  ))
group by v.status

-- name: unscheduled_count
select count(*) from public.visits where tenant_id = %(tenant_id)s and status = 'unscheduled'

-- name: money
-- The Money card (office staff): estimates waiting for the customer's answer and what they
-- would bring at their highest option, what invoices still have due, and today's payments.
select
  (select count(*) from public.estimates e
    where e.tenant_id = %(tenant_id)s and e.status in ('sent', 'viewed')
      and e.valid_until >= %(today)s) as open_estimates,
  (select coalesce(sum(t.high), 0) from public.estimates e
    cross join lateral (
      select max(o.total) as high from public.estimate_option_totals o
      where o.tenant_id = e.tenant_id and o.estimate_id = e.id) t
    where e.tenant_id = %(tenant_id)s and e.status in ('sent', 'viewed')
      and e.valid_until >= %(today)s) as open_estimates_value,
  (select count(*) from public.invoices i
    where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid')) as unpaid_invoices,
  (select coalesce(sum(i.total - i.paid), 0) from public.invoices i
    where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid')) as unpaid_total,
  (select coalesce(sum(p.amount), 0) from public.payments p
    where p.tenant_id = %(tenant_id)s and p.received_on = %(today)s) as paid_today

-- name: privacy_requests_due
-- The Privacy requests card (office staff, P-10): the open requests the office must answer
-- next, soonest due first, each marked when past its due date, with how many are open.
select r.id, r.kind, r.due_on, r.due_on < %(today)s as overdue,
       coalesce(c.display_name, 'Erased customer') as customer_name,
       count(*) over () as open_count
  from public.privacy_requests r
  left join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
 where r.tenant_id = %(tenant_id)s and r.status = 'open'
 order by r.due_on, r.created_at, r.id
 limit 5
