-- Invoices and payments: their reads and writes. Every statement names the company; the
-- policies decide again who may read and change what (office staff; technicians for their own
-- jobs), and the triggers what may change at all (app.invoices_keep_their_word).

-- name: list_invoices
-- A page of invoices, newest first, in a status, for a customer's name (as billed) or an
-- invoice's number, issued within dates, worked by a technician (one assigned to the invoice's
-- visit, or to a visit of its job not canceled when it names no visit), with each one's total,
-- balance and technicians. One row more than the page says whether another follows; with no
-- limit, the whole list (its CSV file).
select i.id, i.number, i.status, i.issued_on, i.due_on, i.created_at, i.currency,
       i.customer_id, i.bill_to_name, t.total, t.paid, t.balance, crew.names as technicians
from (
  select x.tenant_id, x.id, x.number, x.status, x.issued_on, x.due_on, x.created_at,
         x.currency, x.customer_id, x.bill_to_name, x.job_id, x.visit_id
  from public.invoices x
  where x.tenant_id = %(tenant_id)s
    and (%(status)s::text is null or x.status = %(status)s)
    and (%(number)s::integer is null or x.number = %(number)s)
    and (%(pattern)s::text is null or lower(x.bill_to_name) like %(pattern)s)
    and (%(starts)s::date is null or x.issued_on >= %(starts)s)
    and (%(ends)s::date is null or x.issued_on <= %(ends)s)
    and (%(technician_id)s::uuid is null or exists (
      select from public.visits v
      join public.visit_assignments a on a.tenant_id = v.tenant_id and a.visit_id = v.id
      where v.tenant_id = x.tenant_id and v.job_id = x.job_id
        and (v.id = x.visit_id or (x.visit_id is null and v.status <> 'canceled'))
        and a.technician_id = %(technician_id)s
    ))
  order by x.created_at desc, x.id desc
  limit %(limit)s offset %(offset)s
) i
-- Totals and technicians of the page's invoices only.
join lateral (
  select s.total, s.paid, s.balance from public.invoice_totals s
  where s.tenant_id = i.tenant_id and s.invoice_id = i.id
) t on true
cross join lateral (
  select array_to_string(array(
    select distinct m.full_name
    from public.visits v
    join public.visit_assignments a on a.tenant_id = v.tenant_id and a.visit_id = v.id
    join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
    where v.tenant_id = i.tenant_id and v.job_id = i.job_id
      and (v.id = i.visit_id or (i.visit_id is null and v.status <> 'canceled'))
    order by m.full_name
  ), ', ') as names
) crew
order by i.created_at desc, i.id desc

-- name: invoice
-- One invoice with its totals and what it was made from (any of which may be gone).
select i.id, i.number, i.status, i.terms, i.issued_on, i.due_on, i.note, i.currency,
       i.bill_to_name, i.bill_to_email, i.bill_to_address, i.sent_at, i.voided_at,
       i.void_reason, i.created_at, i.updated_at, i.created_by,
       i.customer_id, c.display_name as customer_name,
       coalesce(nullif(c.first_name, ''), c.display_name, i.bill_to_name) as customer_first_name,
       c.email as customer_email, c.phone as customer_phone,
       c.preferred_contact as customer_preferred_contact,
       i.property_id, p.street, p.unit, p.city,
       i.job_id, j.summary as job_summary, i.visit_id,
       i.estimate_id, e.number as estimate_number,
       t.subtotal, t.discount, t.tax, t.total, t.paid, t.balance,
       m.full_name as created_by_name,
       -- Member prices for a customer with an active plan (a yes or no even a technician,
       -- who sees no plans, may read).
       app.customer_has_plan(i.customer_id) as member
from public.invoices i
join public.invoice_totals t on t.tenant_id = i.tenant_id and t.invoice_id = i.id
left join public.customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id
left join public.properties p on p.tenant_id = i.tenant_id and p.id = i.property_id
left join public.jobs j on j.tenant_id = i.tenant_id and j.id = i.job_id
left join public.estimates e on e.tenant_id = i.tenant_id and e.id = i.estimate_id
left join public.memberships m on m.tenant_id = i.tenant_id and m.account_id = i.created_by
where i.tenant_id = %(tenant_id)s and i.id = %(id)s

-- name: lines
select id, position, price_item_id, kind, description, quantity, unit, unit_price,
       discount_percent, taxable
from public.invoice_lines
where tenant_id = %(tenant_id)s and invoice_id = %(invoice_id)s
order by position, created_at, id

-- name: tax_rates
select id, name, percent from public.invoice_tax_rates
where tenant_id = %(tenant_id)s and invoice_id = %(invoice_id)s
order by position, name

-- name: payments
select p.id, p.amount, p.method, p.reference, p.received_on, p.created_at,
       m.full_name as recorded_by_name
from public.payments p
left join public.memberships m on m.tenant_id = p.tenant_id and m.account_id = p.recorded_by
where p.tenant_id = %(tenant_id)s and p.invoice_id = %(invoice_id)s
order by p.received_on, p.created_at, p.id

-- name: place
-- What a new invoice is for: a property (with its customer) and, when made from a job at that
-- property, the job, its last completed visit and its approved estimate (the latest approved).
select p.id as property_id, p.customer_id, c.display_name as customer_name, p.street, p.unit,
       p.city, p.archived_at, j.id as job_id, j.summary as job_summary,
       (select v.id from public.visits v
         where v.tenant_id = p.tenant_id and v.job_id = j.id and v.status = 'completed'
         order by v.completed_at desc nulls last, v.id limit 1) as visit_id,
       ae.id as estimate_id, ae.number as estimate_number, ae.approved_option_id
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
left join public.jobs j
  on j.tenant_id = p.tenant_id and j.id = %(job_id)s and j.property_id = p.id
left join lateral (
  select e.id, e.number, e.approved_option_id from public.estimates e
  where e.tenant_id = p.tenant_id and e.job_id = j.id and e.status = 'approved'
  order by e.approved_at desc, e.id limit 1
) ae on true
where p.tenant_id = %(tenant_id)s and p.id = %(property_id)s

-- name: job_place
select property_id from public.jobs where tenant_id = %(tenant_id)s and id = %(job_id)s

-- name: insert_invoice
-- The number is given by the database (app.number_invoice); the company's currency and whom
-- the invoice is billed to (the customer's name and email, the property's address) are copied
-- onto it.
insert into public.invoices (
  tenant_id, customer_id, property_id, job_id, visit_id, estimate_id, terms, issued_on, note,
  currency, bill_to_name, bill_to_email, bill_to_address, number
)
select %(tenant_id)s, p.customer_id, p.id, %(job_id)s, %(visit_id)s, %(estimate_id)s,
       %(terms)s, %(issued_on)s, %(note)s, t.currency,
       left(coalesce(nullif(btrim(c.display_name), ''), 'Customer'), 200), c.email,
       btrim(p.street || ' ' || p.unit) || E'\n' || p.city
         || case when p.region <> '' then ', ' || p.region else '' end
         || case when p.postal_code <> '' then ' ' || p.postal_code else '' end,
       0
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
join public.tenants t on t.id = p.tenant_id
where p.tenant_id = %(tenant_id)s and p.id = %(property_id)s
returning id, number

-- name: copy_tax_rates
-- The company's rates that apply now.
insert into public.invoice_tax_rates (tenant_id, invoice_id, position, name, percent)
select %(tenant_id)s, %(invoice_id)s,
       (row_number() over (order by lower(r.name), r.id) - 1)::smallint, r.name, r.percent
from public.tax_rates r
where r.tenant_id = %(tenant_id)s and r.applies and r.archived_at is null

-- name: copy_estimate_lines
-- The lines of the approved option of the estimate, as they were approved.
insert into public.invoice_lines (
  tenant_id, invoice_id, position, price_item_id, kind, description, quantity, unit,
  unit_price, discount_percent, taxable
)
select l.tenant_id, %(invoice_id)s,
       (row_number() over (order by l.position, l.created_at, l.id) - 1)::integer,
       l.price_item_id, l.kind, l.description, l.quantity, l.unit, l.unit_price,
       l.discount_percent, l.taxable
from public.estimate_lines l
join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
where l.tenant_id = %(tenant_id)s and l.estimate_id = %(estimate_id)s
  and e.status = 'approved' and l.option_id = e.approved_option_id

-- name: insert_line
insert into public.invoice_lines (
  tenant_id, invoice_id, position, price_item_id, kind, description, quantity, unit,
  unit_price, discount_percent, taxable
)
select %(tenant_id)s, %(invoice_id)s,
       coalesce((select max(l.position) + 1 from public.invoice_lines l
                  where l.tenant_id = %(tenant_id)s and l.invoice_id = %(invoice_id)s), 0),
       %(price_item_id)s, %(kind)s, %(description)s, %(quantity)s, %(unit)s, %(unit_price)s,
       %(discount_percent)s, %(taxable)s
returning id

-- name: line
select l.id, l.invoice_id, l.kind, l.description, l.quantity, l.unit, l.unit_price,
       l.discount_percent, l.taxable, i.status, i.number
from public.invoice_lines l
join public.invoices i on i.tenant_id = l.tenant_id and i.id = l.invoice_id
where l.tenant_id = %(tenant_id)s and l.id = %(id)s

-- name: update_line
update public.invoice_lines
   set description = %(description)s, quantity = %(quantity)s, unit = %(unit)s,
       unit_price = %(unit_price)s, discount_percent = %(discount_percent)s,
       taxable = %(taxable)s
 where tenant_id = %(tenant_id)s and id = %(id)s
returning invoice_id

-- name: delete_line
delete from public.invoice_lines where tenant_id = %(tenant_id)s and id = %(id)s
returning invoice_id

-- name: update_draft
update public.invoices
   set terms = %(terms)s, issued_on = %(issued_on)s, note = %(note)s,
       bill_to_name = %(bill_to_name)s, bill_to_email = %(bill_to_email)s,
       bill_to_address = %(bill_to_address)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'draft'
returning id

-- name: mark_sent
-- A draft with at least one line.
update public.invoices i set status = 'sent', sent_at = now(), updated_at = now()
 where i.tenant_id = %(tenant_id)s and i.id = %(id)s and i.status = 'draft'
   and exists (select from public.invoice_lines l
                where l.tenant_id = i.tenant_id and l.invoice_id = i.id)
returning id

-- name: void
update public.invoices
   set status = 'void', voided_at = now(), void_reason = %(reason)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status <> 'void'
returning id

-- name: insert_payment
-- The invoice's status follows in the same statement (app.payment_applied), or the payment is
-- refused: more than the balance, or the invoice not open for payment.
insert into public.payments (tenant_id, invoice_id, amount, method, reference, received_on)
values (%(tenant_id)s, %(invoice_id)s, %(amount)s, %(method)s, %(reference)s, %(received_on)s)
returning id

-- name: for_customer
-- The customer page's timeline: each invoice at when it last changed.
select i.id, i.number, i.status, i.updated_at as at, t.total, t.balance, i.currency
from public.invoices i
join public.invoice_totals t on t.tenant_id = i.tenant_id and t.invoice_id = i.id
where i.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
order by i.updated_at desc
limit 50

-- name: payments_for_customer
-- The customer page's timeline: each payment on the customer's invoices, at when it was
-- recorded.
select p.id, p.invoice_id, i.number, p.amount, p.method, p.received_on, i.currency,
       p.created_at as at
from public.payments p
join public.invoices i on i.tenant_id = p.tenant_id and i.id = p.invoice_id
where p.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
order by p.created_at desc
limit 50

-- name: refunds_for_customer
-- The customer page's timeline: each refund given back on the customer's invoices (through
-- Stripe, by the office or in Stripe's dashboard), at when it was made.
select r.id, r.invoice_id, i.number, r.amount, r.reason, i.currency, r.created_at as at
from public.refunds r
join public.invoices i on i.tenant_id = r.tenant_id and i.id = r.invoice_id
where r.tenant_id = %(tenant_id)s and i.customer_id = %(customer_id)s
order by r.created_at desc
limit 50

-- name: for_job
-- A job's invoices, newest first, with their totals and balances.
select i.id, i.number, i.status, i.visit_id, i.created_at, i.currency, t.total, t.balance
from public.invoices i
join public.invoice_totals t on t.tenant_id = i.tenant_id and t.invoice_id = i.id
where i.tenant_id = %(tenant_id)s and i.job_id = %(job_id)s
order by i.created_at desc
