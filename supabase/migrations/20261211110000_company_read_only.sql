-- A closed company is read-only (P-11): the database refuses every change to its records,
-- whichever way a write arrives (a page, a link, the Data API, a definer called by a user).
-- Its records stay readable, and its export (public.company_exports) keeps working.
--
-- Refusals carry SQLSTATE PT423 ("locked"; PostgREST answers 423 for it, the app a page of its
-- own). Not refused: service_role (the purge and the retention sweeps delete and anonymise a
-- closed company's rows) and the database owner's own sessions (migrations), which are no user.

-- Why: what a closed company's people may still take back, because keeping it would work
-- against someone (P-03, P-15): an owner removing a member (a fired employee must not keep
-- reading for 60 days), a homeowner's STOP, unsubscribe or restriction. Only changes that
-- withdraw: a membership set to removed, consents turned off and processing restricted, an
-- opt-out recorded; nothing else in the same row may change.
create function app.withdrawal_while_closed(p_table text, p_op text, p_old jsonb, p_new jsonb)
returns boolean
language sql immutable set search_path = ''
as $$
  with changed as (
    select coalesce(array_agg(n.key), '{}') as keys
      from jsonb_each(p_new) n
     where p_op = 'UPDATE' and n.value is distinct from p_old -> n.key
  )
  select case
    when p_table = 'public.sms_opt_outs' then p_op = 'INSERT'
    when p_op <> 'UPDATE' then false
    when p_table = 'public.memberships' then
      p_old ->> 'status' = 'active' and p_new ->> 'status' = 'removed'
      and (select keys from changed) <@ array['status', 'removed_at', 'updated_at']
    when p_table = 'public.customers' then
      (select keys from changed) && array['marketing_consent', 'marketing_by_sms',
        'marketing_by_email', 'transactional_messages', 'do_not_contact', 'restrict_processing']
      and (select keys from changed) <@ array['marketing_consent', 'marketing_by_sms',
        'marketing_by_email', 'transactional_messages', 'do_not_contact',
        'restrict_processing', 'updated_at']
      and coalesce((p_new ->> 'marketing_consent')::boolean, false) <= coalesce((p_old ->> 'marketing_consent')::boolean, false)
      and (p_new ->> 'marketing_by_sms')::boolean <= (p_old ->> 'marketing_by_sms')::boolean
      and (p_new ->> 'marketing_by_email')::boolean <= (p_old ->> 'marketing_by_email')::boolean
      and (p_new ->> 'transactional_messages')::boolean
          <= (p_old ->> 'transactional_messages')::boolean
      and (p_new ->> 'do_not_contact')::boolean >= (p_old ->> 'do_not_contact')::boolean
      and (p_new ->> 'restrict_processing')::boolean
          >= (p_old ->> 'restrict_processing')::boolean
    else false
  end
$$;
revoke all on function app.withdrawal_while_closed(text, text, jsonb, jsonb) from public;

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
  v_generated text[];
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
    if coalesce(v_moved_from = v_company, true) then
      -- A before trigger sees stored generated columns unset in NEW: they are no change.
      v_generated := array(select a.attname::text from pg_attribute a
                            where a.attrelid = tg_relid and a.attgenerated <> '');
      if app.withdrawal_while_closed(format('%I.%I', tg_table_schema, tg_table_name), tg_op,
                                     to_jsonb(old) - v_generated, to_jsonb(new) - v_generated)
      then
        return coalesce(new, old);
      end if;
    end if;
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

-- Why: a homeowner's STOP reaches a closed company too, and must hold if it is reopened
-- (P-15). app.receive_text records a text in its conversation, which a closed company cannot;
-- this records only the opt-out (app.withdrawal_while_closed lets it through) and sends no
-- reply. The company comes from the webhook's endpoint, as in app.receive_text; only the
-- app's token-holder role may call it, after the webhook's signature was verified.
create function app.receive_stop_while_closed(p_endpoint text, p_from text, p_body text)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid;
begin
  select a.tenant_id into v_tenant from public.messaging_accounts a
    join public.tenants t on t.id = a.tenant_id and t.status = 'closed'
   where a.endpoint_id = p_endpoint and a.twilio_account_sid <> ''
     and a.twilio_auth_token_encrypted <> '';
  if v_tenant is null or coalesce(p_from, '') !~ '^\+[1-9][0-9]{6,14}$' then
    return 'refused';
  end if;
  if app.sms_keyword(p_body) is distinct from 'stop' then
    return 'ignored: the company is closed';
  end if;
  insert into public.sms_opt_outs (tenant_id, phone, keyword)
  values (v_tenant, p_from, left(upper(btrim(p_body)), 40))
  on conflict (tenant_id, phone) do nothing;
  return 'opted out while closed';
end
$$;
revoke all on function app.receive_stop_while_closed(text, text, text) from public;
grant execute on function app.receive_stop_while_closed(text, text, text) to plenum_signin;
