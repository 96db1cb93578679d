alter table public.tenants enable row level security;

create policy "Members can see their company"
  on public.tenants for select to authenticated
  using (id = (select app.tenant_id()));

create policy "Owners and admins can update their company"
  on public.tenants for update to authenticated
  using (id = (select app.tenant_id()) and (select app.is_manager()))
  with check (id = (select app.tenant_id()));

-- A signed-in homeowner (the portal) sees the company they are a customer of: its name, logo,
-- colour and how to reach it.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their company"
  on public.tenants for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else id = (select app.portal_tenant_id())
    end
  );
