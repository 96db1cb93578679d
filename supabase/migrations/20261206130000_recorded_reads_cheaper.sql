-- Recording a read of a page of rows cost ~7 ms for the 450 visits of a large dispatch board,
-- as much as the board's own reads. Three parts did more work than the check needs; each is
-- replaced by an equivalent that an index or one pass serves. What is accepted and refused is
-- unchanged (tests/technician/test_recorded_reads.py):
-- - the audited table's key column was found by comparing the quoted name of every audited
--   table with the one asked for (~0.7 ms); it is now looked up by the table's oid (the
--   catalog's indexes), and the name must still be written exactly as the log writes it;
-- - the keys of a list were sorted to drop repeats (a repeat is now counted twice on both
--   sides of the same comparison, which needs no sort);
-- - the ids kept in the entry were matched one by one against a pattern (~2.5 ms for 450);
--   the array's text is now matched once against the same rule.

create or replace function audit.access_requests_check() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_key record;
  v_table regclass;
  v_keys text[] := array[new.row_key];
  v_seen bigint := 0;
begin
  -- Only a schema-qualified name as the log writes it can name an audited table; anything
  -- else is not looked up at all (to_regclass of odd text may raise rather than answer null).
  if new.table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$' then
    v_table := to_regclass(new.table_name);
  end if;
  select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) as type
    into v_key
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a
      on a.attrelid = c.oid and not a.attisdropped
     and a.attname = (string_to_array(encode(t.tgargs, 'escape'), '\000'))[2]
   where t.tgrelid = v_table and t.tgname = 'audit_changes'
     and format('%I.%I', n.nspname, c.relname) = new.table_name
     -- a one-column key: what follows it, if anything, is a section marker ('--digest', …)
     and coalesce((string_to_array(encode(t.tgargs, 'escape'), '\000'))[3], '') similar to '(--%)?';
  if v_key.attname is null then
    raise exception 'reads are recorded only for audited tables'
      using errcode = 'insufficient_privilege', constraint = 'access_requests_readable';
  end if;
  if new.row_key = 'export' and has_table_privilege(new.table_name, 'select') then
    return new;
  elsif new.row_key = 'list' then
    v_keys := array(
      select jsonb_array_elements_text(
        case jsonb_typeof(new.details -> 'ids') when 'array' then new.details -> 'ids' end));
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

create or replace function audit.access_requests_record() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null then
    raise exception 'access can only be recorded within a company'
      using errcode = 'insufficient_privilege';
  end if;
  -- Only what says which view and which rows: no free text (a search term names a person, and
  -- access entries are not sealed, so erasure could not reach it). The ids are kept only when
  -- every one is a key's text: the array's text is `["…", "…"]`, matched in one pass.
  perform audit.append(v_tenant, new.table_name, new.row_key, 'access', null, (
    select coalesce(jsonb_object_agg(d.key, d.value), '{}')
    from jsonb_each(new.details) d
    where (d.key = 'rows' and jsonb_typeof(d.value) = 'number')
       or (d.key = 'ids' and jsonb_typeof(d.value) = 'array'
           and d.value::text ~ '^\[("[0-9a-f-]{36}"(, "[0-9a-f-]{36}")*)?\]$')
       or (d.key in ('view', 'format', 'shown_in') and jsonb_typeof(d.value) = 'string'
           and d.value #>> '{}' ~ '^[a-z][a-z -]{0,40}$')));
  delete from audit.access_requests r where r.id = new.id;
  return null;
end
$$;
