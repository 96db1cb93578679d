alter table public.equipment_service_records enable row level security;

-- Written only by the completion trigger; read by whoever may see the equipment.
create policy "Staff who can see the equipment can see its service history"
  on public.equipment_service_records for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff()) or equipment_id in (
      select e.id from public.equipment e
      where e.tenant_id = (select app.tenant_id())
        and e.property_id = any ((select app.technician_property_ids())::uuid[])
    ))
  );

-- A signed-in homeowner (the portal) sees the service history of their own visits.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the service history of their own visits"
  on public.equipment_service_records for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and visit_id = any ((select app.portal_visit_ids())::uuid[])
    end
  );
