alter table public.working_hours enable row level security;

-- Dispatchers plan around working hours; technicians see their own.
create policy "Office staff and the technician can see working hours"
  on public.working_hours for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or technician_id = (select auth.uid()))
  );

create policy "Managers and dispatchers can set working hours"
  on public.working_hours for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );

create policy "Managers and dispatchers can change working hours"
  on public.working_hours for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Managers and dispatchers can remove working hours"
  on public.working_hours for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );
