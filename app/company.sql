-- name: company
select id, name, time_zone, status, currency, closed_at, purge_after,
       status = 'closed' and app.now() < purge_after as reopenable
from public.tenants where id = %(tenant_id)s

-- name: letterhead
-- What the company's documents (estimates, invoices) print about it.
select name, licence_number, address, phone, time_zone, logo_key
from public.tenants where id = %(tenant_id)s

-- name: technicians
-- Everyone who is or was a technician of the company (active first, then by name): what lists
-- and reports of the company's work may be narrowed to.
select account_id, full_name, status
from public.memberships
where tenant_id = %(tenant_id)s and role = 'technician'
order by status = 'active' desc, full_name, account_id
