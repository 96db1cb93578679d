-- name: company_zone
-- The signed-in homeowner's company's time zone (their own company's row).
select t.time_zone from public.tenants t where t.id = %(tenant_id)s
