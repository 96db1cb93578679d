alter table public.properties enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's properties"
  on public.properties for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );

create policy "Office staff can add properties"
  on public.properties for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );

create policy "Office staff can change properties"
  on public.properties for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove properties"
  on public.properties for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );
