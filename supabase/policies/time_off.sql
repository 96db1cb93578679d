alter table public.time_off enable row level security;

-- Dispatchers plan around time off; technicians see their own.
create policy "Office staff and the technician can see time off"
  on public.time_off for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or technician_id = (select auth.uid()))
  );

create policy "Managers and dispatchers can set time off"
  on public.time_off for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );

create policy "Managers and dispatchers can change time off"
  on public.time_off for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Managers and dispatchers can remove time off"
  on public.time_off for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );
