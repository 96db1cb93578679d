-- Some columns must not be copied into the audit log in clear. An outgoing message's body holds
-- one-time links (an invitation that makes its holder a member, maybe an owner): admins, who read
-- the log, would read links meant for others. A column commented '@audit-digest' is recorded as
-- its SHA-256 instead: the log still shows that and when it changed, not what it says.

comment on column outbox.messages.body_text is '@audit-digest';

-- Why: the trigger learns the digest columns when it is attached, not on every row. Arguments:
-- the tenant column, the key columns, then '--digest' and the columns to record as digests.
create or replace function audit.record_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_tenant uuid;
  v_key text;
  v_table text := tg_table_schema || '.' || tg_table_name;
  v_split integer := coalesce(array_position(tg_argv, '--digest'), tg_nargs + 1);
  v_column text;
begin
  if tg_op <> 'INSERT' then v_old := to_jsonb(old); end if;
  if tg_op <> 'DELETE' then v_new := to_jsonb(new); end if;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> tg_argv[0])::uuid;
  if v_tenant is null then
    return null;  -- platform rows (e.g. an account's own email) belong to no company
  end if;
  select string_agg(v_row ->> k, ',' order by ord) into v_key
  from unnest(tg_argv[1:v_split - 1]) with ordinality as keys(k, ord);
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, n.value), jsonb_object_agg(n.key, v_old -> n.key)
      into v_new, v_old
    from jsonb_each(v_new) n
    where v_old -> n.key is distinct from n.value;
    if v_new is null then
      return null;  -- nothing changed
    end if;
  end if;
  foreach v_column in array coalesce(tg_argv[v_split + 1:], '{}') loop
    if v_old ? v_column and v_old ->> v_column is not null then
      v_old := jsonb_set(v_old, array[v_column],
        to_jsonb('sha256:' || encode(sha256(convert_to(v_old ->> v_column, 'UTF8')), 'hex')));
    end if;
    if v_new ? v_column and v_new ->> v_column is not null then
      v_new := jsonb_set(v_new, array[v_column],
        to_jsonb('sha256:' || encode(sha256(convert_to(v_new ->> v_column, 'UTF8')), 'hex')));
    end if;
  end loop;
  perform audit.append(v_tenant, v_table, v_key, lower(tg_op), v_old, v_new);
  return null;
end
$$;

create or replace function audit.attach_triggers(p_schemas text[]) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_table record;
  v_keys text[];
  v_digests text[];
  v_count integer := 0;
begin
  for v_table in
    select c.oid, n.nspname, c.relname,
           case when c.oid = 'public.tenants'::regclass then 'id' else 'tenant_id' end as tenant_col
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any(p_schemas)
      and (c.oid = 'public.tenants'::regclass
           or exists (select from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped))
      and not exists (select from pg_trigger t where t.tgrelid = c.oid
                      and t.tgname = 'audit_changes')
  loop
    -- The row key: the primary key's columns other than the tenant's.
    select array_agg(a.attname::text order by k.ord) into v_keys
    from pg_index i
    cross join unnest(i.indkey) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = v_table.oid and i.indisprimary
      and (a.attname <> v_table.tenant_col or v_table.tenant_col = 'id');
    select array_agg(a.attname::text order by a.attnum) into v_digests
    from pg_attribute a
    where a.attrelid = v_table.oid and a.attnum > 0 and not a.attisdropped
      and col_description(v_table.oid, a.attnum) = '@audit-digest';
    execute format(
      'create trigger audit_changes after insert or update or delete on %I.%I'
      ' for each row execute function audit.record_change(%L%s%s)',
      v_table.nspname, v_table.relname, v_table.tenant_col,
      (select coalesce(string_agg(format(', %L', key), ''), '') from unnest(v_keys) key),
      case when v_digests is null then ''
           else ', ''--digest''' || (select string_agg(format(', %L', d), '')
                                     from unnest(v_digests) d) end
    );
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- Re-attach the outbox's trigger so that it knows its digest column.
drop trigger audit_changes on outbox.messages;
select audit.attach_triggers(array['outbox']);
