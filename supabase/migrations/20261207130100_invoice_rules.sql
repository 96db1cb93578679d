-- What invoices and payments may do, enforced where every path meets: numbering, totals,
-- changes only while a draft, status moved by payments (never past the total, even when two
-- are recorded at once), and which invoices a technician sees.

-- Why: each invoice gets the next number of its company (app.document_numbers, kind 'invoice',
-- from 1001), under the counter's row lock in the inserting transaction: two invoices made at
-- the same moment get consecutive numbers, and a rolled-back one leaves no gap. A definer only
-- to write app.document_numbers; as a trigger it cannot be called on its own.
create function app.number_invoice() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into app.document_numbers as d (tenant_id, kind, last_number)
  values (new.tenant_id, 'invoice', 1001)
  on conflict (tenant_id, kind) do update set last_number = d.last_number + 1
  returning d.last_number into new.number;
  return new;
end
$$;
revoke all on function app.number_invoice() from public;

create trigger invoices_number
  before insert on public.invoices
  for each row execute function app.number_invoice();

-- Why: the references of a new invoice agree with one another when given: the property is the
-- customer's, the job is at that property for that customer, the visit is one of the job's,
-- and the estimate is the customer's (that it was the approved one is the app's to choose).
-- After the row passed the caller's policies (an after trigger), so it reads rows of the
-- caller's own company only; a definer so that what a technician may not read still counts.
create function app.invoice_references_agree() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.property_id is not null and new.customer_id is not null and not exists (
    select from public.properties p
     where p.tenant_id = new.tenant_id and p.id = new.property_id
       and p.customer_id = new.customer_id
  ) or new.job_id is not null and not exists (
    select from public.jobs j
     where j.tenant_id = new.tenant_id and j.id = new.job_id
       and j.customer_id = coalesce(new.customer_id, j.customer_id)
       and j.property_id = coalesce(new.property_id, j.property_id)
  ) or new.visit_id is not null and not exists (
    select from public.visits v
     where v.tenant_id = new.tenant_id and v.id = new.visit_id
       and v.job_id = coalesce(new.job_id, v.job_id)
  ) or new.estimate_id is not null and not exists (
    select from public.estimates e
     where e.tenant_id = new.tenant_id and e.id = new.estimate_id
       and e.customer_id = coalesce(new.customer_id, e.customer_id)
  ) then
    raise exception 'an invoice''s customer, property, job, visit and estimate must agree'
      using errcode = 'check_violation', constraint = 'invoices_references_agree';
  end if;
  return null;
end
$$;
revoke all on function app.invoice_references_agree() from public;

create trigger invoices_references_agree
  after insert on public.invoices
  for each row execute function app.invoice_references_agree();

-- An invoice's totals by app/money.py's rule (each line's extended price, discount and each
-- tax rounded to the cent, then summed), with what its payments add up to and the balance.
-- Under the caller's own policies.
create view public.invoice_totals with (security_invoker = true) as
select i.tenant_id, i.id as invoice_id,
       coalesce(l.subtotal, 0)::numeric(14, 2) as subtotal,
       coalesce(l.discount, 0)::numeric(14, 2) as discount,
       coalesce(l.tax, 0)::numeric(14, 2) as tax,
       coalesce(l.total, 0)::numeric(14, 2) as total,
       coalesce(p.paid, 0)::numeric(14, 2) as paid,
       (coalesce(l.total, 0) - coalesce(p.paid, 0))::numeric(14, 2) as balance
from public.invoices i
left join lateral (
  select sum(x.extended) as subtotal, sum(x.discount) as discount, sum(x.tax) as tax,
         sum(x.extended - x.discount + x.tax) as total
  from (
    select y.extended, y.discount,
           case when y.taxable then coalesce((
             select sum(round((y.extended - y.discount) * r.percent / 100, 2))
             from public.invoice_tax_rates r
             where r.tenant_id = i.tenant_id and r.invoice_id = i.id), 0)
           else 0 end as tax
    from (
      select ln.taxable,
             round(ln.quantity * ln.unit_price, 2) as extended,
             round(round(ln.quantity * ln.unit_price, 2) * ln.discount_percent / 100, 2)
               as discount
      from public.invoice_lines ln
      where ln.tenant_id = i.tenant_id and ln.invoice_id = i.id
    ) y
  ) x
) l on true
left join lateral (
  select sum(pm.amount) as paid from public.payments pm
  where pm.tenant_id = i.tenant_id and pm.invoice_id = i.id
) p on true;
revoke all on public.invoice_totals from anon, authenticated;
grant select on public.invoice_totals to authenticated;

-- Why: what an invoice says is fixed once it is sent. Its lines and tax rates change only while
-- it is a draft; deleting a draft removes them with it.
create function app.invoice_parts_draft_only() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_invoice uuid := case tg_op when 'DELETE' then old.invoice_id else new.invoice_id end;
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_status text;
begin
  select i.status into v_status from public.invoices i
   where i.tenant_id = v_tenant and i.id = v_invoice;
  if v_status is not null and v_status <> 'draft' then
    raise exception 'only a draft invoice changes; void a sent one'
      using errcode = 'check_violation', constraint = 'invoices_draft_only';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end
$$;

create trigger invoice_lines_draft_only
  before insert or update or delete on public.invoice_lines
  for each row execute function app.invoice_parts_draft_only();
create trigger invoice_tax_rates_draft_only
  before insert or update or delete on public.invoice_tax_rates
  for each row execute function app.invoice_parts_draft_only();

-- Why: an invoice keeps its number, currency and references (a reference only becomes null,
-- when the row it names is deleted or the customer erased); its status moves only forward
-- (draft → sent → partly_paid → paid; any one → void: a draft given up is discarded as void, so
-- that every number given stays on an invoice and the numbering has no gap), partly_paid and
-- paid only as its
-- payments say; and once sent, its terms, dates, note and bill-to no longer change, except
-- that erasure anonymises them (bill-to 'Erased customer', no email, address or note) as it
-- detaches the customer.
create function app.invoices_keep_their_word() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_total numeric;
  v_paid numeric;
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
  if new.status is distinct from old.status and new.status in ('partly_paid', 'paid') then
    select t.total, t.paid into v_total, v_paid from public.invoice_totals t
     where t.tenant_id = new.tenant_id and t.invoice_id = new.id;
    if new.status <> (case when v_paid >= v_total then 'paid'
                           when v_paid > 0 then 'partly_paid' else 'sent' end) then
      raise exception 'an invoice is paid, or partly paid, by its payments'
        using errcode = 'check_violation', constraint = 'invoices_paid_by_payments';
    end if;
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

create trigger invoices_keep_their_word
  before update on public.invoices
  for each row execute function app.invoices_keep_their_word();

-- Why: a sent invoice is a record that lasts (P-12): it is voided, never deleted. The policy
-- says so for the app's roles; this says it for every role.
create function app.invoices_only_drafts_deleted() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if old.status <> 'draft' then
    raise exception 'an invoice is never deleted: void it'
      using errcode = 'check_violation', constraint = 'invoices_only_drafts_deleted';
  end if;
  return old;
end
$$;

create trigger invoices_only_drafts_deleted
  before delete on public.invoices
  for each row execute function app.invoices_only_drafts_deleted();

-- Why: a payment moves its invoice to partly_paid or paid in the same transaction, and never
-- beyond its total. The invoice's row is locked first (`for update`), so of two payments
-- recorded at the same moment the second waits, then sees the first in the sum (each
-- statement of a read-committed transaction reads anew) and is refused if it would overpay.
-- Under the caller's own policies: whoever records a payment may change its invoice.
create function app.payment_applied() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_status text;
  v_total numeric;
  v_paid numeric;
begin
  select i.status into v_status from public.invoices i
   where i.tenant_id = new.tenant_id and i.id = new.invoice_id
     for update;
  if v_status is null or v_status not in ('sent', 'partly_paid') then
    raise exception 'a payment is recorded only against a sent invoice with a balance'
      using errcode = 'check_violation', constraint = 'payments_invoice_open';
  end if;
  select t.total, t.paid into v_total, v_paid from public.invoice_totals t
   where t.tenant_id = new.tenant_id and t.invoice_id = new.invoice_id;
  if v_paid > v_total then
    raise exception 'a payment of % is more than the balance of %', new.amount,
                    v_total - v_paid + new.amount
      using errcode = 'check_violation', constraint = 'payments_within_balance';
  end if;
  update public.invoices i
     set status = case when v_paid = v_total then 'paid' else 'partly_paid' end,
         updated_at = now()
   where i.tenant_id = new.tenant_id and i.id = new.invoice_id;
  return null;
end
$$;

create trigger payments_applied
  after insert on public.payments
  for each row execute function app.payment_applied();

-- Why: the invoice's row is locked before the payment is written, not only after: the payment's
-- foreign key takes a share lock on the invoice as it is inserted, and two payments each
-- holding that lock and then asking for the row's update lock would deadlock (one of them then
-- failed with an error instead of being refused). Locked first, the second simply waits.
create function app.payment_locks_invoice() returns trigger
language plpgsql set search_path = ''
as $$
begin
  perform from public.invoices i
   where i.tenant_id = new.tenant_id and i.id = new.invoice_id
     for update;
  return new;
end
$$;

create trigger payments_lock_invoice
  before insert on public.payments
  for each row execute function app.payment_locks_invoice();

-- Why: the invoices a technician may see: those of the jobs of their own visits. Invoker: it
-- reads public.invoices under the caller's own policies.
create function app.technician_invoice_ids() returns uuid[]
language sql stable set search_path = ''
as $$
  select coalesce(array_agg(i.id), '{}')
  from public.invoices i
  where i.tenant_id = (select app.tenant_id())
    and i.job_id = any ((select app.technician_job_ids())::uuid[])
$$;
revoke all on function app.technician_invoice_ids() from public;
grant execute on function app.technician_invoice_ids() to authenticated;
