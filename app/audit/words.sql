-- What the audit viewer needs to put a log entry in words.

-- name: audited_tables
-- Every table whose changes are logged (the audit_changes trigger flask db up attaches), so a
-- new company table appears in the viewer's "What" filter the day it lands.
-- (No parameters: the % of format() is written once.)
select format('%I.%I', n.nspname, c.relname) as name
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
where t.tgname = 'audit_changes' and not t.tgisinternal
order by 1

-- name: name_customers
select id::text as id, display_name as name, null::timestamptz as at
from public.customers where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_jobs
select j.id::text as id, j.summary || ' at ' || p.street as name, null::timestamptz as at
from public.jobs j
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
where j.tenant_id = %(tenant_id)s and j.id = any(%(ids)s::uuid[])

-- name: name_visits
select id::text as id, null::text as name, window_starts_at as at
from public.visits where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_properties
select id::text as id, concat_ws(', ', nullif(street, ''), nullif(city, '')) as name,
       null::timestamptz as at
from public.properties where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_equipment
select id::text as id, concat_ws(' ', nullif(brand, ''), kind) as name, null::timestamptz as at
from public.equipment where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_service_agreements
select id::text as id, name, null::timestamptz as at
from public.service_agreements where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_customer_contacts
select id::text as id, full_name as name, null::timestamptz as at
from public.customer_contacts where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_customer_notes
select n.id::text as id, 'on ' || c.display_name as name, null::timestamptz as at
from public.customer_notes n
join public.customers c on c.tenant_id = n.tenant_id and c.id = n.customer_id
where n.tenant_id = %(tenant_id)s and n.id = any(%(ids)s::uuid[])

-- name: name_time_off
select o.id::text as id, m.full_name as name, lower(o.during) as at
from public.time_off o
join public.memberships m on m.tenant_id = o.tenant_id and m.account_id = o.technician_id
where o.tenant_id = %(tenant_id)s and o.id = any(%(ids)s::uuid[])

-- name: name_memberships
select id::text as id, full_name as name, null::timestamptz as at
from public.memberships where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_invitations
select id::text as id, email as name, null::timestamptz as at
from public.invitations where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: name_customer_imports
select id::text as id, file_name as name, null::timestamptz as at
from public.customer_imports where tenant_id = %(tenant_id)s and id = any(%(ids)s::uuid[])

-- name: company_members
select account_id, full_name from public.memberships where tenant_id = %(tenant_id)s
order by full_name
