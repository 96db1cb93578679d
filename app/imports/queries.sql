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
-- The columns added for the imports come last, so that files read by older columns' positions
-- still line up; other numbers as [kind, number, extension] (app/imports/export.py words them).
select c.first_name, c.last_name, c.company_name, c.kind, c.email, c.phone,
       array_to_string(c.tags, '; ') as tags, c.lead_source, c.notes, c.preferred_contact,
       c.transactional_messages, c.marketing_consent, c.marketing_consent_at, c.do_not_contact,
       c.restrict_processing, c.created_at, c.id, c.phone_kind, c.phone_extension,
       (select jsonb_agg(jsonb_build_array(ph.kind, ph.number, ph.extension)
                         order by ph.created_at, ph.id)
          from public.customer_phones ph
         where ph.tenant_id = c.tenant_id and ph.customer_id = c.id
           and ph.contact_id is null) as other_phones,
       (select string_agg(em.kind || ': ' || em.email, '; ' order by em.created_at, em.id)
          from public.customer_emails em
         where em.tenant_id = c.tenant_id and em.customer_id = c.id
           and em.contact_id is null) as other_emails,
       c.billing_address, c.do_not_service, c.source_system, c.source_id
from public.customers c
where c.tenant_id = %(tenant_id)s and not c.restrict_processing
order by c.display_name, c.id

-- name: export_contacts
-- The contact people of the customers the office may export (not restricted ones).
select c.display_name as customer, ct.customer_id, ct.full_name, ct.title, ct.email, ct.phone,
       ct.phone_kind, ct.phone_extension,
       (select jsonb_agg(jsonb_build_array(ph.kind, ph.number, ph.extension)
                         order by ph.created_at, ph.id)
          from public.customer_phones ph
         where ph.tenant_id = ct.tenant_id and ph.customer_id = ct.customer_id
           and ph.contact_id = ct.id) as other_phones,
       (select string_agg(em.kind || ': ' || em.email, '; ' order by em.created_at, em.id)
          from public.customer_emails em
         where em.tenant_id = ct.tenant_id and em.customer_id = ct.customer_id
           and em.contact_id = ct.id) as other_emails,
       ct.id
from public.customer_contacts ct
join public.customers c on c.tenant_id = ct.tenant_id and c.id = ct.customer_id
where ct.tenant_id = %(tenant_id)s and not c.restrict_processing
order by c.display_name, ct.customer_id, ct.full_name, ct.id

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
