-- The purge scenario's large company (bench/purge.py): growth company 2 grown to about
-- %(per_table)s × 5 rows (customers, their notes, contacts, homes and equipment), loaded by the
-- owner with triggers off (see bench/README.md, `scale`); constraints still apply.

-- name: customers
insert into public.customers (tenant_id, id, first_name, last_name, email)
select %(company)s, md5('purge-c' || i)::uuid, 'Pat' || i, 'Many', 'pat' || i || '@example.com'
from generate_series(1, %(per_table)s) i;

-- name: notes
insert into public.customer_notes (tenant_id, customer_id, body)
select %(company)s, md5('purge-c' || i)::uuid, 'Called about the furnace'
from generate_series(1, %(per_table)s) i;

-- name: contacts
insert into public.customer_contacts (tenant_id, customer_id, full_name, email)
select %(company)s, md5('purge-c' || i)::uuid, 'Sam ' || i, 'sam' || i || '@example.com'
from generate_series(1, %(per_table)s) i;

-- name: properties
insert into public.properties (tenant_id, id, customer_id, street, city, region, postal_code)
select %(company)s, md5('purge-p' || i)::uuid, md5('purge-c' || i)::uuid,
       i || ' Oak Street', 'Boston', 'MA', '02110'
from generate_series(1, %(per_table)s) i;

-- name: equipment
insert into public.equipment (tenant_id, property_id, kind, brand)
select %(company)s, md5('purge-p' || i)::uuid, 'furnace', 'Acme'
from generate_series(1, %(per_table)s) i;

-- name: close
update public.tenants set status = 'closed', closed_at = now() - interval '31 days',
       purge_after = now() - interval '1 day'
 where id = %(company)s;
