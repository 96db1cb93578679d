alter table public.memberships enable row level security;

create policy "Office staff can see their company's team"
  on public.memberships for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );

-- The company switcher needs an account's own memberships in every company.
create policy "Accounts can see their own memberships"
  on public.memberships for select to authenticated
  using (account_id = (select auth.uid()));

create policy "Owners can change any member of their company"
  on public.memberships for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.has_role('owner')))
  with check (tenant_id = (select app.tenant_id()));

create policy "Admins can change members who are not owners"
  on public.memberships for update to authenticated
  using (
    tenant_id = (select app.tenant_id()) and (select app.has_role('admin')) and role <> 'owner'
  )
  with check (tenant_id = (select app.tenant_id()) and role <> 'owner');
