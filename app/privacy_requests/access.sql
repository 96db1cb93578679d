-- A homeowner's access request (P-10): the catalog reads that find every table linked to a
-- customer (app/privacy_requests/access.py). The rows themselves are read with identifiers
-- from these reads, through psycopg.sql.

-- name: company_references
-- Every foreign key between company tables: the referencing table and columns, the referenced
-- table and columns, in key order (tenant_id among them).
select format('%%I.%%I', sn.nspname, s.relname) as source,
       format('%%I.%%I', tn.nspname, t.relname) as target,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
             order by k.ord) as columns,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
             order by k.ord) as target_columns
from pg_constraint con
join pg_class s on s.oid = con.conrelid join pg_namespace sn on sn.oid = s.relnamespace
join pg_class t on t.oid = con.confrelid join pg_namespace tn on tn.oid = t.relnamespace
where con.contype = 'f' and format('%%I.%%I', sn.nspname, s.relname) = any(%(tables)s)
  and format('%%I.%%I', tn.nspname, t.relname) = any(%(tables)s)
order by 1, 2, con.conname

-- name: exported_columns
-- The columns a person's copy shows: not secrets (hashes, sealed values, anything binary).
select format('%%I.%%I', n.nspname, c.relname) as table_name,
       array_agg(a.attname::text order by a.attnum) as columns
from pg_attribute a
join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
where format('%%I.%%I', n.nspname, c.relname) = any(%(tables)s)
  and a.attnum > 0 and not a.attisdropped and a.atttypid <> 'bytea'::regtype
  and a.attname not like '%%\_hash' and a.attname not like '%%\_encrypted'
  and a.attname not in ('search_text', 'signature_key', 'storage_key')
group by 1

-- name: customer_addresses
-- The emails and numbers a customer is reached at: theirs and their contacts'.
select distinct lower(btrim(a)) as address
  from (select c.email as a from public.customers c
         where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
        union all select c.phone from public.customers c
         where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
        union all select x.email from public.customer_contacts x
         where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s
        union all select x.phone from public.customer_contacts x
         where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s) found
 where btrim(coalesce(a, '')) <> ''

-- name: rows_with_keys
-- A table's rows whose key columns (as text) are one of the given keys (one array per column).
select to_jsonb(t) as row from {table} t
 where t.tenant_id = %(tenant)s and ({columns}) in (select * from unnest({keys}))

-- name: rows_with_value
-- A table's rows whose column, as text in lower case, is one of the values.
select to_jsonb(t) as row from {table} t
 where t.tenant_id = %(tenant)s and lower(t.{column}::text) = any(%(values)s)
