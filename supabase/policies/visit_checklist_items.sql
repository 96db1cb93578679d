alter table public.visit_checklist_items enable row level security;

-- Items are created by the visit trigger; staff only tick them (done_at, done_by).
create policy "Office staff and the assigned technicians can see checklists"
  on public.visit_checklist_items for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can add checklist items"
  on public.visit_checklist_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff and the assigned technicians can tick checklists"
  on public.visit_checklist_items for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove checklist items"
  on public.visit_checklist_items for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
