alter table outbox.messages enable row level security;

-- No insert policy: messages are queued only by code that renders a known template, the
-- identity functions (iam.queue_email, as the table's owner) and the worker (service_role).

create policy "Owners can read their company's outbox"
  on outbox.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_owner()));
