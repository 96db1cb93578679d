-- The signed-in customer's data, section by section, read through their own policies (so a
-- section can only ever hold their rows); the tenant filter helps the planner.

-- name: customer
select x.* from public.customers x
where x.tenant_id = %(tenant_id)s and x.id = %(customer_id)s

-- name: contacts
select x.* from public.customer_contacts x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: properties
select x.* from public.properties x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: equipment
-- (Each read names the customer's rows: the homeowner policies filter rows, no index path.)
select x.* from public.equipment x
where x.tenant_id = %(tenant_id)s
  and x.property_id in (select p.id from public.properties p
                        where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s)
order by x.created_at

-- name: service_history
select x.* from public.equipment_service_records x
where x.tenant_id = %(tenant_id)s
  and x.equipment_id in (select e.id from public.equipment e
                         join public.properties p on p.tenant_id = e.tenant_id
                                                 and p.id = e.property_id
                         where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s)
order by x.serviced_at

-- name: jobs
select x.* from public.jobs x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: visits
select x.* from public.visits x
where x.tenant_id = %(tenant_id)s
  and x.job_id in (select j.id from public.jobs j
                   where j.tenant_id = %(tenant_id)s and j.customer_id = %(customer_id)s)
order by x.created_at

-- name: estimates
select x.* from public.estimates x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: estimate_options
select x.* from public.estimate_options x
where x.tenant_id = %(tenant_id)s order by x.estimate_id, x.position

-- name: estimate_lines
select x.* from public.estimate_lines x
where x.tenant_id = %(tenant_id)s order by x.estimate_id, x.option_id, x.position

-- name: invoices
select x.* from public.invoices x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: invoice_lines
select x.* from public.invoice_lines x
where x.tenant_id = %(tenant_id)s order by x.invoice_id, x.position

-- name: payments
select x.* from public.payments x where x.tenant_id = %(tenant_id)s order by x.created_at

-- name: agreements
select x.* from public.service_agreements x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: messages
select x.* from public.messages x
where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s order by x.created_at

-- name: record_download
select app.portal_record_access('portal data download', %(format)s)

-- name: record_views
-- Who at the company looked at this customer's record, newest first, a page at a time.
select v.role, v.first_name, v.viewed_at, v.what, v.view
from app.portal_record_views(%(before)s, %(limit)s) v
