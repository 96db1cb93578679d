-- name: create_import
insert into public.customer_imports
  (tenant_id, kind, file_name, source_text, encoding, delimiter, headers, mapping, source,
   options, total_rows)
values (%(tenant_id)s, %(kind)s, %(file_name)s, %(source_text)s, %(encoding)s, %(delimiter)s,
        %(headers)s, %(mapping)s, %(source)s, %(options)s, %(total_rows)s)
returning id

-- name: list_recent_imports
select id, kind, file_name, status, total_rows, valid_rows, skipped_rows, created_at,
       finished_at
from public.customer_imports
where tenant_id = %(tenant_id)s
order by created_at desc, id desc
limit 10

-- name: get_import
select id, kind, file_name, status, encoding, delimiter, headers, mapping, source, options,
       total_rows, valid_rows, new_rows, updated_rows, unchanged_rows, merged_rows,
       flagged_rows, skipped_rows, rows_done, problems, failure, attempts, created_at,
       queued_at, started_at, finished_at, undone_at, source_text <> '' as file_kept
from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: get_import_source
select kind, source_text, delimiter, encoding, mapping, options
from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: save_preview
update public.customer_imports
   set status = 'previewed', mapping = %(mapping)s, options = %(options)s,
       total_rows = %(total_rows)s, valid_rows = %(valid_rows)s, new_rows = %(new_rows)s,
       updated_rows = %(updated_rows)s, unchanged_rows = %(unchanged_rows)s,
       merged_rows = %(merged_rows)s, flagged_rows = %(flagged_rows)s,
       skipped_rows = %(skipped_rows)s, problems = %(problems)s, failure = '', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
   and status in ('uploaded', 'checking', 'previewed')
returning id

-- name: queue_preview
-- A large file is planned by the import job: its mapping and options wait with it.
update public.customer_imports
   set status = 'checking', mapping = %(mapping)s, options = %(options)s, failure = '',
       attempts = 0, updated_at = now()
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
 where tenant_id = %(tenant_id)s and id = %(id)s
   and status in ('uploaded', 'checking', 'previewed', 'failed')
returning id

-- name: delete_items
delete from public.import_items
where tenant_id = %(tenant_id)s and import_id = %(import_id)s

-- name: insert_items
insert into public.import_items
  (tenant_id, import_id, position, kind, action, lines, label, data, flags, target_id)
select %(tenant_id)s, %(import_id)s, r.position, r.kind, r.action, r.lines, r.label, r.data,
       r.flags, r.target_id
from jsonb_to_recordset(%(rows)s::jsonb) as r(
  position integer, kind text, action text, lines integer[], label text, data jsonb,
  flags jsonb, target_id uuid)

-- name: page_items
-- One page of the preview, in the file's order; `flagged` keeps to items with flags.
select position, kind, action, lines, label, data, flags, target_id
from public.import_items
where tenant_id = %(tenant_id)s and import_id = %(import_id)s
  and (not %(flagged)s or flags <> '[]')
  and (%(action)s = '' or action = %(action)s)
order by position
limit %(limit)s offset %(offset)s

-- name: count_items
select count(*) as n
from public.import_items
where tenant_id = %(tenant_id)s and import_id = %(import_id)s
  and (not %(flagged)s or flags <> '[]')
  and (%(action)s = '' or action = %(action)s)

-- name: flagged_items
-- Every item with a flag, for the CSV of rows to check.
select lines, label, flags
from public.import_items
where tenant_id = %(tenant_id)s and import_id = %(import_id)s and flags <> '[]'
order by position

-- name: record_written
-- Only the run itself may record what it wrote (the function checks it is this member's
-- running import and that this transaction wrote each row).
select app.record_import_writes(%(import_id)s, %(rows)s::jsonb) as recorded

-- name: seal_written
select app.seal_import_writes(%(import_id)s, %(untracked)s::text[]) as sealed

-- name: lock_for_undo
select status, exists (select from public.import_records r
                        where r.tenant_id = i.tenant_id and r.import_id = i.id)
               and source_text <> '' as undoable
from public.customer_imports i
where tenant_id = %(tenant_id)s and id = %(id)s
for update

-- name: written_tables
select distinct table_name
from public.import_records
where tenant_id = %(tenant_id)s and import_id = %(import_id)s

-- name: changed_since
-- Composed with the table's name. Rows the import wrote that are gone or differ from how it left them.
select count(*)::integer as changed
from public.import_records r
left join {table} t on t.tenant_id = r.tenant_id and t.id = r.row_id
where r.tenant_id = %(tenant_id)s and r.import_id = %(import_id)s
  and r.table_name = %(table_name)s
  and (t.id is null or md5((to_jsonb(t) - %(untracked)s::text[])::text) <> r.after_digest)

-- name: referred_to_by
-- Composed with the referring table, its column and its own id. Records the import created that rows it did not write
-- now refer to.
select count(*)::integer as referring, count(distinct r.row_id)::integer as targets
from {source} s
join public.import_records r
  on r.tenant_id = s.tenant_id and r.row_id = s.{column} and r.import_id = %(import_id)s
 and r.table_name = %(table_name)s and r.action = 'created'
where s.tenant_id = %(tenant_id)s
  and not exists (select from public.import_records o
                   where o.tenant_id = s.tenant_id and o.import_id = %(import_id)s
                     and o.table_name = %(source_name)s and o.row_id = {own})

-- name: delete_created
-- Composed with the table's name. How many were deleted, and how many should have been (row
-- level security may keep some from this member: customers are deleted by managers only).
with gone as (
  delete from {table} t
  using public.import_records r
  where r.tenant_id = %(tenant_id)s and r.import_id = %(import_id)s
    and r.table_name = %(table_name)s and r.action = 'created'
    and t.tenant_id = r.tenant_id and t.id = r.row_id
  returning 1)
select (select count(*) from gone)::integer as deleted,
       (select count(*) from public.import_records r
         where r.tenant_id = %(tenant_id)s and r.import_id = %(import_id)s
           and r.table_name = %(table_name)s and r.action = 'created')::integer as created

-- name: void_created_invoices
-- Undoing an import voids the invoices it made (a balance brought forward), keeping their
-- numbers: a sent invoice is never deleted (P-12).
update public.invoices i
   set status = 'void', voided_at = now(), updated_at = now(),
       void_reason = 'The import that brought this balance forward was undone.'
  from public.import_records r
 where r.tenant_id = %(tenant_id)s and r.import_id = %(import_id)s
   and r.table_name = 'public.invoices' and r.action = 'created'
   and i.tenant_id = r.tenant_id and i.id = r.row_id and i.status <> 'void'

-- name: updated_records
select table_name, row_id, before
from public.import_records
where tenant_id = %(tenant_id)s and import_id = %(import_id)s and action = 'updated'
order by table_name, row_id

-- name: restore_updated
-- Composed with the table's name and the columns to put back.
update {table} t
   set ({columns}) = (select {columns} from jsonb_populate_record(null::{table}, %(before)s))
 where t.tenant_id = %(tenant_id)s and t.id = %(row_id)s
returning t.id

-- name: mark_undone
-- undone_by is the member's (app.import_steps)
update public.customer_imports
   set status = 'undone', undone_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(import_id)s and status = 'done'

-- name: preview_failed
update public.customer_imports
   set status = 'uploaded', failure = %(failure)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('uploaded', 'previewed')

-- name: run_failed
update public.customer_imports
   set status = 'failed', failure = %(failure)s, finished_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running'

-- name: still_running
-- Whether the run's attempt is still the import's (not finished or taken over meanwhile); not
-- locked: progress is recorded on the row from transactions of its own while the run writes.
select status = 'running' and attempts = %(attempt)s as running
from public.customer_imports
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: record_progress
update public.customer_imports
   set rows_done = %(rows_done)s, heartbeat_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running'
   and attempts = %(attempt)s

-- name: finish_import
update public.customer_imports
   set status = 'done', total_rows = %(total_rows)s, valid_rows = %(valid_rows)s,
       new_rows = %(new_rows)s, updated_rows = %(updated_rows)s,
       unchanged_rows = %(unchanged_rows)s, merged_rows = %(merged_rows)s,
       flagged_rows = %(flagged_rows)s, skipped_rows = %(skipped_rows)s,
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
