-- Why: like every sweep function, the export's caps the cutoff it is given at its own rule's,
-- so a caller's mistake cannot expire a download early.
create or replace function app.sweep_expired_exports(p_cutoff timestamptz, p_batch integer)
returns integer
language sql security definer set search_path = ''
as $$
  with due as (
    select tenant_id, id, storage_key from public.company_exports
     where status = 'done'
       and finished_at < least(p_cutoff, app.retention_cutoff('export files'))
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
