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

create policy "Office staff can remove properties"
  on public.properties for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
