-- The company's lifecycle (P-09 to P-13): where a company stands, and how long each kind of
-- record is kept.

-- Why: a company is active; closed (by its owner or the platform: read-only, exportable and
-- reopenable until purge_after, 30 days on); being purged; or purged, when only what the law
-- requires is left of it, anonymised. `terminated` was never used.
alter table public.tenants drop constraint tenants_status_check;
alter table public.tenants rename column terminated_at to closed_at;
alter table public.tenants
  add column purge_after timestamptz,
  add column purged_at timestamptz;
update public.tenants
   set status = 'closed', closed_at = coalesce(closed_at, now()),
       purge_after = coalesce(closed_at, now()) + interval '30 days'
 where status = 'terminated';
alter table public.tenants
  add constraint tenants_status_check
    check (status in ('active', 'closed', 'purging', 'purged')),
  add constraint tenants_closed_when check ((status = 'active') = (closed_at is null)),
  add constraint tenants_purge_after_closed check ((closed_at is null) = (purge_after is null)),
  add constraint tenants_purged_when check ((status = 'purged') = (purged_at is not null));

-- Why: P-12, one table of rules says how long each kind of record is kept and what happens
-- then. A rule with a period is swept daily with the cutoff app.now() - period: by
-- sweep_function(p_cutoff timestamptz, p_batch integer) returns integer (rows handled, at most
-- p_batch per call) when it names one, which an anonymising rule must; otherwise rows whose
-- age_column is before the cutoff are deleted, a batch per transaction. A rule without one keeps the rows while the company is active;
-- on_purge says what the purge does with the table (delete its rows, anonymise them and keep
-- them for their own rule, or keep them as they are until their own rule removes them).
-- `flask db check` fails for a company table without exactly one on_purge rule, so a new table
-- cannot be forgotten.
create table app.retention_rules (
  record_kind text primary key
    constraint retention_rules_record_kind_length check (length(btrim(record_kind)) between 1 and 100),
  table_name text not null,
  period interval constraint retention_rules_period_positive check (period > interval '0'),
  age_column text,
  action text not null default 'delete' check (action in ('delete', 'anonymise')),
  sweep_function text,
  on_purge text check (on_purge in ('delete', 'anonymise', 'keep')),
  reason text not null default '',
  constraint retention_rules_anonymised_by_function
    check (action = 'delete' or sweep_function is not null),
  constraint retention_rules_period_counted check ((period is null) = (age_column is null)),
  constraint retention_rules_says_something check (period is not null or on_purge is not null)
);
create unique index retention_rules_one_purge_rule on app.retention_rules (table_name)
  where on_purge is not null;
alter table app.retention_rules enable row level security;
grant select on app.retention_rules to service_role;

insert into app.retention_rules (record_kind, table_name, on_purge, reason) values
  ('app.document_numbers', 'app.document_numbers', 'delete', 'business data: kept while the company is active (P-11)'),
  ('app.message_claims', 'app.message_claims', 'delete', 'business data: kept while the company is active (P-11)'),
  ('app.message_senders', 'app.message_senders', 'delete', 'business data: kept while the company is active (P-11)'),
  ('app.technician_visits', 'app.technician_visits', 'delete', 'business data: kept while the company is active (P-11)'),
  ('audit.chain_heads', 'audit.chain_heads', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('audit.changes', 'audit.changes', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('audit.checkpoints', 'audit.checkpoints', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('audit.receipts', 'audit.receipts', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('audit.subject_keys', 'audit.subject_keys', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('audit.transactions', 'audit.transactions', 'keep', 'the audit log: kept to its own period, its personal values shredded (P-12)'),
  ('iam.portal_sessions', 'iam.portal_sessions', 'delete', 'business data: kept while the company is active (P-11)'),
  ('outbox.messages', 'outbox.messages', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.calendar_feeds', 'public.calendar_feeds', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.campaigns', 'public.campaigns', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.conversations', 'public.conversations', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.customer_contacts', 'public.customer_contacts', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.customer_imports', 'public.customer_imports', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.customer_notes', 'public.customer_notes', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.customers', 'public.customers', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.equipment', 'public.equipment', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.equipment_service_records', 'public.equipment_service_records', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimate_lines', 'public.estimate_lines', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimate_links', 'public.estimate_links', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimate_options', 'public.estimate_options', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimate_photos', 'public.estimate_photos', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimate_tax_rates', 'public.estimate_tax_rates', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.estimates', 'public.estimates', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.invitations', 'public.invitations', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.invoice_lines', 'public.invoice_lines', 'anonymise', 'financial record: kept 7 years with personal data anonymised (P-12)'),
  ('public.invoice_links', 'public.invoice_links', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.invoice_tax_rates', 'public.invoice_tax_rates', 'anonymise', 'financial record: kept 7 years with personal data anonymised (P-12)'),
  ('public.invoices', 'public.invoices', 'anonymise', 'financial record: kept 7 years with personal data anonymised (P-12)'),
  ('public.job_equipment', 'public.job_equipment', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.jobs', 'public.jobs', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.memberships', 'public.memberships', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.message_templates', 'public.message_templates', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.messages', 'public.messages', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.messaging_accounts', 'public.messaging_accounts', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.online_booking_settings', 'public.online_booking_settings', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.online_bookings', 'public.online_bookings', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.payment_attempts', 'public.payment_attempts', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.payments', 'public.payments', 'anonymise', 'financial record: kept 7 years with personal data anonymised (P-12)'),
  ('public.price_categories', 'public.price_categories', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.price_items', 'public.price_items', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.price_package_parts', 'public.price_package_parts', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.privacy_requests', 'public.privacy_requests', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.properties', 'public.properties', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.refunds', 'public.refunds', 'anonymise', 'financial record: kept 7 years with personal data anonymised (P-12)'),
  ('public.service_agreements', 'public.service_agreements', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.service_request_messages', 'public.service_request_messages', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.service_request_photos', 'public.service_request_photos', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.service_requests', 'public.service_requests', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.sms_opt_outs', 'public.sms_opt_outs', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.stripe_accounts', 'public.stripe_accounts', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.stripe_events', 'public.stripe_events', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.tax_rates', 'public.tax_rates', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.tenants', 'public.tenants', 'anonymise', 'the company''s name and dates, kept while its financial records are'),
  ('public.time_off', 'public.time_off', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visit_assignments', 'public.visit_assignments', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visit_checklist_items', 'public.visit_checklist_items', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visit_files', 'public.visit_files', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visit_links', 'public.visit_links', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visit_notes', 'public.visit_notes', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.visits', 'public.visits', 'delete', 'business data: kept while the company is active (P-11)'),
  ('public.working_hours', 'public.working_hours', 'delete', 'business data: kept while the company is active (P-11)');
