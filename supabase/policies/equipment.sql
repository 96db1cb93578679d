alter table public.equipment enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's equipment"
  on public.equipment for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );

create policy "Office staff can add equipment"
  on public.equipment for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );

create policy "Office staff can change equipment"
  on public.equipment for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove equipment"
  on public.equipment for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
  );
