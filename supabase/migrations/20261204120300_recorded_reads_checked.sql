-- Issue 10 (P-07): a recorded read must name a row the caller can read. audit.record_access was
-- a security definer that wrote whatever table and key it was given, so any member could fill
-- the company's log with reads of rows they never saw (or cannot see). Now the read is checked
-- under the caller's own row-level security before it is written:
--  * audit.record_access runs as the caller and inserts into audit.access_requests;
--  * a before-insert trigger, also run as the caller, checks that the table is audited and the
--    row (or every row of a list) is visible to them, and refuses otherwise;
--  * an after-insert trigger, a security definer, appends the read to the log and removes the
--    request. Inserting into audit.access_requests directly goes through the same check.
-- A PostgreSQL security definer cannot switch back to the caller's role, hence the two steps.

-- Why: the hand-off between the caller's check and the log's writer; always empty at commit.
create table audit.access_requests (
  id bigint generated always as identity primary key,
  table_name text not null,
  row_key text not null,
  details jsonb not null default '{}'
);
alter table audit.access_requests enable row level security;
revoke all on audit.access_requests from anon, authenticated, service_role;
grant insert on audit.access_requests to authenticated;

-- Why: a read is recorded only for rows the caller can read: one row; a page of rows listed
-- in details.ids (row key 'list'); a whole table the caller may select from (row key 'export').
-- A record's history stays readable after the record is deleted, so a deleted row's key counts
-- when the caller can read its history in the log. The table must be audited, and its key
-- column is the one its audit trigger names: the statement is built from the catalog, never
-- from the caller's text, and runs under the caller's policies.
create function audit.access_requests_check() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_key record;
  v_keys text[] := array[new.row_key];
  v_seen bigint := 0;
begin
  select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) as type
    into v_key
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a
      on a.attrelid = c.oid and not a.attisdropped
     and a.attname = (string_to_array(encode(t.tgargs, 'escape'), '\000'))[2]
   where t.tgname = 'audit_changes' and format('%I.%I', n.nspname, c.relname) = new.table_name
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
    execute format('select count(*) from %I.%I where %I = any ($1::%s[])',
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

create trigger access_requests_check before insert on audit.access_requests
  for each row execute function audit.access_requests_check();

-- Why: the checked read goes into the company's log; the request itself is not kept.
create function audit.access_requests_record() returns trigger
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
  -- access entries are not sealed, so erasure could not reach it).
  perform audit.append(v_tenant, new.table_name, new.row_key, 'access', null, (
    select coalesce(jsonb_object_agg(d.key, d.value), '{}')
    from jsonb_each(new.details) d
    where (d.key = 'rows' and jsonb_typeof(d.value) = 'number')
       or (d.key = 'ids' and jsonb_typeof(d.value) = 'array'
           and not exists (select from jsonb_array_elements(d.value) i
                           where i #>> '{}' !~ '^[0-9a-f-]{36}$'))
       or (d.key in ('view', 'format', 'shown_in') and jsonb_typeof(d.value) = 'string'
           and d.value #>> '{}' ~ '^[a-z][a-z -]{0,40}$')));
  delete from audit.access_requests r where r.id = new.id;
  return null;
end
$$;

create trigger access_requests_record after insert on audit.access_requests
  for each row execute function audit.access_requests_record();

-- Why: the app's one way to record a read, now run as the caller so that the check above sees
-- what they see.
create or replace function audit.record_access(p_table text, p_row_key text, p_details jsonb)
returns void
language plpgsql security invoker set search_path = ''
as $$
begin
  insert into audit.access_requests (table_name, row_key, details)
  values (p_table, p_row_key, coalesce(p_details, '{}'));
end
$$;

revoke execute on function audit.access_requests_check(), audit.access_requests_record()
  from public;
