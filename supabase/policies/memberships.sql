alter table public.memberships enable row level security;

create policy "Office staff can see their company's team"
  on public.memberships for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- The company switcher needs an account's own memberships in every company. Only active ones:
-- a removed member's still-valid claims must see nothing of the company (P-03), nor do the
-- claims of an account whose second factor is not yet proved (`app.account_id()`).
create policy "Accounts can see their own active memberships"
  on public.memberships for select to authenticated
  using (account_id = (select app.account_id()) and status = 'active');

-- Update checks of all policies are OR-ed: this one names the owner role too, or it would let an
-- admin's change (allowed by the policy below) make someone an owner.
create policy "Owners can change any member of their company"
  on public.memberships for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_owner()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

create policy "Admins can change members who are not owners"
  on public.memberships for update to authenticated
  using (
    tenant_id = (select app.tenant_id()) and (select app.has_role('admin')) and role <> 'owner'
  )
  with check (tenant_id = (select app.tenant_id()) and role <> 'owner');
