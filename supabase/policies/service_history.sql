alter table public.service_history enable row level security;

-- The office's; a technician going to a property reads its past work, as they read its
-- equipment's service history (equipment_service_records).
create policy "Office staff and technicians going there can see service history"
  on public.service_history for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or property_id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add service history"
  on public.service_history for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change service history"
  on public.service_history for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove service history"
  on public.service_history for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
