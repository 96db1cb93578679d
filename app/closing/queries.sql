-- name: close_company
-- The caller's own company (app.tenant_id()), by one of its owners; returns purge_after.
select app.close_company(%(company_name)s) as purge_after

-- name: reopen_company
select app.reopen_company()

-- name: close_company_for_platform
select app.close_company_for_platform(%(company)s, %(reason)s) as purge_after

-- name: reopen_company_for_platform
select app.reopen_company_for_platform(%(company)s)
