alter table public.customers enable row level security;

-- Technicians see the customers of their own visits (app.technician_customer_ids). Keep
-- app.customer_ids_matching in step with this policy.
create policy "Office staff and their technicians can see customers"
  on public.customers for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_customer_ids())::uuid[]))
  );

create policy "Office staff can add customers"
  on public.customers for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customers"
  on public.customers for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Owners and admins can delete customers"
  on public.customers for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

-- A signed-in homeowner (the portal) sees their own customer record, and no one else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own record"
  on public.customers for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and id = (select app.portal_customer_id())
    end
  );
