-- name: demo_homeowner
-- The customer with an email and the most to see in the portal: sent estimates and invoices,
-- then visits.
select c.email
from public.customers c
where c.tenant_id = %(t)s and c.email <> ''
order by (select count(*) from public.estimates e
           where e.tenant_id = c.tenant_id and e.customer_id = c.id and e.status <> 'draft')
       + (select count(*) from public.invoices i
           where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.status <> 'draft') desc,
         (select count(*) from public.jobs j
           where j.tenant_id = c.tenant_id and j.customer_id = c.id) desc,
         c.created_at, c.id
limit 1

-- name: latest_sign_in_message
select body_text
from outbox.messages
where kind = 'portal_sign_in' and to_address = %(to)s
order by created_at desc
limit 1
