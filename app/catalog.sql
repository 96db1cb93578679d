-- The catalog reads of flask db check (app/catalog.py): what the migrated schema holds.

-- name: tenant_tables
select format('%%I.%%I', n.nspname, c.relname) as name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname = any(%(schemas)s)
  and (exists (select from pg_attribute a where a.attrelid = c.oid
               and a.attname = 'tenant_id' and not a.attisdropped)
       or c.oid = 'public.tenants'::regclass)
order by 1

-- name: tables_with_row_security
select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
       (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname = any(%(schemas)s)

-- name: tenant_foreign_keys
select format('%%I.%%I', sn.nspname, s.relname) as source, con.conname,
       format('%%I.%%I', tn.nspname, t.relname) as target,
       array(select a.attname::text from unnest(con.conkey) k(attnum)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)
         as columns
from pg_constraint con
join pg_class s on s.oid = con.conrelid join pg_namespace sn on sn.oid = s.relnamespace
join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
where con.contype = 'f' and sn.nspname = any(%(schemas)s)

-- name: functions_without_search_path
select format('%%I.%%I(%%s)', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid)) as name
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(schemas)s)
  and not exists (select from unnest(coalesce(p.proconfig, '{}')) c
                  where c like 'search_path=%%')
  and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')

-- name: policy_expressions
select schemaname, tablename, policyname, coalesce(qual, '') as qual, coalesce(with_check, '') as with_check from pg_policies where schemaname = any(%(schemas)s)

-- name: tables_without_audit_trigger
select format('%%I.%%I', n.nspname, c.relname) as name
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
  and n.nspname = any(%(schemas)s)
  and not (
    exists (
      select from pg_trigger t
      where t.tgrelid = c.oid and t.tgname = 'audit_changes' and t.tgenabled <> 'D'
        and t.tgfoid = to_regprocedure('audit.record_change()')
        -- row (1), delete (8), update (16); neither insert (4), before (2) nor instead (64)
        and t.tgtype::integer & 95 = 25)
    and exists (
      select from pg_trigger t
      where t.tgrelid = c.oid and t.tgname = 'audit_inserts' and t.tgenabled <> 'D'
        and t.tgfoid = to_regprocedure('audit.record_inserts()')
        -- statement (not 1), insert (4), after; with the statement's rows
        and t.tgtype::integer & 95 = 4 and t.tgnewtable = 'new_rows'))

-- name: read_only_trigger_state
select format('%%I.%%I', n.nspname, c.relname) as name,
       exists (select from pg_trigger t where t.tgrelid = c.oid
               and t.tgname = '_read_only_when_closed') as present,
       exists (
         select from pg_trigger t
         where t.tgrelid = c.oid and t.tgname = '_read_only_when_closed' and t.tgenabled <> 'D'
           and t.tgfoid = case when c.oid = 'public.tenants'::regclass
                               then to_regprocedure('app.refuse_company_changes_when_closed()')
                               else to_regprocedure('app.refuse_writes_when_closed()') end
           -- row (1), before (2), insert (4), delete (8), update (16); not instead (64)
           and t.tgtype::integer & 95 = 31) as enforced
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
  and n.nspname = any(%(schemas)s)
order by 1

-- name: function_grants
select format('%%I.%%I(%%s)', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid)) as name
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(schemas)s) and p.prosecdef
  and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
              where a.grantee = 0 and a.privilege_type = 'EXECUTE')
  and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')

-- name: attribution_columns
select format('%%I.%%I.%%I', n.nspname, c.relname, a.attname) as name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
  and n.nspname = any(%(schemas)s) and a.atttypid = 'uuid'::regtype
  and (a.attname = 'author_id' or a.attname like '%%\_by')
  and not exists (
    select from pg_trigger t
    where t.tgrelid = c.oid and t.tgenabled <> 'D'
      and t.tgfoid = to_regprocedure('app.stamp_author()')
      -- row (1), before (2), insert (4), update (16)
      and t.tgtype::integer & 23 = 23
      and (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1] = a.attname)
order by 1

-- name: our_definers
select format('%%I.%%I(%%s)', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid)) as name,
       p.proargnames as names, p.proargmodes::text[] as modes,
       array(select r from unnest(%(roles)s::text[]) r
             where has_function_privilege(r, p.oid, 'EXECUTE') order by r) as callers
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where p.prosecdef and n.nspname <> all(%(platform)s)
  and n.nspname <> 'information_schema' and n.nspname not like 'pg\_%%'
  and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1

-- name: api_roles
select rolname from pg_roles where rolname = any(%(roles)s) order by 1

-- name: functions_executable_by_public
select format('%%I.%%I(%%s)', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid)) as name
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(schemas)s) and not p.prosecdef
  and exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
              where a.grantee = 0 and a.privilege_type = 'EXECUTE')
  and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1

-- name: default_function_privileges
select r.rolname as role, n.nspname as schema
from pg_roles r
cross join lateral (
  select 0::oid as namespace, coalesce(
           (select d.defaclacl from pg_default_acl d where d.defaclrole = r.oid
            and d.defaclnamespace = 0 and d.defaclobjtype = 'f'),
           acldefault('f', r.oid)) as acl
  union all
  select d.defaclnamespace, d.defaclacl from pg_default_acl d
  where d.defaclrole = r.oid and d.defaclobjtype = 'f'
    and d.defaclnamespace::regnamespace::text = any(%(schemas)s)) d
left join pg_namespace n on n.oid = d.namespace
where (r.rolname = current_user or r.oid in (
         select p.proowner from pg_proc p join pg_namespace pn on pn.oid = p.pronamespace
         where pn.nspname = any(%(schemas)s)))
  and exists (select from aclexplode(d.acl) a
              where a.grantee = 0 and a.privilege_type = 'EXECUTE')
order by 1, 2 nulls first

-- name: table_indexes
select i.indisunique as is_unique,
       array(select a.attname::text from unnest(i.indkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
             order by k.ord) as columns
from pg_index i where i.indrelid = %(table)s::regclass

-- name: tenant_id_nullable
select not attnotnull as nullable from pg_attribute where attrelid = %(table)s::regclass and attname = 'tenant_id'

-- name: table_columns
-- A table's columns in order: name, type, whether it may be null, whether it is bytes.
select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
       not a.attnotnull as nullable, a.atttypid = 'bytea'::regtype as is_bytea
from pg_attribute a
where a.attrelid = %(table)s::regclass and a.attnum > 0 and not a.attisdropped
order by a.attnum

-- name: company_foreign_keys
-- Every foreign key between the given tables: the referencing table and columns, the
-- referenced table and columns (in key order, tenant_id among them), and its on-delete action.
select format('%%I.%%I', sn.nspname, s.relname) as source,
       format('%%I.%%I', tn.nspname, t.relname) as target,
       con.confdeltype::text as on_delete,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, o)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
             order by k.o) as columns,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, o)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
             order by k.o) as referenced
from pg_constraint con
join pg_class s on s.oid = con.conrelid join pg_namespace sn on sn.oid = s.relnamespace
join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
where con.contype = 'f'
  and format('%%I.%%I', sn.nspname, s.relname) = any(%(tables)s)
  and format('%%I.%%I', tn.nspname, t.relname) = any(%(tables)s)
order by 1, 2, con.conname

-- name: tables_without_retention_rule
select t.name, count(r.*) as rules
from unnest(%(tables)s::text[]) t(name)
left join app.retention_rules r on r.table_name = t.name and r.on_purge is not null
group by t.name
having count(r.*) <> 1
order by 1

-- name: retention_rules_without_table
select r.record_kind, r.table_name from app.retention_rules r
where to_regclass(r.table_name) is null
order by 1

-- name: periodic_rules_not_sweepable
-- A rule with a period whose age column is not a column of its table, or whose sweep function is
-- not `fn(timestamptz, integer) returns integer`.
select r.record_kind,
       r.table_name,
       r.age_column,
       r.sweep_function,
       exists (select from pg_attribute a
                where a.attrelid = to_regclass(r.table_name) and a.attname = r.age_column
                  and a.attnum > 0 and not a.attisdropped) as column_found,
       r.sweep_function is null
         or to_regprocedure(r.sweep_function || '(timestamptz, integer)') is not null
            and (select p.prorettype = 'integer'::regtype from pg_proc p
                  where p.oid = to_regprocedure(r.sweep_function || '(timestamptz, integer)'))
         as function_found
from app.retention_rules r
where r.period is not null and to_regclass(r.table_name) is not null
order by 1

-- name: periodic_retention_rules
select r.record_kind, r.period::text as period, r.action, r.reason
from app.retention_rules r where r.period is not null
order by r.period desc, r.record_kind
