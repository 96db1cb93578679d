-- The company's export (P-09): the page's list and request, and what the worker reads.

-- name: list_exports
select e.id, e.status, e.include_access_notes, e.tables_total, e.tables_done, e.rows_done,
       e.files_done, e.byte_size, e.error, e.created_at, e.finished_at, e.expires_at,
       e.status = 'done' and e.expires_at > app.now() as downloadable,
       coalesce(m.full_name, 'A former member') as requested_by_name
  from public.company_exports e
  left join public.memberships m on m.tenant_id = e.tenant_id and m.account_id = e.requested_by
 where e.tenant_id = %(tenant_id)s
 order by e.created_at desc, e.id
 limit 20

-- name: request_export
-- Recorded only when no other export of the company waits or runs (the unique index
-- company_exports_one_at_a_time refuses it in this very statement).
insert into public.company_exports (tenant_id, include_access_notes)
values (%(tenant_id)s, %(include_access_notes)s)
returning id

-- name: get_export
select e.id, e.status, e.storage_key, e.byte_size, e.created_at,
       e.status = 'done' and e.expires_at > app.now() as downloadable
  from public.company_exports e
 where e.tenant_id = %(tenant_id)s and e.id = %(id)s

-- name: claim
-- The oldest waiting export of any company, or one whose run stopped holding it (crashed).
update public.company_exports e
   set status = 'running', attempts = e.attempts + 1, claimed_until = app.now() + %(lease)s::interval,
       started_at = app.now(), tables_total = 0, tables_done = 0, rows_done = 0, files_done = 0
  from (select x.tenant_id, x.id from public.company_exports x
          join public.tenants t on t.id = x.tenant_id and t.status in ('active', 'closed')
         where x.status = 'queued' or (x.status = 'running' and x.claimed_until < app.now())
         order by x.created_at
         limit 1
         for update skip locked) due
 where e.tenant_id = due.tenant_id and e.id = due.id
returning e.tenant_id, e.id, e.include_access_notes, e.attempts

-- name: progress
update public.company_exports
   set tables_total = %(tables_total)s, tables_done = %(tables_done)s, rows_done = %(rows_done)s,
       files_done = %(files_done)s, claimed_until = app.now() + %(lease)s::interval
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running' and attempts = %(attempt)s

-- name: finish
update public.company_exports
   set status = 'done', storage_key = %(storage_key)s, byte_size = %(byte_size)s,
       finished_at = app.now(),
       -- never past the purge of a closed company, which deletes it
       expires_at = least(app.now() + %(kept)s::interval,
                          (select t.purge_after from public.tenants t where t.id = %(tenant_id)s)),
       claimed_until = null, error = ''
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running' and attempts = %(attempt)s

-- name: fail
update public.company_exports
   set status = 'failed', error = %(error)s, finished_at = app.now(), claimed_until = null
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'running' and attempts = %(attempt)s

-- name: table_rows
-- One company's rows of one table (the braced parts are composed by engine.py): each
-- row's values in PostgreSQL's text form (the CSV) and as typed JSON.
select {text_values} as text_values, to_json(j)::text as json{extra}
  from {table} t cross join lateral (select {json_values}) j
 where t.{tenant_column} = %(tenant_id)s
