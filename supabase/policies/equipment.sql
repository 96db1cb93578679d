alter table public.equipment enable row level security;

-- Technicians see the equipment at the properties of their own visits: the unit they were
-- called for and whatever else is installed there.
create policy "Office staff and their technicians can see equipment"
  on public.equipment for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or property_id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add equipment"
  on public.equipment for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change equipment"
  on public.equipment for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove equipment"
  on public.equipment for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- A signed-in homeowner (the portal) sees the equipment of their own properties.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the equipment of their own properties"
  on public.equipment for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and property_id = any ((select app.portal_property_ids())::uuid[])
    end
  );
