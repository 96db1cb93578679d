-- The office's money reports over days of the company's calendar: payments by day and method,
-- revenue by technician and by job kind, and the accounting export (QuickBooks Online's CSV
-- import layouts). Every statement names the company; the policies decide again who may read.
--
-- Revenue is what was invoiced before tax: each invoice's lines after their discounts
-- (the invoice's kept subtotal - discount; sales tax is collected for the tax authority, not
-- earned), for invoices sent, partly paid or paid, by the day each is dated (issued_on).
-- Drafts and void invoices are left out.
--
-- A refund counts on the company's day it was made (created_at in the company's time zone),
-- when the money it gives back had reached an invoice as a payment before it: a deposit
-- refunded before it was credited to an invoice was never a payment (what is credited is
-- what was left of it), so it is in neither the payments nor the refunds.

-- name: payments_by_day
-- The payments received on each day of the range, by method.
select p.received_on as day, p.method, sum(p.amount) as amount, count(*) as payments
from public.payments p
where p.tenant_id = %(tenant_id)s and p.received_on between %(starts)s and %(ends)s
group by p.received_on, p.method
order by p.received_on, p.method

-- name: refunds_by_day
-- The refunds made on each day of the range, by the method of the payment they give back.
select r.day, r.method, sum(r.amount) as amount, count(*) as refunds
from (
  select (f.created_at at time zone app.company_time_zone(f.tenant_id))::date as day,
         p.method, f.amount
  from public.refunds f
  join public.payment_attempts a on a.tenant_id = f.tenant_id and a.id = f.attempt_id
  join public.payments p on p.tenant_id = a.tenant_id and p.id = a.payment_id
  where f.tenant_id = %(tenant_id)s and p.created_at <= f.created_at
) r
where r.day between %(starts)s and %(ends)s
group by r.day, r.method
order by r.day, r.method

-- name: revenue_by_technician
-- An invoice's technicians are those assigned to its visit or, when it names no visit, to the
-- visits of its job that were not canceled (a visit an invoice names is one of its job's). Its revenue is split between them equally, to the
-- cent: each gets the share rounded down, and the cents left over go one each to the first of
-- them by name, so the shares add up to the invoice exactly. An invoice without a technician
-- counts under none (technician_id null).
with billed as (
  select i.id, i.job_id, i.visit_id, i.subtotal - i.discount as revenue
  from public.invoices i
  where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid', 'paid')
    and i.issued_on between %(starts)s and %(ends)s
),
crew as (
  select distinct b.id as invoice_id, a.technician_id
  from billed b
  join public.visits v
    on v.tenant_id = %(tenant_id)s and v.job_id = b.job_id
   and (v.id = b.visit_id or (b.visit_id is null and v.status <> 'canceled'))
  join public.visit_assignments a on a.tenant_id = v.tenant_id and a.visit_id = v.id
),
shares as (
  select b.id, b.revenue * 100 as cents, c.technician_id, m.full_name,
         count(c.technician_id) over (partition by b.id) as n,
         row_number() over (partition by b.id order by m.full_name, c.technician_id) as k
  from billed b
  left join crew c on c.invoice_id = b.id
  left join public.memberships m
    on m.tenant_id = %(tenant_id)s and m.account_id = c.technician_id
)
select technician_id, min(full_name) as full_name, count(*) as invoices,
       sum(case when n = 0 then cents
                else floor(cents / n) + case when k <= cents - floor(cents / n) * n then 1 else 0 end
           end / 100)::numeric(14, 2) as revenue
from shares
group by technician_id
order by revenue desc, full_name nulls last

-- name: revenue_by_kind
-- Each invoice's revenue under the kind of its job (an empty kind: no job).
select coalesce(j.kind, '') as kind, count(*) as invoices,
       sum(i.subtotal - i.discount)::numeric(14, 2) as revenue
from public.invoices i
left join public.jobs j on j.tenant_id = i.tenant_id and j.id = i.job_id
where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid', 'paid')
  and i.issued_on between %(starts)s and %(ends)s
group by 1
order by revenue desc, kind

-- name: accounting_invoice_lines
-- The lines of the invoices dated in the range (sent, partly paid or paid: drafts are not
-- invoices yet, and a void one was never owed), invoice by invoice, each with its amount by
-- the money rule (quantity x price rounded half-up to the cent, less its discount rounded
-- likewise) and the invoice's combined tax rate.
select i.number, i.bill_to_name, i.issued_on, i.due_on, i.terms, i.note, l.kind,
       l.description, l.quantity, l.unit_price, l.discount_percent, l.taxable,
       round(l.quantity * l.unit_price, 2)
         - round(round(l.quantity * l.unit_price, 2) * l.discount_percent / 100, 2) as amount,
       coalesce(r.percent, 0) as tax_percent
from public.invoices i
join public.invoice_lines l on l.tenant_id = i.tenant_id and l.invoice_id = i.id
left join lateral (
  select sum(x.percent) as percent from public.invoice_tax_rates x
  where x.tenant_id = i.tenant_id and x.invoice_id = i.id
) r on true
where i.tenant_id = %(tenant_id)s and i.status in ('sent', 'partly_paid', 'paid')
  and i.issued_on between %(starts)s and %(ends)s
order by i.issued_on, i.number, l.position, l.created_at, l.id

-- name: accounting_payments
-- The payments received in the range, each with the invoice it pays.
select p.received_on, i.bill_to_name, p.method, p.reference, i.number, p.amount, i.currency
from public.payments p
join public.invoices i on i.tenant_id = p.tenant_id and i.id = p.invoice_id
where p.tenant_id = %(tenant_id)s and p.received_on between %(starts)s and %(ends)s
order by p.received_on, i.number, p.created_at, p.id

-- name: accounting_refunds
-- The refunds made in the range (as refunds_by_day counts them), each with the invoice whose
-- payment it gives back and its place among that invoice's refunds (R1, R2, ...) over all
-- time, so that a refund keeps its number from one export to the next.
select r.day, i.bill_to_name, r.method, r.stripe_refund_id, i.number, r.place, r.amount,
       r.reason, i.currency
from (
  select f.tenant_id, f.invoice_id, f.amount, f.reason, f.stripe_refund_id, p.method,
         f.created_at, f.id,
         (f.created_at at time zone app.company_time_zone(f.tenant_id))::date as day,
         row_number() over (partition by f.invoice_id order by f.created_at, f.id) as place
  from public.refunds f
  join public.payment_attempts a on a.tenant_id = f.tenant_id and a.id = f.attempt_id
  join public.payments p on p.tenant_id = a.tenant_id and p.id = a.payment_id
  where f.tenant_id = %(tenant_id)s and p.created_at <= f.created_at
) r
join public.invoices i on i.tenant_id = r.tenant_id and i.id = r.invoice_id
where r.day between %(starts)s and %(ends)s
order by r.day, i.number, r.created_at, r.id
