alter table public.import_records enable row level security;

-- What an import created or changed, for undo: the office's, as its imports are.
create policy "Office staff can see what their company's imports wrote"
  on public.import_records for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can record what an import wrote"
  on public.import_records for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can update what an import wrote"
  on public.import_records for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can forget what an undone import wrote"
  on public.import_records for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
