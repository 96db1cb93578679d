alter table public.import_items enable row level security;

-- An import's preview, as its import: the office's (technicians see no customers).
create policy "Office staff can see their company's import previews"
  on public.import_items for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can write import previews"
  on public.import_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can replace import previews"
  on public.import_items for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
