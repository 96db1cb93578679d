alter table public.estimate_photos enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change, and only photos of the estimate's
-- job (app.estimate_photos_checked).
create policy "Office staff and their technicians can see estimate photos"
  on public.estimate_photos for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can choose estimate photos"
  on public.estimate_photos for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can caption and order estimate photos"
  on public.estimate_photos for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can leave out estimate photos"
  on public.estimate_photos for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );
