-- Issue 16: a company's whole book from the systems it leaves (QuickBooks, Housecall Pro,
-- Jobber, ServiceTitan, contact lists, spreadsheets). An import is of one kind (customers,
-- equipment, service history, agreements, open balances, invoice history); its preview is a
-- plan of items, each the record as it will be saved with the flags and repairs beside its
-- values; running it writes the items and remembers every record it created or changed, so that
-- the import can be undone as a whole while nothing else has touched them.

-- Why: the kind of import, the recognised source (its preset mapping), the office's options
-- (e.g. completing 7-digit numbers with an area code), what the preview counted, and undo.
alter table public.customer_imports
  add column kind text not null default 'customers' constraint customer_imports_kind_check
    check (kind in ('customers', 'equipment', 'history', 'agreements', 'balances', 'invoices')),
  add column source text not null default '' constraint customer_imports_source_length
    check (length(source) <= 40),
  add column options jsonb not null default '{}' constraint customer_imports_options_object
    check (jsonb_typeof(options) = 'object'),
  add column new_rows integer not null default 0,
  add column updated_rows integer not null default 0,
  add column unchanged_rows integer not null default 0,
  add column merged_rows integer not null default 0,
  add column flagged_rows integer not null default 0,
  add column undone_at timestamptz,
  add column undone_by uuid,
  add constraint customer_imports_plan_counts_check check (
    new_rows >= 0 and updated_rows >= 0 and unchanged_rows >= 0 and merged_rows >= 0
    and flagged_rows >= 0);
alter table public.customer_imports
  drop constraint customer_imports_status_check,
  add constraint customer_imports_status_check check (status in (
    'uploaded', 'checking', 'previewed', 'queued', 'running', 'done', 'failed', 'cancelled',
    'undone')),
  drop constraint customer_imports_encoding_check,
  add constraint customer_imports_encoding_check
    check (encoding in ('utf-8', 'cp1252', 'mixed', 'xlsx')),
  -- a 200,000-row file: the stored text is the file as read (an .xlsx sheet as CSV)
  drop constraint customer_imports_source_size,
  add constraint customer_imports_source_size check (octet_length(source_text) <= 48 * 1024 * 1024),
  add constraint customer_imports_undone_when check ((status = 'undone') = (undone_at is not null));
create trigger stamp_undone_by before insert or update on public.customer_imports
  for each row execute function app.stamp_author('undone_by', 'when set');
create index customer_imports_checking_idx on public.customer_imports (updated_at)
  where status = 'checking';

-- Why: the preview, item by item: what will be saved (`data`, the record with its phones,
-- emails, properties and contacts for a customer), from which lines of the file, what it does
-- (a new record, an update of `target_id`, or nothing because it is already so), and the flags
-- (`[{"field", "value", "note", "kind": "repaired" | "left_out" | "merged"}]`). Paged by
-- position; deleted with the import's file (below), since it repeats what the file says.
create table public.import_items (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  import_id uuid not null,
  position integer not null constraint import_items_position_range check (position >= 0),
  kind text not null constraint import_items_kind_check
    check (kind in ('customer', 'equipment', 'history', 'agreement', 'balance', 'invoice')),
  action text not null constraint import_items_action_check
    check (action in ('new', 'update', 'unchanged')),
  lines integer[] not null constraint import_items_lines_present check (cardinality(lines) >= 1),
  label text not null default '' constraint import_items_label_length
    check (length(label) <= 300),
  data jsonb not null constraint import_items_data_object check (jsonb_typeof(data) = 'object'),
  flags jsonb not null default '[]'
    constraint import_items_flags_array check (jsonb_typeof(flags) = 'array'),
  target_id uuid,
  primary key (tenant_id, import_id, position),
  constraint import_items_import_fkey foreign key (tenant_id, import_id)
    references public.customer_imports (tenant_id, id) on delete cascade,
  constraint import_items_update_has_target check ((action = 'new') = (target_id is null))
);
create index import_items_flagged_idx on public.import_items (tenant_id, import_id, position)
  where flags <> '[]';
revoke all on public.import_items from anon, authenticated;
grant select, insert, delete on public.import_items to authenticated;
alter table public.import_items enable row level security;
comment on column public.import_items.data is '@audit-digest';
comment on column public.import_items.flags is '@audit-digest';
comment on column public.import_items.label is '@audit-digest';

-- Why: every record an import created or changed, for undo: what the row was before an update
-- (`before`, the row as JSON) and a digest of the row as the import left it, so that undo can
-- tell whether anything else has touched it since. Deleted with the import's file (below):
-- after that, the import can no longer be undone.
create table public.import_records (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  import_id uuid not null,
  table_name text not null constraint import_records_table_check check (table_name in (
    'public.customers', 'public.properties', 'public.customer_contacts',
    'public.customer_phones', 'public.customer_emails', 'public.equipment',
    'public.service_agreements', 'public.service_history', 'public.invoices',
    'public.invoice_lines')),
  row_id uuid not null,
  action text not null constraint import_records_action_check
    check (action in ('created', 'updated')),
  before jsonb,
  after_digest text not null default '',
  primary key (tenant_id, import_id, table_name, row_id),
  constraint import_records_import_fkey foreign key (tenant_id, import_id)
    references public.customer_imports (tenant_id, id) on delete cascade,
  constraint import_records_before_when check ((action = 'updated') = (before is not null))
);
create index import_records_row_idx on public.import_records (tenant_id, table_name, row_id);
revoke all on public.import_records from anon, authenticated;
grant select, insert, update, delete on public.import_records to authenticated;
alter table public.import_records enable row level security;
comment on column public.import_records.before is '@audit-digest';

-- Why: the plan, the undo records and the samples and notes kept for the mapping page repeat
-- the file's personal data: when the file is blanked (by the retention sweep after 30 days, or
-- because an erased customer was in it), they go too.
create function app.import_file_blanked() returns trigger
language plpgsql set search_path = ''
as $$
begin
  delete from public.import_items i where i.tenant_id = new.tenant_id and i.import_id = new.id;
  delete from public.import_records r where r.tenant_id = new.tenant_id and r.import_id = new.id;
  new.options := new.options - 'samples' - 'file_notes';
  return new;
end
$$;
revoke all on function app.import_file_blanked() from public;
create trigger import_file_blanked before update of source_text on public.customer_imports
  for each row when (new.source_text = '' and old.source_text <> '')
  execute function app.import_file_blanked();

-- Why: the record a customer came from in the system the company left (a Jobber client id, a
-- ServiceTitan customer id, a QuickBooks name), so that importing an updated file updates the
-- customer instead of adding them twice; the billing address kept apart from service
-- locations; and "do not service", which old systems carry for customers the company refuses.
alter table public.customers
  add column source_system text not null default '' constraint customers_source_system_length
    check (length(source_system) <= 40),
  add column source_id text not null default '' constraint customers_source_id_length
    check (length(source_id) <= 200),
  add column billing_address text not null default '' constraint customers_billing_address_length
    check (length(billing_address) <= 500),
  add column do_not_service boolean not null default false,
  add column phone_kind text not null default 'mobile' constraint customers_phone_kind_check
    check (phone_kind in ('mobile', 'home', 'work', 'other')),
  add column phone_extension text not null default ''
    constraint customers_phone_extension_digits check (phone_extension ~ '^[0-9]{0,10}$');
create unique index customers_source_key on public.customers (tenant_id, source_system, source_id)
  where source_id <> '';
alter table public.customer_contacts
  add column phone_kind text not null default 'mobile' constraint customer_contacts_phone_kind_check
    check (phone_kind in ('mobile', 'home', 'work', 'other')),
  add column phone_extension text not null default ''
    constraint customer_contacts_phone_extension_digits check (phone_extension ~ '^[0-9]{0,10}$'),
  add column updated_at timestamptz not null default now();
-- Why: a service location's id in the system the company left (a ServiceTitan location), so
-- equipment and history imports find it and a re-import updates it.
alter table public.properties
  add column source_id text not null default '' constraint properties_source_id_length
    check (length(source_id) <= 200);
create index properties_source_idx on public.properties (tenant_id, source_id)
  where source_id <> '';

-- Why: a customer's (or contact person's) other numbers, beyond the one texts go to
-- (`customers.phone`): home, work, other, fax, each with its extension.
create table public.customer_phones (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  contact_id uuid,
  kind text not null default 'other' constraint customer_phones_kind_check
    check (kind in ('mobile', 'home', 'work', 'other', 'fax')),
  number text not null constraint customer_phones_number_e164
    check (number ~ '^\+[1-9][0-9]{6,14}$'),
  extension text not null default ''
    constraint customer_phones_extension_digits check (extension ~ '^[0-9]{0,10}$'),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint customer_phones_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete cascade,
  constraint customer_phones_contact_fkey foreign key (tenant_id, contact_id)
    references public.customer_contacts (tenant_id, id) on delete cascade
);
create unique index customer_phones_once on public.customer_phones
  (tenant_id, customer_id, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid),
   number, extension);
create index customer_phones_number_idx on public.customer_phones (tenant_id, number);
revoke all on public.customer_phones from anon, authenticated;
grant select, insert, update, delete on public.customer_phones to authenticated;
alter table public.customer_phones enable row level security;

-- Why: a customer's (or contact person's) other email addresses, beyond `customers.email`.
create table public.customer_emails (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  contact_id uuid,
  kind text not null default 'other' constraint customer_emails_kind_check
    check (kind in ('personal', 'work', 'other')),
  email text not null constraint customer_emails_email_format
    check (email = lower(btrim(email)) and email like '_%@_%' and length(email) <= 254),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint customer_emails_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete cascade,
  constraint customer_emails_contact_fkey foreign key (tenant_id, contact_id)
    references public.customer_contacts (tenant_id, id) on delete cascade
);
create unique index customer_emails_once on public.customer_emails
  (tenant_id, customer_id, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid),
   email);
create index customer_emails_email_idx on public.customer_emails (tenant_id, email);
revoke all on public.customer_emails from anon, authenticated;
grant select, insert, update, delete on public.customer_emails to authenticated;
alter table public.customer_emails enable row level security;

-- Personal data in the audit log, sealed under the customer's key (P-10).
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.customer_phones', 'customer_id', null),
  ('public.customer_emails', 'customer_id', null);
insert into audit.personal_columns (table_name, column_name) values
  ('public.customer_phones', 'number'),
  ('public.customer_phones', 'extension'),
  ('public.customer_emails', 'email'),
  ('public.customers', 'billing_address'),
  ('public.customers', 'source_id'),
  ('public.customers', 'phone_extension'),
  ('public.customer_contacts', 'phone_extension'),
  ('public.properties', 'source_id');

-- What the purge does with each new table (P-11, P-13).
insert into app.retention_rules (record_kind, table_name, on_purge, reason) values
  ('public.import_items', 'public.import_items', 'delete',
   'An import''s preview: deleted with its file after 30 days (P-12), and by the purge.'),
  ('public.import_records', 'public.import_records', 'delete',
   'What an import created or changed, for undo: deleted with its file, and by the purge.'),
  ('public.customer_phones', 'public.customer_phones', 'delete',
   'business data: kept while the company is active (P-11)'),
  ('public.customer_emails', 'public.customer_emails', 'delete',
   'business data: kept while the company is active (P-11)');
