-- name: customers_for_matching
select c.id, c.display_name, c.first_name, c.last_name, c.company_name, c.email, c.phone,
       c.source_system, c.source_id
from public.customers c
where c.tenant_id = %(tenant_id)s

-- name: properties_for_matching
select p.id, p.customer_id, p.street, p.unit, p.city, p.postal_code, p.source_id, p.label
from public.properties p
where p.tenant_id = %(tenant_id)s and p.archived_at is null
