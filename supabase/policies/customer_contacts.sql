alter table public.customer_contacts enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's customer contacts"
  on public.customer_contacts for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer contacts"
  on public.customer_contacts for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customer contacts"
  on public.customer_contacts for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove customer contacts"
  on public.customer_contacts for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- A signed-in homeowner (the portal) sees their own contact people, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own contact people"
  on public.customer_contacts for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
