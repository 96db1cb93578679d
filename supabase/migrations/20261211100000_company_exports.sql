-- The company's full export (P-09): an owner or admin asks for everything the company holds,
-- the worker writes it into one zip (every company table as CSV and JSON, and every file), and
-- they download it from a link that works for 7 days. Exports keep working while a company is
-- closed (the read-only rule for closed companies leaves this one table writable).

-- Why: one export asked for, from the request to its zip. Only owners and admins see them;
-- the request is the only write a member makes (RLS below and the column grants), everything
-- after is the worker's (service role). `include_access_notes` (gate and alarm codes, decrypted)
-- is an owner's choice only, refused by the policy for anyone else, and audited with the row.
create table public.company_exports (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  requested_by uuid references iam.accounts (id) on delete set null,
  include_access_notes boolean not null default false,
  status text not null default 'queued' constraint company_exports_status_check
    check (status in ('queued', 'running', 'done', 'failed', 'expired')),
  tables_total integer not null default 0,
  tables_done integer not null default 0,
  rows_done bigint not null default 0,
  files_done integer not null default 0,
  byte_size bigint,
  -- `<tenant>/exports/<id>.zip` in the files port while it can be downloaded.
  storage_key text constraint company_exports_storage_key_in_company
    check (storage_key = tenant_id::text || '/exports/' || id::text || '.zip'),
  error text not null default ''
    constraint company_exports_error_length check (length(error) <= 2000),
  attempts integer not null default 0,
  -- A run holds the export until then; a run that died is taken over after it.
  claimed_until timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  expires_at timestamptz,
  primary key (tenant_id, id),
  constraint company_exports_counts_check check (
    tables_total >= 0 and tables_done >= 0 and rows_done >= 0 and files_done >= 0
    and coalesce(byte_size, 0) >= 0),
  constraint company_exports_done_has_zip
    check (status <> 'done' or (storage_key is not null and expires_at is not null)),
  constraint company_exports_finished_when
    check ((status in ('done', 'failed', 'expired')) = (finished_at is not null))
);
-- Why: one export at a time per company; asking again while one waits or runs is refused by
-- this index in the same statement that would record it (no race between check and insert).
create unique index company_exports_one_at_a_time on public.company_exports (tenant_id)
  where status in ('queued', 'running');
-- Why: the export page lists the company's exports, newest first.
create index company_exports_created_idx
  on public.company_exports (tenant_id, created_at desc, id);
-- Why: the worker finds waiting (and abandoned) exports of every company.
create index company_exports_queue_idx on public.company_exports (created_at)
  where status in ('queued', 'running');
-- Why: the retention sweep finds finished zips by age.
create index company_exports_finished_idx on public.company_exports (finished_at)
  where status = 'done';
alter table public.company_exports enable row level security;
revoke all on public.company_exports from anon, authenticated, service_role;
grant select, insert (tenant_id, include_access_notes) on public.company_exports to authenticated;
-- The worker claims and records exports; the purge of a closed company deletes them.
grant select, update, delete on public.company_exports to service_role;

create trigger stamp_requested_by before insert or update on public.company_exports
  for each row execute function app.stamp_author('requested_by');

-- The export reads every company table as the service role, each query filtered by the
-- company's id; these were not readable by it yet. Key material is left out by column grants.
grant select on outbox.messages, audit.transactions, audit.changes, app.technician_visits,
  app.document_numbers to service_role;
grant select (tenant_id, subject_id, created_at, erased_at) on audit.subject_keys to service_role;
grant select (id, tenant_id, customer_id, address, created_at, expires_at, ended_at)
  on iam.portal_sessions to service_role;

-- Why: P-12, a zip can be downloaded for 7 days after it was made; then its file goes (queued
-- for the discarded_files job, which deletes it from the files port) and the row stays, marked
-- expired, as the record that an export was made. Called by the daily retention job with the
-- cutoff app.now() - 7 days; takes no company (it sweeps every company's), handles at most
-- p_batch rows and returns how many.
create function app.sweep_expired_exports(p_cutoff timestamptz, p_batch integer)
returns integer
language sql security definer set search_path = ''
as $$
  with due as (
    select tenant_id, id, storage_key from public.company_exports
     where status = 'done' and finished_at < p_cutoff
     order by finished_at
     limit p_batch
     for update skip locked
  ), queued as (
    insert into app.discarded_files (storage_key)
    select storage_key from due where storage_key is not null
    on conflict (storage_key) do nothing
  ), expired as (
    update public.company_exports e
       set status = 'expired', storage_key = null, expires_at = least(e.expires_at, app.now())
      from due
     where e.tenant_id = due.tenant_id and e.id = due.id
    returning 1
  )
  select count(*)::integer from expired
$$;
revoke execute on function app.sweep_expired_exports(timestamptz, integer) from public;
grant execute on function app.sweep_expired_exports(timestamptz, integer) to service_role;

insert into app.retention_rules
  (record_kind, table_name, period, age_column, action, sweep_function, on_purge, reason)
values
  ('public.company_exports', 'public.company_exports', null, null, 'delete', null, 'delete',
   'the record of the company''s exports: kept while the company is active (P-11)'),
  ('export files', 'public.company_exports', interval '7 days', 'finished_at', 'anonymise',
   'app.sweep_expired_exports', null,
   'A company export''s zip: it can be downloaded for 7 days after it is ready, then it is deleted.');
