-- name: company
select id, name, time_zone, status, currency from public.tenants where id = %(tenant_id)s
