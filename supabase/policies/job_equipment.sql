alter table public.job_equipment enable row level security;

create policy "Office staff and their technicians can see the equipment of jobs"
  on public.job_equipment for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff can name the equipment of jobs"
  on public.job_equipment for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can unname the equipment of jobs"
  on public.job_equipment for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
