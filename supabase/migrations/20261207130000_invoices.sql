-- Invoices and offline payments: what a company bills a customer, for a job's work (copying the
-- lines of the job's approved estimate when there is one) or for a property on its own, and
-- the payments taken against it (cash, cheque, card terminal, bank transfer; Stripe later).
--
-- Amounts are not stored: an invoice's totals follow from its lines and its own copy of the tax
-- rates by app/money.py's rule; `public.invoice_totals` (next migration) computes the same in
-- SQL, with what was paid and the balance.
--
-- Statuses: draft → sent → partly_paid → paid, or void (any sent invoice, keeping its number).
-- Only a draft's lines, tax rates, terms, dates, note and bill-to change; only a draft is
-- deleted. A payment moves the status, in its own transaction.
--
-- Records that last (P-12): an invoice and its payments outlive the customer's erasure. Each
-- reference to the customer, property, job, visit and estimate is its own (tenant_id, x_id)
-- key that becomes null when that row goes (one nullable column per key, so no key is left
-- pointing at a row that is gone because another key's column was nulled first), and the
-- invoice keeps a snapshot of whom it was billed to, which erasure blanks (20261207130200).

create table public.invoices (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  number integer not null,
  customer_id uuid,
  property_id uuid,
  job_id uuid,
  visit_id uuid,
  -- The approved estimate whose lines it copied.
  estimate_id uuid,
  status text not null default 'draft' constraint invoices_status_check
    check (status in ('draft', 'sent', 'partly_paid', 'paid', 'void')),
  terms text not null default 'due_on_receipt' constraint invoices_terms_check
    check (terms in ('due_on_receipt', 'net_15', 'net_30')),
  issued_on date not null,
  -- Why generated: the due date is the terms applied to the issue date, never typed apart.
  due_on date not null generated always as (
    issued_on + case terms when 'net_15' then 15 when 'net_30' then 30 else 0 end
  ) stored,
  note text not null default '' constraint invoices_note_length check (length(note) <= 5000),
  currency text not null constraint invoices_currency_code check (currency ~ '^[A-Z]{3}$'),
  -- Whom it was billed to, as the document said it when it was made.
  bill_to_name text not null constraint invoices_bill_to_name_length
    check (length(btrim(bill_to_name)) between 1 and 200),
  bill_to_email text not null default '' constraint invoices_bill_to_email_length
    check (length(bill_to_email) <= 254),
  bill_to_address text not null default '' constraint invoices_bill_to_address_length
    check (length(bill_to_address) <= 1000),
  sent_at timestamptz,
  voided_at timestamptz,
  void_reason text not null default '' constraint invoices_void_reason_length
    check (length(void_reason) <= 1000),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- A void invoice was sent, or is a draft given up (numbered, so kept as void).
  constraint invoices_sent_has_time check (status in ('draft', 'void') or sent_at is not null),
  constraint invoices_void_has_reason check (
    (status = 'void') = (voided_at is not null)
    and (status <> 'void' or length(btrim(void_reason)) > 0)
  ),
  constraint invoices_number_once unique (tenant_id, number),
  primary key (tenant_id, id),
  constraint invoices_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete set null (customer_id),
  constraint invoices_property_fkey foreign key (tenant_id, property_id)
    references public.properties (tenant_id, id) on delete set null (property_id),
  constraint invoices_job_fkey foreign key (tenant_id, job_id)
    references public.jobs (tenant_id, id) on delete set null (job_id),
  constraint invoices_visit_fkey foreign key (tenant_id, visit_id)
    references public.visits (tenant_id, id) on delete set null (visit_id),
  constraint invoices_estimate_fkey foreign key (tenant_id, estimate_id)
    references public.estimates (tenant_id, id) on delete set null (estimate_id)
);
create index invoices_list_idx on public.invoices (tenant_id, created_at desc, id desc);
create index invoices_status_idx on public.invoices (tenant_id, status, created_at desc);
create index invoices_issued_idx on public.invoices (tenant_id, issued_on);
create index invoices_customer_idx on public.invoices (tenant_id, customer_id, created_at desc)
  where customer_id is not null;
create index invoices_property_idx on public.invoices (tenant_id, property_id)
  where property_id is not null;
create index invoices_job_idx on public.invoices (tenant_id, job_id) where job_id is not null;
create index invoices_visit_idx on public.invoices (tenant_id, visit_id) where visit_id is not null;
create index invoices_estimate_idx on public.invoices (tenant_id, estimate_id)
  where estimate_id is not null;
revoke all on public.invoices from anon, authenticated;
-- No delete: an invoice is voided (a draft given up too), so every number stays on one.
grant select, insert, update on public.invoices to authenticated;
alter table public.invoices enable row level security;

create trigger stamp_created_by before insert or update on public.invoices
  for each row execute function app.stamp_author('created_by');

create table public.invoice_lines (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  invoice_id uuid not null,
  position integer not null default 0,
  -- Where the line came from in the price book (none for a line written by hand or copied
  -- from an estimate's line written by hand); the line keeps its own copy of what it says
  -- and costs.
  price_item_id uuid,
  kind text not null default 'service' constraint invoice_lines_kind_check
    check (kind in ('service', 'material', 'labour', 'package', 'other')),
  description text not null constraint invoice_lines_description_length
    check (length(btrim(description)) between 1 and 2000),
  quantity numeric(10, 2) not null constraint invoice_lines_quantity_range
    check (quantity > 0 and quantity <= 100000),
  unit text not null default 'each' constraint invoice_lines_unit_length
    check (length(unit) between 1 and 20),
  unit_price numeric(12, 2) not null constraint invoice_lines_unit_price_range
    check (unit_price >= 0 and unit_price <= 9999999999.99),
  discount_percent numeric(5, 2) not null default 0 constraint invoice_lines_discount_range
    check (discount_percent >= 0 and discount_percent <= 100),
  taxable boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, price_item_id) references public.price_items (tenant_id, id)
);
create index invoice_lines_invoice_idx on public.invoice_lines (tenant_id, invoice_id, position);
create index invoice_lines_item_idx on public.invoice_lines (tenant_id, price_item_id)
  where price_item_id is not null;
revoke all on public.invoice_lines from anon, authenticated;
grant select, insert, update, delete on public.invoice_lines to authenticated;
alter table public.invoice_lines enable row level security;

-- The invoice's own copy of the tax rates it charges (the company's applying rates when it
-- was made), so a later change of a rate changes no invoice already made.
create table public.invoice_tax_rates (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  invoice_id uuid not null,
  position smallint not null default 0,
  name text not null constraint invoice_tax_rates_name_length
    check (length(btrim(name)) between 1 and 100),
  percent numeric(7, 4) not null constraint invoice_tax_rates_percent_range
    check (percent >= 0 and percent <= 100),
  primary key (tenant_id, id),
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade
);
create index invoice_tax_rates_invoice_idx on public.invoice_tax_rates (tenant_id, invoice_id);
revoke all on public.invoice_tax_rates from anon, authenticated;
grant select, insert, update, delete on public.invoice_tax_rates to authenticated;
alter table public.invoice_tax_rates enable row level security;

-- Why: P-16, card numbers are never stored. A payment's reference is a cheque number, a card
-- terminal's receipt number, a transfer's reference: a run of 13 to 19 digits (spaces or
-- dashes between them allowed) that passes the Luhn check is taken for a card number and
-- refused. A longer run (an IBAN, a long transfer reference) is not a card number.
create function app.has_card_number(p_text text) returns boolean
language plpgsql immutable parallel safe set search_path = ''
as $$
declare
  v_run text;
  v_sum integer;
  v_digit integer;
begin
  for v_run in
    select regexp_replace(m[1], '[ -]', '', 'g')
    from regexp_matches(coalesce(p_text, ''), '([0-9](?:[ -]?[0-9])*)', 'g') as m
  loop
    continue when length(v_run) not between 13 and 19;
    v_sum := 0;
    for i in 1 .. length(v_run) loop
      v_digit := substr(v_run, length(v_run) - i + 1, 1)::integer;
      if i % 2 = 0 then
        v_digit := v_digit * 2;
        if v_digit > 9 then
          v_digit := v_digit - 9;
        end if;
      end if;
      v_sum := v_sum + v_digit;
    end loop;
    if v_sum % 10 = 0 then
      return true;
    end if;
  end loop;
  return false;
end
$$;
revoke all on function app.has_card_number(text) from public;
grant execute on function app.has_card_number(text) to authenticated, service_role;

-- Payments taken offline and recorded by staff, in the invoice's currency. Never edited nor
-- deleted by the app's roles (no grant): a mistaken payment is refunded or voided by a later
-- record, so the history of what was received stays whole.
create table public.payments (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  invoice_id uuid not null,
  amount numeric(12, 2) not null constraint payments_amount_positive check (amount > 0),
  method text not null constraint payments_method_check
    check (method in ('cash', 'cheque', 'card_terminal', 'bank_transfer', 'stripe')),
  reference text not null default '' constraint payments_reference_length
    check (length(reference) <= 100),
  received_on date not null,
  recorded_by uuid,
  created_at timestamptz not null default now(),
  constraint payments_reference_no_card_number check (not app.has_card_number(reference)),
  primary key (tenant_id, id),
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade
);
create index payments_invoice_idx on public.payments (tenant_id, invoice_id, received_on);
revoke all on public.payments from anon, authenticated;
grant select, insert on public.payments to authenticated;
alter table public.payments enable row level security;

create trigger stamp_recorded_by before insert or update on public.payments
  for each row execute function app.stamp_author('recorded_by');

-- What the audit log seals for erasure (P-10): whom an invoice was billed to and the free text
-- of an invoice and its lines may name the homeowner, and so may a payment's reference.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.invoices', 'customer_id', null),
  ('public.invoice_lines', 'invoice_id', 'public.invoices'),
  ('public.payments', 'invoice_id', 'public.invoices');
insert into audit.personal_columns (table_name, column_name) values
  ('public.invoices', 'bill_to_name'),
  ('public.invoices', 'bill_to_email'),
  ('public.invoices', 'bill_to_address'),
  ('public.invoices', 'note'),
  ('public.invoices', 'void_reason'),
  ('public.invoice_lines', 'description'),
  ('public.payments', 'reference');
