alter table public.visit_notes enable row level security;

create policy "Office staff and the assigned technicians can see visit notes"
  on public.visit_notes for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff and the assigned technicians can add visit notes"
  on public.visit_notes for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and author_id = (select auth.uid())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

-- Technicians remove only their own notes, on their own visits.
create policy "Office staff and their authors can remove visit notes"
  on public.visit_notes for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or (author_id = (select auth.uid())
             and visit_id = any ((select app.technician_visit_ids())::uuid[])))
  );
