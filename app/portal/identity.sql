-- name: session_of
-- The open portal session a browser's secret names (the definer hashes it).
select session_id, tenant_id, customer_id from app.portal_session_of(%(token)s)

-- name: homeowner
-- The signed-in customer and their company, as the homeowner reads them (their own policies).
select c.display_name, t.name as company_name, t.brand_colour, t.phone as company_phone,
       t.logo_key
from public.customers c
join public.tenants t on t.id = c.tenant_id
where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s

-- name: end_session
select app.end_portal_session()
