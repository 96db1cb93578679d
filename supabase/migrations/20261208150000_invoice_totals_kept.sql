-- An invoice keeps its totals and what has been paid on its own row, current in the
-- transaction that changes a line, a tax rate or a payment, instead of summing them on every
-- read: the unpaid invoices by age of a company with 100,000 invoices read one row per unpaid
-- invoice instead of its lines, rates and payments.
--
-- Who may write what: nobody writes the kept columns but the triggers below (the app's roles
-- lose the table-wide insert and update grants and get them per column, without these), so a
-- member cannot make an invoice say it is paid.

alter table public.invoices
  add column subtotal numeric(14, 2) not null default 0,
  add column discount numeric(14, 2) not null default 0,
  add column tax numeric(14, 2) not null default 0,
  add column total numeric(14, 2) not null default 0,
  add column paid numeric(14, 2) not null default 0;

revoke insert, update on public.invoices from authenticated;
grant insert (tenant_id, id, number, customer_id, property_id, job_id, visit_id, estimate_id,
              status, terms, issued_on, note, currency, bill_to_name, bill_to_email,
              bill_to_address, sent_at, voided_at, void_reason, created_by, created_at,
              updated_at)
  on public.invoices to authenticated;
grant update (customer_id, property_id, job_id, visit_id, estimate_id, status, terms, issued_on,
              note, bill_to_name, bill_to_email, bill_to_address, sent_at, voided_at,
              void_reason, created_by, updated_at)
  on public.invoices to authenticated;

-- Why: the totals by app/money.py's rule (each line's extended price, discount and each tax
-- rounded to the cent, then summed), written on the invoice whenever one of its lines or tax
-- rates changes. Definer: the kept columns are granted to nobody. It is a trigger, so it is
-- called with no argument of the caller's: it recomputes the invoices of the rows changed.
create function app.invoice_totals_kept() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid;
  v_invoice uuid;
begin
  for v_tenant, v_invoice in
    select distinct x.tenant_id, x.invoice_id
    from (select new.tenant_id, new.invoice_id where tg_op <> 'DELETE'
          union all
          select old.tenant_id, old.invoice_id where tg_op <> 'INSERT') x
  loop
    update public.invoices i
       set subtotal = s.subtotal, discount = s.discount, tax = s.tax, total = s.total
      from (
        select coalesce(sum(x.extended), 0) as subtotal, coalesce(sum(x.discount), 0) as discount,
               coalesce(sum(x.tax), 0) as tax,
               coalesce(sum(x.extended - x.discount + x.tax), 0) as total
        from (
          select y.extended, y.discount,
                 case when y.taxable then coalesce((
                   select sum(round((y.extended - y.discount) * r.percent / 100, 2))
                   from public.invoice_tax_rates r
                   where r.tenant_id = v_tenant and r.invoice_id = v_invoice), 0)
                 else 0 end as tax
          from (
            select ln.taxable,
                   round(ln.quantity * ln.unit_price, 2) as extended,
                   round(round(ln.quantity * ln.unit_price, 2) * ln.discount_percent / 100, 2)
                     as discount
            from public.invoice_lines ln
            where ln.tenant_id = v_tenant and ln.invoice_id = v_invoice
          ) y
        ) x
      ) s
     where i.tenant_id = v_tenant and i.id = v_invoice
       and (i.subtotal, i.discount, i.tax, i.total)
           is distinct from (s.subtotal, s.discount, s.tax, s.total);
  end loop;
  return null;
end
$$;
revoke all on function app.invoice_totals_kept() from public;

create trigger invoice_lines_totals_kept
  after insert or update or delete on public.invoice_lines
  for each row execute function app.invoice_totals_kept();
create trigger invoice_tax_rates_totals_kept
  after insert or update or delete on public.invoice_tax_rates
  for each row execute function app.invoice_totals_kept();

-- Why: a payment moves its invoice to partly_paid or paid in the same transaction, adds to what
-- it says is paid, and never goes beyond its total. The invoice's row is locked before the
-- payment is written (app.payment_locks_invoice), so of two payments recorded at the same
-- moment the second waits, then reads the first's sum and is refused if it would overpay.
-- Definer since the kept columns are granted to nobody; the payment itself was written under
-- the caller's policies, which decide whose invoices they may pay.
create or replace function app.payment_applied() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_status text;
  v_total numeric;
  v_paid numeric;
begin
  select i.status, i.total, i.paid + new.amount into v_status, v_total, v_paid
    from public.invoices i
   where i.tenant_id = new.tenant_id and i.id = new.invoice_id
     for update;
  if v_status is null or v_status not in ('sent', 'partly_paid') then
    raise exception 'a payment is recorded only against a sent invoice with a balance'
      using errcode = 'check_violation', constraint = 'payments_invoice_open';
  end if;
  if v_paid > v_total then
    raise exception 'a payment of % is more than the balance of %', new.amount,
                    v_total - v_paid + new.amount
      using errcode = 'check_violation', constraint = 'payments_within_balance';
  end if;
  update public.invoices i
     set paid = v_paid,
         status = case when v_paid = v_total then 'paid' else 'partly_paid' end,
         updated_at = now()
   where i.tenant_id = new.tenant_id and i.id = new.invoice_id;
  return null;
end
$$;
revoke all on function app.payment_applied() from public;

-- Why: as before (20261207130100), with paid and partly paid now read from the row's own kept
-- totals (the row being changed, not the table's earlier version of it).
create or replace function app.invoices_keep_their_word() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if (new.number, new.currency, new.created_at) is distinct from
     (old.number, old.currency, old.created_at)
     or new.customer_id is distinct from old.customer_id and new.customer_id is not null
     or new.property_id is distinct from old.property_id and new.property_id is not null
     or new.job_id is distinct from old.job_id and new.job_id is not null
     or new.visit_id is distinct from old.visit_id and new.visit_id is not null
     or new.estimate_id is distinct from old.estimate_id and new.estimate_id is not null
  then
    raise exception 'an invoice keeps its number, currency, customer, property and job'
      using errcode = 'check_violation', constraint = 'invoices_keep_their_place';
  end if;
  if new.status is distinct from old.status and not (
    old.status = 'draft' and new.status = 'sent'
    or old.status in ('sent', 'partly_paid') and new.status in ('partly_paid', 'paid')
    or old.status in ('draft', 'sent', 'partly_paid', 'paid') and new.status = 'void'
  ) then
    raise exception 'an invoice goes from draft to sent, then paid, or void'
      using errcode = 'check_violation', constraint = 'invoices_status_order';
  end if;
  if new.status is distinct from old.status and new.status in ('partly_paid', 'paid')
     and new.status <> (case when new.paid >= new.total then 'paid'
                             when new.paid > 0 then 'partly_paid' else 'sent' end) then
    raise exception 'an invoice is paid, or partly paid, by its payments'
      using errcode = 'check_violation', constraint = 'invoices_paid_by_payments';
  end if;
  if old.status <> 'draft'
     and ((new.terms, new.issued_on, new.note, new.bill_to_name, new.bill_to_email,
           new.bill_to_address) is distinct from
          (old.terms, old.issued_on, old.note, old.bill_to_name, old.bill_to_email,
           old.bill_to_address)
          or old.sent_at is distinct from new.sent_at
          or old.status = 'void' and (new.voided_at, new.void_reason)
                                     is distinct from (old.voided_at, old.void_reason))
     and not (
       new.customer_id is null and new.bill_to_name = 'Erased customer'
       and new.bill_to_email = '' and new.bill_to_address = '' and new.note = ''
       and (new.terms, new.issued_on, new.sent_at, new.voided_at, new.void_reason)
           is not distinct from (old.terms, old.issued_on, old.sent_at, old.voided_at,
                                 old.void_reason)
     )
  then
    raise exception 'only a draft invoice changes; void a sent one'
      using errcode = 'check_violation', constraint = 'invoices_draft_only';
  end if;
  return new;
end
$$;

-- The invoices already made: their totals as the view summed them until now.
update public.invoices i
   set subtotal = t.subtotal, discount = t.discount, tax = t.tax, total = t.total, paid = t.paid
  from public.invoice_totals t
 where t.tenant_id = i.tenant_id and t.invoice_id = i.id;

-- The view keeps its columns and now reads the kept ones. Under the caller's own policies.
create or replace view public.invoice_totals with (security_invoker = true) as
select i.tenant_id, i.id as invoice_id, i.subtotal, i.discount, i.tax, i.total, i.paid,
       (i.total - i.paid)::numeric(14, 2) as balance
from public.invoices i;

-- The unpaid invoices by age: the invoices with a balance, by due date.
create index invoices_unpaid_idx on public.invoices (tenant_id, due_on, number)
  where status in ('sent', 'partly_paid');
