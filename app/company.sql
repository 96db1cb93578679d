-- name: company
select id, name, time_zone, status, currency from public.tenants where id = %(tenant_id)s

-- name: letterhead
-- What the company's documents (estimates, invoices) print about it.
select name, licence_number, address, phone, time_zone, logo_key
from public.tenants where id = %(tenant_id)s
