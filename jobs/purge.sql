-- The purge of closed companies (jobs/purge.py, jobs/purge_plan.py), as service_role.

-- name: due_companies
select t.id from public.tenants t
 where t.status = 'closed' and t.purge_after <= app.now()
 order by t.purge_after, t.id
 limit %(batch)s
 for update skip locked

-- name: start_purge
with company as (
  update public.tenants t set status = 'purging'
   where t.id = %(company)s and t.status = 'closed'
  returning t.id, t.name, t.closed_at, t.purge_after
)
insert into app.purges (company_id, company_name, closed_at, scheduled_for, started_at, recipients)
select c.id, c.name, c.closed_at, c.purge_after, app.now(),
       array(select m.email from public.memberships m
              where m.tenant_id = c.id and m.role = 'owner' and m.status = 'active'
              order by m.created_at, m.account_id)
  from company c
returning id

-- name: add_step
insert into app.purge_steps (purge_id, position, table_name, on_purge, rows_found, done)
values (%(purge)s, %(position)s, %(table)s, %(on_purge)s, %(found)s, %(on_purge)s = 'keep')

-- name: purge_rules
select table_name, on_purge from app.retention_rules where on_purge is not null

-- name: personal_columns
select column_name from audit.personal_columns where table_name = %(table)s order by 1

-- name: claim_purge
update app.purges p set claimed_by = %(worker)s, claimed_until = app.now() + %(lease)s::interval
 where p.id = (select q.id from app.purges q
                where q.status = 'running'
                  and (q.claimed_until is null or q.claimed_until < app.now())
                order by q.started_at, q.id
                limit 1
                for update skip locked)
returning p.id, p.company_id

-- name: hold_purge
update app.purges p set claimed_until = app.now() + %(lease)s::interval
 where p.id = %(purge)s and p.claimed_by = %(worker)s and p.status = 'running'
returning p.id, p.company_id, p.files_found, p.files_done

-- name: next_step
select position, table_name, on_purge, after_id from app.purge_steps
 where purge_id = %(purge)s and not done
 order by position
 limit 1

-- name: record_batch
update app.purge_steps
   set rows_deleted = rows_deleted + %(deleted)s,
       rows_anonymised = rows_anonymised + %(anonymised)s,
       after_id = coalesce(%(after)s, after_id),
       done = %(done)s
 where purge_id = %(purge)s and position = %(position)s

-- name: files_found
update app.purges set files_found = %(found)s where id = %(purge)s and files_found is null

-- name: files_removed
update app.purges
   set files_removed = files_removed + %(removed)s, files_done = %(done)s
 where id = %(purge)s

-- name: purge_of
select p.*, t.name from app.purges p join public.tenants t on t.id = p.company_id
 where p.id = %(purge)s

-- name: steps_of
select table_name, on_purge, rows_found, rows_deleted, rows_anonymised from app.purge_steps
 where purge_id = %(purge)s order by position

-- name: shred_audit_keys
select audit.shred_company_keys(%(company)s) as shredded

-- name: last_audit_entry
select max(changed_at) as last from audit.changes where tenant_id = %(company)s

-- name: anonymise_company
update public.tenants
   set licence_number = '', address = '', phone = '', logo_key = null, closed_reason = null,
       brand_colour = '#1d4ed8'
 where id = %(company)s and status = 'purging'

-- name: store_certificate
insert into app.deletion_certificates
  (company_id, purge_id, company_name, document, digest, signature, key_id, issued_at)
values (%(company)s, %(purge)s, %(name)s, %(document)s, %(digest)s, %(signature)s, %(key_id)s,
        %(issued_at)s)
returning id

-- name: new_certificate_link
select app.new_certificate_link(%(certificate)s) as token

-- name: finish_purge
update app.purges set status = 'done', finished_at = %(finished_at)s, recipients = '{}',
       audit_keys_destroyed = %(shredded)s, claimed_until = null
 where id = %(purge)s

-- name: company_purged
update public.tenants set status = 'purged', purged_at = %(finished_at)s
 where id = %(company)s and status = 'purging'

-- name: now
select app.now() as now

-- name: kept_rows
select table_name, kept from audit.kept_rows(%(company)s)
