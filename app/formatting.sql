-- name: company_time_zone
-- The zone every page shows the company's times in.
select time_zone from public.tenants where id = %(tenant_id)s
