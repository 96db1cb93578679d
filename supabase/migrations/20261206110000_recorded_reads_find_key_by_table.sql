-- Recording a read first finds the audited table's key column in the catalog. The lookup
-- went through every `audit_changes` trigger, splitting each one's arguments and formatting
-- each table's name to compare with the one asked for (~0.4 ms of every recorded read: every
-- page that shows personal data). The same lookup now starts from the table itself, resolved
-- from its name when that name is a plain `schema.table`; the name is still compared exactly,
-- so the same row is found, and any other name takes the former path. Everything else is
-- unchanged.

create or replace function audit.access_requests_check() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_key record;
  v_keys text[] := array[new.row_key];
  v_seen bigint := 0;
  -- to_regclass raises on malformed names: only a plain name is resolved (others stay null).
  v_table oid := case when new.table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'
                      then to_regclass(new.table_name) end;
begin
  select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) as type
    into v_key
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a
      on a.attrelid = c.oid and not a.attisdropped
     and a.attname = (string_to_array(encode(t.tgargs, 'escape'), '\000'))[2]
   where t.tgrelid = coalesce(v_table, t.tgrelid)
     and t.tgname = 'audit_changes' and format('%I.%I', n.nspname, c.relname) = new.table_name
     -- a one-column key: what follows it, if anything, is a section marker ('--digest', …)
     and coalesce((string_to_array(encode(t.tgargs, 'escape'), '\000'))[3], '') similar to '(--%)?';
  if v_key.attname is null then
    raise exception 'reads are recorded only for audited tables'
      using errcode = 'insufficient_privilege', constraint = 'access_requests_readable';
  end if;
  if new.row_key = 'export' and has_table_privilege(new.table_name, 'select') then
    return new;
  elsif new.row_key = 'list' then
    select coalesce(array_agg(distinct i), '{}') into v_keys
      from jsonb_array_elements_text(
        case jsonb_typeof(new.details -> 'ids') when 'array' then new.details -> 'ids' end) i;
  end if;
  begin
    -- One index probe per key (a lateral lookup), never a scan of the company's rows with the
    -- keys as a filter: planned with the company unknown, `key = any (keys)` was estimated on
    -- an average company and, for a large one, read all its rows (500,000 visits: 120 ms).
    execute format('select count(*) from unnest($1::%4$s[]) k (key)'
                   ' cross join lateral (select from %1$I.%2$I t where t.%3$I = k.key limit 1) s',
                   v_key.nspname, v_key.relname, v_key.attname, v_key.type)
      into v_seen using v_keys;
  exception when invalid_text_representation or numeric_value_out_of_range then
    v_seen := -1;  -- not a key of this table at all
  end;
  if (new.row_key <> 'export' and v_seen = cardinality(v_keys) and v_seen > 0)
     or (new.row_key not in ('list', 'export')
         and exists (select from audit.changes c
                      where c.tenant_id = (select app.tenant_id())
                        and c.table_name = new.table_name and c.row_key = new.row_key)) then
    return new;
  end if;
  raise exception 'a read can be recorded only for rows the caller can read'
    using errcode = 'insufficient_privilege', constraint = 'access_requests_readable';
end
$$;

