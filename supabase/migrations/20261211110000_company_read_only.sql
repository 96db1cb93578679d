-- A closed company is read-only (P-11): the database refuses every change to its records,
-- whichever way a write arrives (a page, a link, the Data API, a definer called by a user).
-- Its records stay readable, and its export (public.company_exports) keeps working.
--
-- Refusals carry SQLSTATE PT423 ("locked"; PostgREST answers 423 for it, the app a page of its
-- own). Not refused: service_role (the purge and the retention sweeps delete and anonymise a
-- closed company's rows) and the database owner's own sessions (migrations), which are no user.

-- Why: one cheap check per row written to a company table: who writes first (no lookup for
-- the purge's million rows), then the company's status by its primary key. The `role` setting
-- stays the caller's inside a security definer (only current_user changes), so a user's write
-- made through a definer is refused too.
create function app.refuse_writes_when_closed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_role text := current_setting('role', true);
  v_company uuid;
  v_moved_from uuid;
begin
  if v_role = 'service_role' or coalesce(v_role, 'none') in ('none', '') then
    return coalesce(new, old);
  end if;
  if tg_op = 'DELETE' then
    v_company := old.tenant_id;
  elsif tg_op = 'UPDATE' then
    v_company := new.tenant_id;
    v_moved_from := old.tenant_id;
  else
    v_company := new.tenant_id;
  end if;
  if exists (select from public.tenants t
             where t.id in (v_company, v_moved_from) and t.status <> 'active') then
    raise exception 'This company is closed: its records can be read and exported, not changed.'
      using errcode = 'PT423';
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function app.refuse_writes_when_closed() from public;

-- Why: the company's own row. While it is active, its owners and admins change it as the
-- policies allow (closing is such a change, made by app.close_company). Once it is not, the
-- only change a user's request may make is reopening within the 30 days: status back to
-- active and the closing dates cleared, nothing else (columns no user may write directly, so
-- only the lifecycle definers make it).
create function app.refuse_company_changes_when_closed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_role text := current_setting('role', true);
  v_lifecycle text[] := array['status', 'closed_at', 'purge_after', 'closed_reason'];
begin
  if v_role = 'service_role' or coalesce(v_role, 'none') in ('none', '') then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if new.status = 'active' and new.closed_at is null then
      return new;
    end if;
  elsif tg_op = 'DELETE' then
    if old.status = 'active' then
      return old;
    end if;
  elsif old.status = 'active' then
    return new;
  elsif old.status = 'closed' and new.status = 'active' and app.now() < old.purge_after
        and (to_jsonb(new) - v_lifecycle) = (to_jsonb(old) - v_lifecycle) then
    return new;
  end if;
  raise exception 'This company is closed: its records can be read and exported, not changed.'
    using errcode = 'PT423';
end
$$;
revoke all on function app.refuse_company_changes_when_closed() from public;

-- Why: why the platform closed a company (unpaid, on request, a breach of terms), kept with
-- the dates while it is closed.
alter table public.tenants add column closed_reason text
  constraint tenants_closed_reason_length check (length(closed_reason) <= 500);

-- Why: the trigger is on every company table of the given schemas without anyone having to
-- remember it: `flask db up` calls this after the migrations (as it attaches the audit
-- triggers), and `flask db check` fails for a company table without it. `p_exempt` names the
-- tables a closed company must still write (its export); they must not have it. Its name
-- starts with `_` so that it fires before every other trigger of the table (triggers fire in
-- name order): a closed company's write is refused for that reason, whatever else is wrong.
create function app.attach_read_only_triggers(p_schemas text[], p_exempt text[])
returns integer
language plpgsql set search_path = ''
as $$
declare
  v_table record;
  v_count integer := 0;
begin
  for v_table in
    select c.oid, n.nspname, c.relname,
           format('%I.%I', n.nspname, c.relname) = any(p_exempt) as exempt,
           case when c.oid = 'public.tenants'::regclass
                then 'app.refuse_company_changes_when_closed()'::regprocedure
                else 'app.refuse_writes_when_closed()'::regprocedure end as function,
           (select t.tgfoid from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = '_read_only_when_closed'
              -- row (1), before (2), insert (4), delete (8), update (16)
              and t.tgtype::integer & 95 = 31 and t.tgenabled <> 'D') as present,
           exists (select from pg_trigger t where t.tgrelid = c.oid
                   and t.tgname = '_read_only_when_closed') as named
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any(p_schemas)
      and (c.oid = 'public.tenants'::regclass
           or exists (select from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped))
  loop
    if v_table.exempt then
      if v_table.named then
        execute format('drop trigger _read_only_when_closed on %I.%I',
                       v_table.nspname, v_table.relname);
        v_count := v_count + 1;
      end if;
      continue;
    end if;
    continue when v_table.present is not distinct from v_table.function::oid;
    if v_table.named then
      execute format('drop trigger _read_only_when_closed on %I.%I',
                     v_table.nspname, v_table.relname);
    end if;
    execute format(
      'create trigger _read_only_when_closed before insert or update or delete on %I.%I'
      ' for each row execute function %s',
      v_table.nspname, v_table.relname, v_table.function);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
revoke all on function app.attach_read_only_triggers(text[], text[]) from public;

select app.attach_read_only_triggers(array['public'], array['public.company_exports']);
