-- A homeowner's access request (P-10): the catalog reads that find every table linked to a
-- customer (app/privacy_requests/access.py). The rows themselves are read with identifiers
-- from these reads, through psycopg.sql.

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
-- The emails and numbers a customer is reached at: theirs and their contacts', the other
-- numbers and emails included.
select distinct lower(btrim(a)) as address
  from (select c.email as a from public.customers c
         where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
        union all select c.phone from public.customers c
         where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
        union all select x.email from public.customer_contacts x
         where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s
        union all select x.phone from public.customer_contacts x
         where x.tenant_id = %(tenant_id)s and x.customer_id = %(customer_id)s
        union all select ph.number from public.customer_phones ph
         where ph.tenant_id = %(tenant_id)s and ph.customer_id = %(customer_id)s
        union all select em.email from public.customer_emails em
         where em.tenant_id = %(tenant_id)s and em.customer_id = %(customer_id)s) found
 where btrim(coalesce(a, '')) <> ''

-- name: rows_with_keys
-- A table's rows whose key columns (as text) are one of the given keys (one array per column).
select to_jsonb(t) as row from {table} t
 where t.tenant_id = %(tenant)s and ({columns}) in (select * from unnest({keys}))

-- name: rows_with_value
-- A table's rows whose column, as text in lower case, is one of the values.
select to_jsonb(t) as row from {table} t
 where t.tenant_id = %(tenant)s and lower(t.{column}::text) = any(%(values)s)
