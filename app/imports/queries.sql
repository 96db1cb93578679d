-- name: create_import
insert into public.customer_imports
  (tenant_id, file_name, source_text, encoding, delimiter, headers, mapping, total_rows)
values (%(tenant_id)s, %(file_name)s, %(source_text)s, %(encoding)s, %(delimiter)s,
        %(headers)s, %(mapping)s, %(total_rows)s)
returning id

-- name: list_recent_imports
select id, file_name, status, total_rows, valid_rows, skipped_rows, created_at, finished_at
from public.customer_imports
where tenant_id = %(tenant_id)s
order by created_at desc, id desc
limit 10

-- name: get_import
select id, file_name, status, encoding, delimiter, headers, mapping, total_rows, valid_rows,
       skipped_rows, rows_done, problems, failure, attempts, created_at, queued_at, started_at,
       finished_at
from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: get_import_source
select source_text, delimiter, mapping
from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: save_preview
update public.customer_imports
   set status = 'previewed', mapping = %(mapping)s, valid_rows = %(valid_rows)s,
       skipped_rows = %(skipped_rows)s, problems = %(problems)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('uploaded', 'previewed')
returning id

-- name: queue_import
update public.customer_imports
   set status = 'queued', queued_at = now(), confirmed_by = auth.uid(), rows_done = 0,
       failure = '', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('previewed', 'failed')
returning id

-- name: start_import_inline
update public.customer_imports
   set status = 'running', started_at = now(), heartbeat_at = now(), attempts = attempts + 1,
       confirmed_by = auth.uid(), rows_done = 0, failure = '', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('previewed', 'failed')
returning attempts

-- name: cancel_import
update public.customer_imports
   set status = 'cancelled', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('uploaded', 'previewed', 'failed')
returning id

-- name: existing_contacts
select email, phone, display_name
from public.customers
where tenant_id = %(tenant_id)s
  and (email = any(%(emails)s::text[]) or phone = any(%(phones)s::text[]))

-- name: insert_customers
insert into public.customers
  (tenant_id, id, kind, first_name, last_name, company_name, email, phone, tags, lead_source,
   notes)
select %(tenant_id)s, r.id, r.kind, r.first_name, r.last_name, r.company_name, r.email, r.phone,
       r.tags, r.lead_source, r.notes
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, kind text, first_name text, last_name text, company_name text, email text,
  phone text, tags text[], lead_source text, notes text)

-- name: insert_properties
insert into public.properties
  (tenant_id, id, customer_id, street, unit, city, region, postal_code)
select %(tenant_id)s, r.id, r.customer_id, r.street, r.unit, r.city, r.region, r.postal_code
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  id uuid, customer_id uuid, street text, unit text, city text, region text, postal_code text)

-- name: record_progress
update public.customer_imports
   set rows_done = %(rows_done)s, heartbeat_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running'
   and attempts = %(attempt)s

-- name: finish_import
update public.customer_imports
   set status = 'done', valid_rows = %(valid_rows)s, skipped_rows = %(skipped_rows)s,
       rows_done = %(rows_done)s, problems = %(problems)s, finished_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running'
   and attempts = %(attempt)s
returning id

-- name: export_customers
-- A restricted customer (P-10) is kept but left out of the office's exports; the company's
-- full export still holds them.
select first_name, last_name, company_name, kind, email, phone,
       array_to_string(tags, '; ') as tags, lead_source, notes, preferred_contact,
       transactional_messages, marketing_consent, marketing_consent_at, do_not_contact,
       restrict_processing, created_at, id
from public.customers
where tenant_id = %(tenant_id)s and not restrict_processing
order by display_name, id

-- name: export_properties
select c.display_name as customer, p.label, p.street, p.unit, p.city, p.region, p.postal_code,
       p.country, p.property_type, p.square_feet, p.year_built, p.notes, p.latitude,
       p.longitude, p.geocode_status, p.created_at, p.id, p.customer_id
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
where p.tenant_id = %(tenant_id)s and not c.restrict_processing
order by c.display_name, p.street, p.id

-- name: export_equipment
select c.display_name as customer, p.street, p.city, e.kind, e.brand, e.model, e.serial,
       e.installed_on, e.warranty_ends_on, e.seer2, e.afue, e.hspf2, e.refrigerant,
       e.filter_size, e.notes, e.created_at, e.id, e.property_id
from public.equipment e
join public.properties p on p.tenant_id = e.tenant_id and p.id = e.property_id
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
where e.tenant_id = %(tenant_id)s and not c.restrict_processing
order by c.display_name, p.street, e.kind, e.id
