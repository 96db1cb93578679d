alter table public.messaging_accounts enable row level security;

-- Owners and admins set the company's Twilio and SendGrid keys; nobody else reads the row (the
-- keys are sealed all the same). The worker sends as the service role.
create policy "Owners and admins can see their company's messaging account"
  on public.messaging_accounts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can connect their company to Twilio and SendGrid"
  on public.messaging_accounts for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's messaging account"
  on public.messaging_accounts for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));
