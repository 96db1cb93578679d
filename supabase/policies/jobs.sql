alter table public.jobs enable row level security;

-- Technicians see the jobs of their own visits.
create policy "Office staff and their technicians can see jobs"
  on public.jobs for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff can add jobs"
  on public.jobs for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change jobs"
  on public.jobs for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove jobs"
  on public.jobs for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
