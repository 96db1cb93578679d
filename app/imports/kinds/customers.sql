-- name: find_existing
-- The company's customers a file's rows may be: by the old system's id, else by an email of
-- the customer (not of a contact person) or its primary phone. Read only; each part uses its
-- index.
with found as (
  select c.id from public.customers c
  join unnest(%(source_ids)s::text[]) as s(source_id) on c.source_id = s.source_id
  where c.tenant_id = %(tenant_id)s and c.source_system = %(source_system)s
    and c.source_id <> ''
  union
  select c.id from public.customers c
  join unnest(%(emails)s::text[]) as e(email) on c.email = e.email
  where c.tenant_id = %(tenant_id)s and c.email <> ''
  union
  select c.id from public.customers c
  join unnest(%(phones)s::text[]) as p(phone) on c.phone = p.phone
  where c.tenant_id = %(tenant_id)s and c.phone <> ''
  union
  select o.customer_id from public.customer_emails o
  join unnest(%(emails)s::text[]) as e(email) on o.email = e.email
  where o.tenant_id = %(tenant_id)s and o.contact_id is null
)
select c.id, c.kind, c.first_name, c.last_name, c.company_name, c.email, c.phone, c.phone_kind,
       c.phone_extension, c.tags, c.lead_source, c.notes, c.do_not_service, c.do_not_contact,
       c.billing_address, c.source_system, c.source_id, c.display_name
from public.customers c
where c.tenant_id = %(tenant_id)s and c.id in (select id from found)
order by c.created_at, c.id

-- name: existing_children
-- What those customers already have, so that an import adds only what is new.
select customer_id, 'contact' as what, full_name as a, '' as b, '' as c
from public.customer_contacts
where tenant_id = %(tenant_id)s and customer_id = any(%(ids)s::uuid[])
union all
select customer_id, 'phone', number, extension, ''
from public.customer_phones
where tenant_id = %(tenant_id)s and customer_id = any(%(ids)s::uuid[]) and contact_id is null
union all
select customer_id, 'email', email, '', ''
from public.customer_emails
where tenant_id = %(tenant_id)s and customer_id = any(%(ids)s::uuid[]) and contact_id is null

-- name: existing_properties
select id, customer_id, street, unit, city, region, postal_code, country, label, source_id
from public.properties
where tenant_id = %(tenant_id)s and customer_id = any(%(ids)s::uuid[])
order by created_at, id

-- name: insert_customers
insert into public.customers
  (tenant_id, id, kind, first_name, last_name, company_name, email, phone, phone_kind,
   phone_extension, tags, lead_source, notes, do_not_service, do_not_contact, billing_address,
   source_system, source_id)
select %(tenant_id)s, r.id, r.kind, r.first_name, r.last_name, r.company_name, r.email, r.phone,
       r.phone_kind, r.phone_extension, r.tags, r.lead_source, r.notes, r.do_not_service,
       r.do_not_contact, r.billing_address, r.source_system, r.source_id
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, kind text, first_name text, last_name text, company_name text, email text,
  phone text, phone_kind text, phone_extension text, tags text[], lead_source text, notes text,
  do_not_service boolean, do_not_contact boolean, billing_address text, source_system text,
  source_id text)

-- name: update_customers
-- Only the columns each row's `changes` names; `before` is the row as it was (for undo).
with r as (
  select * from jsonb_to_recordset(%(rows)s::jsonb) as r(id uuid, changes jsonb)
), before as (
  select c.id, to_jsonb(c) as row
  from public.customers c join r on r.id = c.id
  where c.tenant_id = %(tenant_id)s
  for update of c
)
update public.customers c
   set kind = coalesce(r.changes ->> 'kind', c.kind),
       first_name = coalesce(r.changes ->> 'first_name', c.first_name),
       last_name = coalesce(r.changes ->> 'last_name', c.last_name),
       company_name = coalesce(r.changes ->> 'company_name', c.company_name),
       email = coalesce(r.changes ->> 'email', c.email),
       phone = coalesce(r.changes ->> 'phone', c.phone),
       phone_kind = coalesce(r.changes ->> 'phone_kind', c.phone_kind),
       phone_extension = coalesce(r.changes ->> 'phone_extension', c.phone_extension),
       tags = case when r.changes ? 'tags'
                   then array(select jsonb_array_elements_text(r.changes -> 'tags'))
                   else c.tags end,
       lead_source = coalesce(r.changes ->> 'lead_source', c.lead_source),
       notes = coalesce(r.changes ->> 'notes', c.notes),
       do_not_service = coalesce((r.changes ->> 'do_not_service')::boolean, c.do_not_service),
       do_not_contact = coalesce((r.changes ->> 'do_not_contact')::boolean, c.do_not_contact),
       billing_address = coalesce(r.changes ->> 'billing_address', c.billing_address),
       updated_at = now()
  from r join before b on b.id = r.id
 where c.tenant_id = %(tenant_id)s and c.id = r.id
returning c.id, b.row as before

-- name: insert_properties
insert into public.properties
  (tenant_id, id, customer_id, label, street, unit, city, region, postal_code, country,
   property_type, source_id, square_feet, year_built, notes)
select %(tenant_id)s, r.id, r.customer_id, r.label, r.street, r.unit, r.city, r.region,
       r.postal_code, r.country, r.property_type, r.source_id, r.square_feet, r.year_built,
       coalesce(r.notes, '')
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, customer_id uuid, label text, street text, unit text, city text, region text,
  postal_code text, country text, property_type text, source_id text, square_feet integer,
  year_built integer, notes text)

-- name: insert_contacts
insert into public.customer_contacts
  (tenant_id, id, customer_id, full_name, title, email, phone, phone_kind, phone_extension)
select %(tenant_id)s, r.id, r.customer_id, r.full_name, r.title, r.email, r.phone, r.phone_kind,
       r.phone_extension
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, customer_id uuid, full_name text, title text, email text, phone text,
  phone_kind text, phone_extension text)

-- name: insert_phones
insert into public.customer_phones
  (tenant_id, id, customer_id, contact_id, kind, number, extension)
select %(tenant_id)s, r.id, r.customer_id, r.contact_id, r.kind, r.number, r.extension
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, customer_id uuid, contact_id uuid, kind text, number text, extension text)

-- name: insert_emails
insert into public.customer_emails (tenant_id, id, customer_id, contact_id, kind, email)
select %(tenant_id)s, r.id, r.customer_id, r.contact_id, r.kind, r.email
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, customer_id uuid, contact_id uuid, kind text, email text)

-- name: update_properties
-- A service location the old system's file now says otherwise (a corrected ZIP, a new name).
with r as (
  select * from jsonb_to_recordset(%(rows)s::jsonb) as r(id uuid, changes jsonb)
), before as (
  select p.id, to_jsonb(p) as row
  from public.properties p join r on r.id = p.id
  where p.tenant_id = %(tenant_id)s
  for update of p
)
update public.properties p
   set street = coalesce(r.changes ->> 'street', p.street),
       unit = coalesce(r.changes ->> 'unit', p.unit),
       city = coalesce(r.changes ->> 'city', p.city),
       region = coalesce(r.changes ->> 'region', p.region),
       postal_code = coalesce(r.changes ->> 'postal_code', p.postal_code),
       country = coalesce(r.changes ->> 'country', p.country),
       label = coalesce(r.changes ->> 'label', p.label),
       updated_at = now()
  from r join before b on b.id = r.id
 where p.tenant_id = %(tenant_id)s and p.id = r.id
returning p.id, b.row as before

-- name: known_source_ids
-- Which of the ids a file's nameless rows give are the company's customers' (a properties or
-- contacts file naming each customer by the old system's id).
select c.source_id
from public.customers c
join unnest(%(source_ids)s::text[]) as s(source_id) on c.source_id = s.source_id
where c.tenant_id = %(tenant_id)s and c.source_system = %(source_system)s and c.source_id <> ''
