-- Issue 16, hardened: what an import wrote (the records undo acts on) can be recorded only by
-- the import's own run, for rows that run wrote; an import's status moves only along its
-- steps; undone and stuck imports are swept like finished ones; a contact's other numbers
-- belong to the contact's own customer.

-- Why: undo deletes what an import created and puts back what it changed, and an owner may
-- undo an import another member ran. Were the records writable by any office member, one
-- could add a customer they may not delete to an import and have the owner's undo delete it.
-- So they are written only here: by the member who confirmed the import, while it runs, for
-- rows the audit log shows this very transaction inserted (created) or updated (updated).
revoke insert, update, delete on public.import_records from authenticated;
drop policy if exists "Office staff can record what an import wrote" on public.import_records;
drop policy if exists "Office staff can update what an import wrote" on public.import_records;
drop policy if exists "Office staff can forget what an undone import wrote" on public.import_records;

create function app.running_import(p_import uuid) returns uuid
language sql stable security definer set search_path = ''
as $$
  select i.tenant_id from public.customer_imports i
   where i.tenant_id = app.tenant_id() and i.id = p_import and i.status = 'running'
     and i.confirmed_by = auth.uid() and app.is_office_staff()
$$;
revoke all on function app.running_import(uuid) from public;

create function app.record_import_writes(p_import uuid, p_rows jsonb) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.running_import(p_import);
  v_unproven integer;
  v_count integer;
begin
  if v_tenant is null then
    raise exception 'Not a running import of this member' using errcode = '42501';
  end if;
  select count(*) into v_unproven
    from jsonb_to_recordset(p_rows) as r(table_name text, row_id uuid, action text)
   where not exists (
     select from audit.changes c
      where c.tenant_id = v_tenant and c.table_name = r.table_name
        and c.row_key = r.row_id::text and c.txid = pg_current_xact_id()
        and c.operation = case r.action when 'created' then 'insert' else 'update' end);
  if v_unproven > 0 then
    raise exception '% rows were not written by this import', v_unproven
      using errcode = '42501';
  end if;
  insert into public.import_records (tenant_id, import_id, table_name, row_id, action, before)
  select v_tenant, p_import, r.table_name, r.row_id, r.action, r.before
    from jsonb_to_recordset(p_rows) as r(table_name text, row_id uuid, action text, before jsonb)
  on conflict do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke all on function app.record_import_writes(uuid, jsonb) from public;
grant execute on function app.record_import_writes(uuid, jsonb) to authenticated;

-- Why: the digest of each written row as the run leaves it (so undo can tell whether anything
-- else touched it since), leaving out what the app's own jobs change by themselves; an
-- update's `before` keeps only the columns the run changed.
create function app.seal_import_writes(p_import uuid, p_untracked text[]) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.running_import(p_import);
  v_table text;
  v_count integer := 0;
  v_rows integer;
begin
  if v_tenant is null then
    raise exception 'Not a running import of this member' using errcode = '42501';
  end if;
  for v_table in select distinct r.table_name from public.import_records r
                  where r.tenant_id = v_tenant and r.import_id = p_import loop
    execute format($f$
      update public.import_records r
         set after_digest = md5((to_jsonb(t) - $3)::text),
             before = case when r.action = 'updated' then (
               select coalesce(jsonb_object_agg(b.key, b.value), '{}')
                 from jsonb_each(r.before) b
                 join pg_attribute a on a.attrelid = %L::regclass and a.attname = b.key
                  and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                where b.value is distinct from to_jsonb(t) -> b.key
                  and b.key <> all($3)) end
        from %s t
       where r.tenant_id = $1 and r.import_id = $2 and r.table_name = %L
         and t.tenant_id = r.tenant_id and t.id = r.row_id$f$, v_table, v_table, v_table)
      using v_tenant, p_import, p_untracked;
    get diagnostics v_rows = row_count;
    v_count := v_count + v_rows;
  end loop;
  return v_count;
end
$$;
revoke all on function app.seal_import_writes(uuid, text[]) from public;
grant execute on function app.seal_import_writes(uuid, text[]) to authenticated;

-- The file's blanking deletes the plan and the records, which members may no longer write.
alter function app.import_file_blanked() security definer;

-- Why: an import's status moves only along its steps, and whoever queues or starts a run is
-- the member it runs as: a member cannot send a finished import back to the worker to run
-- again under the name of the owner who confirmed it. The jobs (service role) and the
-- database owner's sessions are not held to it.
create function app.import_steps() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user <> 'authenticated' or new.status = old.status then
    return new;
  end if;
  if not (
    (old.status = 'uploaded' and new.status in ('checking', 'previewed', 'cancelled'))
    or (old.status = 'checking' and new.status in ('previewed', 'uploaded', 'cancelled'))
    or (old.status = 'previewed' and new.status in ('checking', 'queued', 'running', 'cancelled'))
    or (old.status = 'queued' and new.status in ('running', 'cancelled'))
    or (old.status = 'running' and new.status in ('done', 'failed', 'cancelled'))
    or (old.status = 'failed' and new.status in ('queued', 'running', 'cancelled'))
    or (old.status = 'done' and new.status = 'undone')
  ) then
    raise exception 'An import cannot go from % to %', old.status, new.status
      using errcode = '23514', constraint = 'customer_imports_steps';
  end if;
  if new.status in ('queued', 'running') and old.status in ('previewed', 'failed') then
    new.confirmed_by := auth.uid();
  end if;
  if new.status = 'undone' then
    new.undone_by := auth.uid();
  end if;
  return new;
end
$$;
revoke all on function app.import_steps() from public;
create trigger import_steps before update of status on public.customer_imports
  for each row execute function app.import_steps();

-- Why: an import left checking (its worker died) or undone is swept like the others: its file,
-- plan and undo records are personal data that has done its work (P-12).
create or replace function app.sweep_finished_imports(p_cutoff timestamptz, p_batch integer) returns integer
language sql set search_path = ''
as $$
  with blanked as (
    update public.customer_imports i
       set source_text = '', headers = '[]', problems = '[]',
           status = case when i.status in ('uploaded', 'checking', 'previewed') then 'cancelled'
                         else i.status end
      from (select x.tenant_id, x.id from public.customer_imports x
             where x.updated_at < least(p_cutoff, app.retention_cutoff('import files'))
               and x.status in ('uploaded', 'checking', 'previewed', 'done', 'failed', 'cancelled',
                                'undone')
               and (x.source_text <> '' or x.headers <> '[]' or x.problems <> '[]')
             limit p_batch for update skip locked) due
     where i.tenant_id = due.tenant_id and i.id = due.id
    returning 1)
  select count(*)::integer from blanked
$$;

-- Why: erasing a customer named in an undone import keeps it undone (its undone_at with it).
create or replace function app.discard_imports_mentioning(p_tenant uuid, p_customer uuid)
returns integer
language plpgsql set search_path = ''
as $$
declare
  v_customer public.customers;
  v_streets text[];
  v_emails text[];
  v_numbers text[];
  v_count integer;
begin
  select * into v_customer from public.customers c
   where c.tenant_id = p_tenant and c.id = p_customer;
  v_streets := array(select lower(btrim(p.street)) from public.properties p
                     where p.tenant_id = p_tenant and p.customer_id = p_customer);
  v_emails := array(select e.email from public.customer_emails e
                    where e.tenant_id = p_tenant and e.customer_id = p_customer);
  v_numbers := array(select right(ph.number, 9) from public.customer_phones ph
                     where ph.tenant_id = p_tenant and ph.customer_id = p_customer);
  update public.customer_imports i
     set source_text = '', problems = '[]', headers = '[]',
         status = case when i.status in ('done', 'cancelled', 'undone') then i.status
                       else 'cancelled' end,
         updated_at = now()
    from (select x.id, lower(x.source_text || ' ' || x.problems::text) as said
            from public.customer_imports x
           where x.tenant_id = p_tenant and x.source_text <> '') m
   where i.tenant_id = p_tenant and i.id = m.id
     and ((v_customer.email <> '' and strpos(m.said, v_customer.email) > 0)
       or (v_customer.phone <> ''
           and strpos(regexp_replace(m.said, '[^0-9]', '', 'g'), right(v_customer.phone, 9)) > 0)
       or (btrim(v_customer.first_name) <> '' and btrim(v_customer.last_name) <> ''
           and strpos(m.said, lower(btrim(v_customer.first_name))) > 0
           and strpos(m.said, lower(btrim(v_customer.last_name))) > 0)
       or (btrim(v_customer.company_name) <> ''
           and strpos(m.said, lower(btrim(v_customer.company_name))) > 0)
       or exists (select from unnest(v_streets) s where s <> '' and strpos(m.said, s) > 0)
       or exists (select from unnest(v_emails) e where strpos(m.said, e) > 0)
       or exists (select from unnest(v_numbers) n
                   where strpos(regexp_replace(m.said, '[^0-9]', '', 'g'), n) > 0)
       or exists (select from public.import_records r
                   where r.tenant_id = p_tenant and r.import_id = i.id and r.row_id = p_customer)
       or exists (select from public.import_items t
                   where t.tenant_id = p_tenant and t.import_id = i.id
                     and t.target_id = p_customer));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- Why: a contact person's other numbers and emails are filed under the contact's own customer.
create unique index customer_contacts_customer_key
  on public.customer_contacts (tenant_id, customer_id, id);
alter table public.customer_phones drop constraint customer_phones_contact_fkey,
  add constraint customer_phones_contact_fkey foreign key (tenant_id, customer_id, contact_id)
    references public.customer_contacts (tenant_id, customer_id, id) on delete cascade;
alter table public.customer_emails drop constraint customer_emails_contact_fkey,
  add constraint customer_emails_contact_fkey foreign key (tenant_id, customer_id, contact_id)
    references public.customer_contacts (tenant_id, customer_id, id) on delete cascade;

-- Why: an import's options keep the first values of each column (for the mapping page) and
-- notes quoting the file: personal data, digested in the audit log like the file itself.
comment on column public.customer_imports.options is '@audit-digest';
