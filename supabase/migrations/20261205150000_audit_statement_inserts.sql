-- Inserts are audited once per statement: a multi-row insert cost ~5x per row with the row
-- trigger (per row: an INSERT into audit.changes planned and run on its own, a nested definer
-- call, the claims parsed, the running digest hex-decoded and encoded). `audit_inserts` reads
-- every inserted row from the statement's transition table, writes all their log entries in
-- one INSERT and advances each company's running digest once. Entries, digests and the chain
-- are the same as the row trigger wrote: a row's digest is audit.row_digest's expression, and
-- the running digest takes the rows in id order as audit.transaction_digest does.
-- Updates and deletes keep the row trigger `audit_changes` (now after update or delete only):
-- PostgreSQL gives no pairing of old and new rows in transition tables but the key, and a key
-- may change.

create function audit.record_inserts() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_table text := tg_table_schema || '.' || tg_table_name;
  v_digest_at integer := array_position(tg_argv, '--digest');
  v_personal_at integer := array_position(tg_argv, '--personal');
  v_keys text[] := tg_argv[1:coalesce(v_digest_at, v_personal_at, tg_nargs) - 1];
  v_digested text[];
  v_personal text[];
  v_subject_col text;
  v_parent text;
  v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
  v_key text := case when cardinality(v_keys) = 1 then v_keys[1] end;
  v_entry record;
  v_tenant uuid;
  v_name text;
  v_running bytea;
begin
  if v_digest_at is not null then
    v_digested := tg_argv[v_digest_at + 1:coalesce(v_personal_at, tg_nargs) - 1];
  end if;
  if v_personal_at is not null then
    v_subject_col := tg_argv[v_personal_at + 1];
    v_parent := tg_argv[v_personal_at + 2];
    v_personal := nullif(tg_argv[v_personal_at + 3:tg_nargs - 1], '{}');
  end if;
  for v_entry in
    insert into audit.changes (
      tenant_id, txid, table_name, row_key, operation, old_values, new_values,
      actor_id, actor_label, request_id, client_addr, opens_link
    )
    select e.tenant, pg_current_xact_id(), v_table, e.row_key, 'insert', null,
           case when v_personal is null then e.r
                else audit.seal_values(e.r, v_personal, e.subject,
                                       case when e.subject is not null
                                            then audit.subject_key(e.tenant, e.subject) end)
           end,
           nullif(v_claims ->> 'sub', '')::uuid,
           coalesce(v_claims ->> 'actor', v_claims ->> 'role', session_user),
           nullif(current_setting('plenum.request_id', true), ''),
           nullif(current_setting('plenum.client_addr', true), ''),
           e.nth = 1 and coalesce(current_setting(
             'audit.digest_' || replace(e.tenant::text, '-', ''), true), '') = ''
    from (
      select i.tenant, i.row_key, i.r,
             case when v_personal is null then null
                  when v_parent = '' then (i.raw ->> v_subject_col)::uuid
                  else audit.subject_of(i.tenant, v_table, i.raw, i.row_key, v_subject_col,
                                        v_parent)
             end as subject,
             row_number() over (partition by i.tenant) as nth
      from (
        select s.raw, (s.raw ->> tg_argv[0])::uuid as tenant,
               case when v_digested is null then s.raw
                    else audit.digest_values(s.raw, v_digested) end as r,
               case when v_key is not null then s.raw ->> v_key
                    else (select string_agg(s.raw ->> k.k, ',' order by k.o)
                          from unnest(v_keys) with ordinality as k(k, o)) end as row_key
        from (select to_jsonb(n) as raw from new_rows n) s
      ) i
      where i.tenant is not null  -- platform rows (e.g. an account's own email): no company
    ) e
    -- One company after another; ids are given in this order and RETURNING keeps it.
    order by e.tenant
    returning tenant_id, id,
      -- audit.row_digest's expression, written out (a call per row costs more than the rest).
      sha256(convert_to(jsonb_build_array(
        id, tenant_id, txid::text, table_name, row_key, operation, old_values, new_values,
        actor_id, actor_label, request_id, client_addr, extract(epoch from changed_at)
      )::text, 'UTF8')) as digest
  loop
    if v_tenant is distinct from v_entry.tenant_id then
      if v_tenant is not null then
        perform set_config(v_name, encode(v_running, 'hex'), true);
      end if;
      v_tenant := v_entry.tenant_id;
      v_name := 'audit.digest_' || replace(v_tenant::text, '-', '');
      v_running := coalesce(decode(nullif(current_setting(v_name, true), ''), 'hex'),
                            decode(repeat('00', 32), 'hex'));
    end if;
    v_running := sha256(v_running || v_entry.digest);
  end loop;
  if v_tenant is not null then
    perform set_config(v_name, encode(v_running, 'hex'), true);
  end if;
  return null;
end
$$;

revoke execute on function audit.record_inserts() from public;

-- Why: attaching the triggers, and re-attaching them when their arguments change (a new digest
-- or personal column), does not depend on anyone remembering it: `flask db up` calls this
-- after the migrations, and `flask db check` fails for a company table without them.
create or replace function audit.attach_triggers(p_schemas text[]) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_table record;
  v_args text[];
  v_list text;
  v_count integer := 0;
begin
  for v_table in
    select c.oid, n.nspname, c.relname,
           (select t.tgargs from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = 'audit_changes'
              -- row (1), delete (8), update (16); not insert (4), before (2) or instead (64)
              and t.tgtype::integer & 95 = 25) as present,
           (select t.tgargs from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = 'audit_inserts'
              and t.tgtype::integer & 95 = 4 and t.tgnewtable = 'new_rows') as inserts,
           exists (select from pg_trigger t where t.tgrelid = c.oid
                   and t.tgname = 'audit_changes') as changes_named,
           exists (select from pg_trigger t where t.tgrelid = c.oid
                   and t.tgname = 'audit_inserts') as inserts_named,
           case when c.oid = 'public.tenants'::regclass then 'id' else 'tenant_id' end as tenant_col
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any(p_schemas)
      and (c.oid = 'public.tenants'::regclass
           or exists (select from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped))
  loop
    v_args := audit.trigger_arguments(v_table.oid, v_table.tenant_col);
    continue when (
      select v_table.present = a and v_table.inserts = a
      from (select string_agg(convert_to(x.a, 'UTF8') || '\x00'::bytea, ''::bytea order by x.o)
            from unnest(v_args) with ordinality x(a, o)) s(a));
    if v_table.changes_named then
      execute format('drop trigger audit_changes on %I.%I', v_table.nspname, v_table.relname);
    end if;
    if v_table.inserts_named then
      execute format('drop trigger audit_inserts on %I.%I', v_table.nspname, v_table.relname);
    end if;
    v_list := (select string_agg(format('%L', x.a), ', ' order by x.o)
               from unnest(v_args) with ordinality x(a, o));
    execute format(
      'create trigger audit_changes after update or delete on %I.%I'
      ' for each row execute function audit.record_change(%s)',
      v_table.nspname, v_table.relname, v_list);
    execute format(
      'create trigger audit_inserts after insert on %I.%I referencing new table as new_rows'
      ' for each statement execute function audit.record_inserts(%s)',
      v_table.nspname, v_table.relname, v_list);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

select audit.attach_triggers(array['public', 'outbox']);
