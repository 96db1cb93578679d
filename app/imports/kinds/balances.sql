-- Open balances: what customers still owed in the old system, brought forward as sent invoices
-- that the office collects as any other (the invoice list, aging, the portal, payment links).

-- name: balances_brought_forward
-- The invoices earlier balance imports made (not voided), to tell a balance already brought
-- forward from a new one.
select i.id, i.number, i.customer_id, i.issued_on, i.total, l.description
from public.invoices i
join public.invoice_lines l on l.tenant_id = i.tenant_id and l.invoice_id = i.id
where i.tenant_id = %(tenant_id)s and i.status <> 'void' and i.customer_id is not null
  and l.description like 'Balance brought forward%%'

-- name: insert_balance_invoices
-- Drafts first (only a draft takes lines), numbered by the database (app.number_invoice) in
-- the file's order, in the company's currency, billed to the customer as the app bills: their
-- name and email, their billing address or else the property's.
insert into public.invoices (
  tenant_id, id, customer_id, property_id, terms, issued_on, note, currency, bill_to_name,
  bill_to_email, bill_to_address, number
)
select %(tenant_id)s, r.id, c.id, p.id, 'due_on_receipt', r.issued_on, '', t.currency,
       left(coalesce(nullif(btrim(c.display_name), ''), 'Customer'), 200), c.email,
       coalesce(nullif(c.billing_address, ''),
                btrim(p.street || ' ' || p.unit) || E'\n' || p.city
                  || case when p.region <> '' then ', ' || p.region else '' end
                  || case when p.postal_code <> '' then ' ' || p.postal_code else '' end,
                ''),
       0
from jsonb_to_recordset(%(rows)s) as r(id uuid, customer_id uuid, property_id uuid,
                                        issued_on date, n integer)
join public.customers c on c.tenant_id = %(tenant_id)s and c.id = r.customer_id
join public.tenants t on t.id = %(tenant_id)s
left join public.properties p on p.tenant_id = %(tenant_id)s and p.id = r.property_id
order by r.n
returning id

-- name: insert_balance_lines
-- One line each, not taxed: the balance already counts whatever tax it had.
insert into public.invoice_lines (
  tenant_id, invoice_id, position, kind, description, quantity, unit, unit_price, taxable
)
select %(tenant_id)s, r.id, 0, 'other', r.description, 1, 'each', r.amount, false
from jsonb_to_recordset(%(rows)s) as r(id uuid, description text, amount numeric)
returning id

-- name: mark_balances_sent
-- Sent as of now, without sending anything: the office sends them as it sends any invoice.
update public.invoices i set status = 'sent', sent_at = now(), updated_at = now()
  from jsonb_to_recordset(%(rows)s) as r(id uuid)
 where i.tenant_id = %(tenant_id)s and i.id = r.id and i.status = 'draft'
returning i.id
