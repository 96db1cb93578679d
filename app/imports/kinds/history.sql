-- Service history: past jobs and visits of the old system, imported, and what the customer
-- page shows of them and of the old invoices (invoice_history).

-- name: service_history_for_matching
-- The company's service history, to tell a row already imported (same job or visit number, or
-- same customer, day and summary) from a new one.
select h.id, h.customer_id, h.property_id, h.occurred_on, h.kind, h.technician, h.summary,
       h.amount, h.source_id
from public.service_history h
where h.tenant_id = %(tenant_id)s

-- name: insert_service_history
insert into public.service_history (
  tenant_id, customer_id, property_id, occurred_on, kind, technician, summary, amount, source_id
)
select %(tenant_id)s, r.customer_id, r.property_id, r.occurred_on, r.kind, r.technician,
       r.summary, r.amount, r.source_id
from jsonb_to_recordset(%(rows)s) as r(
  customer_id uuid, property_id uuid, occurred_on date, kind text, technician text,
  summary text, amount numeric, source_id text)
returning id

-- name: update_service_history
-- Each row as it was (read before the update, in the same statement's snapshot), for undo.
with incoming as (
  select * from jsonb_to_recordset(%(rows)s) as r(
    target_id uuid, customer_id uuid, property_id uuid, occurred_on date, kind text,
    technician text, summary text, amount numeric, source_id text)
), earlier as (
  select h.id, to_jsonb(h) as row
  from public.service_history h
  join incoming i on i.target_id = h.id
  where h.tenant_id = %(tenant_id)s
)
update public.service_history h
   set customer_id = i.customer_id, property_id = i.property_id, occurred_on = i.occurred_on,
       kind = i.kind, technician = i.technician, summary = i.summary, amount = i.amount,
       source_id = i.source_id
  from incoming i
  join earlier e on e.id = i.target_id
 where h.tenant_id = %(tenant_id)s and h.id = i.target_id
returning h.id, e.row as before

-- name: history_for_customer
-- The customer page's "Service history": the latest past jobs and visits and the latest old
-- invoices, newest first, each with how many there are in all.
(select 'service' as entry, h.id, h.occurred_on as on_day, h.kind, h.technician,
        h.summary as about, h.amount, '' as number, '' as status, null::numeric as balance,
        t.currency, count(*) over () as how_many
 from public.service_history h
 join public.tenants t on t.id = h.tenant_id
 where h.tenant_id = %(tenant_id)s and h.customer_id = %(customer_id)s
 order by h.occurred_on desc, h.created_at desc, h.id
 limit 10)
union all
(select 'invoice', i.id, i.issued_on, '', '', i.description, i.total, i.number, i.status,
        i.balance, t.currency, count(*) over ()
 from public.invoice_history i
 join public.tenants t on t.id = i.tenant_id
 where i.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
 order by i.issued_on desc, i.created_at desc, i.id
 limit 10)

-- name: service_history_timeline
-- The customer's timeline: each past job or visit at noon of its day, the company's time.
select h.id, h.occurred_on, h.kind, h.technician, h.summary, h.amount, t.currency,
       (h.occurred_on + time '12:00') at time zone t.time_zone as at
from public.service_history h
join public.tenants t on t.id = h.tenant_id
where h.tenant_id = %(tenant_id)s and h.customer_id = %(customer_id)s
order by h.occurred_on desc, h.created_at desc
limit 50
