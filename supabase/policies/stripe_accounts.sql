alter table public.stripe_accounts enable row level security;

-- Owners and admins set the company's Stripe keys and deposit; nobody else reads the row (the
-- keys are sealed all the same). Members start payments through app.stripe_key().
create policy "Owners and admins can see their company's Stripe account"
  on public.stripe_accounts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can connect their company to Stripe"
  on public.stripe_accounts for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's Stripe account"
  on public.stripe_accounts for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));
