-- The audit trigger seals personal columns (see 20261204130000_audit_erasable_values.sql).
--
-- The trigger learns its table's columns when it is attached, not on every row. Arguments: the
-- tenant column, the key columns, then optionally '--digest' and the columns recorded as
-- digests, then optionally '--personal', the subject column, the parent table ('' for none) and
-- the personal columns.

-- Why: columns recorded as their SHA-256 (commented '@audit-digest'): the log shows that and when
-- they changed, not what they say.
create function audit.digest_values(p_values jsonb, p_columns text[]) returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  v_values jsonb := p_values;
  v_column text;
begin
  foreach v_column in array p_columns loop
    if v_values ->> v_column is not null then
      v_values := jsonb_set(v_values, array[v_column], to_jsonb(
        'sha256:' || encode(sha256(convert_to(v_values ->> v_column, 'UTF8')), 'hex')));
    end if;
  end loop;
  return v_values;
end
$$;

-- Why: the digest and personal sections of a row's values, as the trigger's arguments say.
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
  v_digest_at integer := array_position(tg_argv, '--digest');
  v_personal_at integer := array_position(tg_argv, '--personal');
  v_digested text[];
  v_personal text[];
  v_subject uuid;
  v_secret bytea;
begin
  if tg_op <> 'INSERT' then v_old := to_jsonb(old); end if;
  if tg_op <> 'DELETE' then v_new := to_jsonb(new); end if;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> tg_argv[0])::uuid;
  if v_tenant is null then
    return null;  -- platform rows (e.g. an account's own email) belong to no company
  end if;
  -- tg_argv counts from 0: the key columns run from 1 to the first section.
  select string_agg(v_row ->> k, ',' order by ord) into v_key
  from unnest(tg_argv[1:coalesce(v_digest_at, v_personal_at, tg_nargs) - 1])
       with ordinality as keys(k, ord);
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, n.value), jsonb_object_agg(n.key, v_old -> n.key)
      into v_new, v_old
    from jsonb_each(v_new) n
    where v_old -> n.key is distinct from n.value;
    if v_new is null then
      return null;  -- nothing changed
    end if;
  end if;
  if v_digest_at is not null then
    v_digested := tg_argv[v_digest_at + 1:coalesce(v_personal_at, tg_nargs) - 1];
    v_old := audit.digest_values(v_old, v_digested);
    v_new := audit.digest_values(v_new, v_digested);
  end if;
  v_personal := tg_argv[v_personal_at + 3:tg_nargs - 1];
  if v_personal_at is not null
     and (coalesce(v_new ?| v_personal, false) or coalesce(v_old ?| v_personal, false)) then
    if tg_argv[v_personal_at + 2] = '' then  -- the row names its customer
      v_subject := (v_row ->> tg_argv[v_personal_at + 1])::uuid;
    else
      v_subject := audit.subject_of(v_tenant, v_table, v_row, v_key, tg_argv[v_personal_at + 1],
                                    tg_argv[v_personal_at + 2]);
    end if;
    if v_subject is not null then
      v_secret := audit.subject_key(v_tenant, v_subject);
    end if;
    v_old := audit.seal_values(v_old, v_personal, v_subject, v_secret);
    v_new := audit.seal_values(v_new, v_personal, v_subject, v_secret);
  end if;
  perform audit.append(v_tenant, v_table, v_key, lower(tg_op), v_old, v_new);
  return null;
end
$$;

-- Why: what a company table's trigger must be given: its tenant and key columns, its digest
-- columns (commented '@audit-digest') and its personal columns (audit.personal_columns).
create function audit.trigger_arguments(p_table regclass, p_tenant_col text) returns text[]
language plpgsql stable set search_path = ''
as $$
declare
  v_name text := (select format('%s.%s', n.nspname, c.relname) from pg_class c
                  join pg_namespace n on n.oid = c.relnamespace where c.oid = p_table);
  v_args text[] := array[p_tenant_col];
  v_list text[];
  v_entry audit.personal_tables;
begin
  -- The row key: the primary key's columns other than the tenant's.
  v_args := v_args || array(
    select a.attname::text from pg_index i
    cross join unnest(i.indkey) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = p_table and i.indisprimary
      and (a.attname <> p_tenant_col or p_tenant_col = 'id')
    order by k.ord);
  v_list := array(select a.attname::text from pg_attribute a
                  where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped
                    and col_description(p_table, a.attnum) = '@audit-digest'
                  order by a.attnum);
  if cardinality(v_list) > 0 then
    v_args := v_args || '--digest'::text || v_list;
  end if;
  select * into v_entry from audit.personal_tables t where t.table_name = v_name;
  if found then
    v_list := array(select p.column_name from audit.personal_columns p
                    where p.table_name = v_name order by p.column_name);
    if exists (select from unnest(v_list) c
               where not exists (select from pg_attribute a where a.attrelid = p_table
                                 and a.attname = c and not a.attisdropped)) then
      raise exception 'audit.personal_columns names a column % does not have', v_name;
    end if;
    v_args := v_args || array['--personal', v_entry.subject_column,
                              coalesce(v_entry.parent_table, '')] || v_list;
  end if;
  return v_args;
end
$$;

-- Why: attaching the trigger, and re-attaching it when its arguments change (a new digest or
-- personal column), does not depend on anyone remembering it: `flask db up` calls this after
-- the migrations, and `flask db check` fails for a company table without the trigger.
create or replace function audit.attach_triggers(p_schemas text[]) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_table record;
  v_args text[];
  v_count integer := 0;
begin
  for v_table in
    select c.oid, n.nspname, c.relname,
           (select t.tgargs from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = 'audit_changes') as present,
           case when c.oid = 'public.tenants'::regclass then 'id' else 'tenant_id' end as tenant_col
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any(p_schemas)
      and (c.oid = 'public.tenants'::regclass
           or exists (select from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped))
  loop
    v_args := audit.trigger_arguments(v_table.oid, v_table.tenant_col);
    continue when v_table.present is not distinct from
      (select string_agg(convert_to(a, 'UTF8') || '\x00'::bytea, ''::bytea order by o)
       from unnest(v_args) with ordinality x(a, o));
    if v_table.present is not null then
      execute format('drop trigger audit_changes on %I.%I', v_table.nspname, v_table.relname);
    end if;
    execute format(
      'create trigger audit_changes after insert or update or delete on %I.%I'
      ' for each row execute function audit.record_change(%s)',
      v_table.nspname, v_table.relname,
      (select string_agg(format('%L', a), ', ' order by o)
       from unnest(v_args) with ordinality x(a, o))
    );
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- The tables above get their new arguments now (also when migrated without `flask db up`).
select audit.attach_triggers(array['public', 'outbox']);
