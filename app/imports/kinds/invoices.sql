-- Invoice history: past invoices of the old system, kept for the record (never collected here).

-- name: invoice_history_for_matching
-- The company's invoice history, to tell an invoice already imported (same number, or same
-- customer, day and total) from a new one.
select h.id, h.customer_id, h.number, h.issued_on, h.due_on, h.total, h.paid, h.balance,
       h.status, h.description
from public.invoice_history h
where h.tenant_id = %(tenant_id)s

-- name: insert_invoice_history
insert into public.invoice_history (
  tenant_id, customer_id, number, issued_on, due_on, total, paid, balance, status, description
)
select %(tenant_id)s, r.customer_id, r.number, r.issued_on, r.due_on, r.total, r.paid,
       r.balance, r.status, r.description
from jsonb_to_recordset(%(rows)s) as r(
  customer_id uuid, number text, issued_on date, due_on date, total numeric, paid numeric,
  balance numeric, status text, description text)
returning id

-- name: update_invoice_history
-- Each row as it was (read before the update, in the same statement's snapshot), for undo.
with incoming as (
  select * from jsonb_to_recordset(%(rows)s) as r(
    target_id uuid, customer_id uuid, number text, issued_on date, due_on date, total numeric,
    paid numeric, balance numeric, status text, description text)
), earlier as (
  select h.id, to_jsonb(h) as row
  from public.invoice_history h
  join incoming i on i.target_id = h.id
  where h.tenant_id = %(tenant_id)s
)
update public.invoice_history h
   set customer_id = i.customer_id, number = i.number, issued_on = i.issued_on,
       due_on = i.due_on, total = i.total, paid = i.paid, balance = i.balance,
       status = i.status, description = i.description
  from incoming i
  join earlier e on e.id = i.target_id
 where h.tenant_id = %(tenant_id)s and h.id = i.target_id
returning h.id, e.row as before
