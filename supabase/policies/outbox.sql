alter table outbox.messages enable row level security;

-- Account messages (no company) are queued by the identity steps, before or after sign-in.
create policy "Anyone can queue an account message"
  on outbox.messages for insert to anon, authenticated
  with check (tenant_id is null);

create policy "Members can queue their company's messages"
  on outbox.messages for insert to authenticated
  with check (tenant_id = (select app.tenant_id()));

create policy "Owners can read their company's outbox"
  on outbox.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')));
