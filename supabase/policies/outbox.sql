alter table outbox.messages enable row level security;

-- Account messages (no company) have no insert policy: only the identity functions, which
-- render known templates, queue them (iam.queue_email, as the table's owner).

create policy "Members can queue their company's messages"
  on outbox.messages for insert to authenticated
  with check (tenant_id = (select app.tenant_id()));

create policy "Owners can read their company's outbox"
  on outbox.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')));
