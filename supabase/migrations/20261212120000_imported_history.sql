-- Issue 16, beyond customers: what a company's old system knew about its customers' past, kept
-- in Plenum as history — past jobs and visits (service history) and past invoices (invoice
-- history). Open balances are not history: they become real sent invoices (app/imports/kinds/
-- balances.py), so that the office collects them as any other.

-- Why: a past job or visit of the old system, as the office knew it: when, what kind of work, who
-- did it (by name: the old technicians are not members), what was done, for how much, and the
-- old job or visit number, so that importing the file again changes nothing. Deleted with its
-- customer or property.
create table public.service_history (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  property_id uuid,
  occurred_on date not null,
  kind text not null default 'other' constraint service_history_kind_check
    check (kind in ('repair', 'maintenance', 'install', 'estimate', 'other')),
  technician text not null default '' constraint service_history_technician_length
    check (length(technician) <= 200),
  summary text not null default '' constraint service_history_summary_length
    check (length(summary) <= 5000),
  amount numeric(12, 2),
  source_id text not null default '' constraint service_history_source_id_length
    check (length(source_id) <= 200),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint service_history_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete cascade,
  constraint service_history_property_fkey foreign key (tenant_id, property_id)
    references public.properties (tenant_id, id) on delete cascade
);
create index service_history_customer_idx
  on public.service_history (tenant_id, customer_id, occurred_on desc);
create index service_history_property_idx on public.service_history (tenant_id, property_id)
  where property_id is not null;
create index service_history_source_idx on public.service_history (tenant_id, source_id)
  where source_id <> '';
revoke all on public.service_history from anon, authenticated;
grant select, insert, update, delete on public.service_history to authenticated;
alter table public.service_history enable row level security;

-- Why: a past invoice of the old system, kept for the record (what was billed, when, what was
-- paid): never collected again here. An unpaid balance is collected through an invoice made by
-- the open balances import. Deleted with its customer: the old system keeps the originals.
create table public.invoice_history (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  number text not null default '' constraint invoice_history_number_length
    check (length(number) <= 100),
  issued_on date not null,
  due_on date,
  total numeric(12, 2) not null,
  paid numeric(12, 2),
  balance numeric(12, 2),
  status text not null default 'other' constraint invoice_history_status_check
    check (status in ('paid', 'partly_paid', 'unpaid', 'void', 'other')),
  description text not null default '' constraint invoice_history_description_length
    check (length(description) <= 5000),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint invoice_history_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete cascade
);
create index invoice_history_customer_idx
  on public.invoice_history (tenant_id, customer_id, issued_on desc);
create index invoice_history_number_idx on public.invoice_history (tenant_id, number)
  where number <> '';
revoke all on public.invoice_history from anon, authenticated;
grant select, insert, update, delete on public.invoice_history to authenticated;
alter table public.invoice_history enable row level security;

-- Why: an invoice history import's rows are undone like any other import's.
alter table public.import_records
  drop constraint import_records_table_check,
  add constraint import_records_table_check check (table_name in (
    'public.customers', 'public.properties', 'public.customer_contacts',
    'public.customer_phones', 'public.customer_emails', 'public.equipment',
    'public.service_agreements', 'public.service_history', 'public.invoices',
    'public.invoice_lines', 'public.invoice_history'));

-- Personal data in the audit log, sealed under the customer's key (P-10): what was done at the
-- home and what was billed may name the homeowner.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.service_history', 'customer_id', null),
  ('public.invoice_history', 'customer_id', null);
insert into audit.personal_columns (table_name, column_name) values
  ('public.service_history', 'summary'),
  ('public.service_history', 'technician'),
  ('public.service_history', 'source_id'),
  ('public.invoice_history', 'description');

-- What the purge does with each new table (P-11, P-13).
insert into app.retention_rules (record_kind, table_name, on_purge, reason) values
  ('public.service_history', 'public.service_history', 'delete',
   'business data: kept while the company is active (P-11)'),
  ('public.invoice_history', 'public.invoice_history', 'delete',
   'business data: kept while the company is active (P-11); the old system keeps the originals');
