alter table public.properties enable row level security;

-- Technicians see the properties of their own visits (app.technician_property_ids).
create policy "Office staff and their technicians can see properties"
  on public.properties for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add properties"
  on public.properties for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change properties"
  on public.properties for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- A property with jobs takes its visit history with it: owners and admins only (as for a
-- customer); other office staff archive it instead. Erasure and purge are owners' or the
-- worker's, and cascades are not subject to this policy.
create policy "Owners and admins can remove properties, other office staff those without jobs"
  on public.properties for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and not exists (select from public.jobs j
                             where j.tenant_id = properties.tenant_id
                               and j.property_id = properties.id)))
  );

-- A signed-in homeowner (the portal) sees their own properties, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own properties"
  on public.properties for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
