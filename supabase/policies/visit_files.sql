alter table public.visit_files enable row level security;

create policy "Office staff and the assigned technicians can see visit photos and signatures"
  on public.visit_files for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff and the assigned technicians can add visit photos and signatures"
  on public.visit_files for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and uploaded_by = (select auth.uid())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

-- Technicians remove only their own photos (never a signature), on their own visits.
create policy "Office staff and their authors can remove visit photos and signatures"
  on public.visit_files for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or (uploaded_by = (select auth.uid()) and kind = 'photo'
             and visit_id = any ((select app.technician_visit_ids())::uuid[])))
  );
