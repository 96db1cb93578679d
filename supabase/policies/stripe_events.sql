alter table public.stripe_events enable row level security;

-- Owners and admins may see which Stripe events arrived and what each did; only the webhook's
-- definer writes them.
create policy "Owners and admins can see their Stripe events"
  on public.stripe_events for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));
