alter table public.visit_assignments enable row level security;

create policy "Office staff and the assigned technician can see assignments"
  on public.visit_assignments for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can assign technicians"
  on public.visit_assignments for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can unassign technicians"
  on public.visit_assignments for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
