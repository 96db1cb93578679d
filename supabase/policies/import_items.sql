alter table public.import_items enable row level security;

-- An import's preview, as its import: the office's (technicians see no customers).
create policy "Office staff can see their company's import previews"
  on public.import_items for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- Only into an import still being planned or run (the run keeps its plan as the report).
create policy "Office staff can write import previews"
  on public.import_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and exists (select from public.customer_imports i
                 where i.tenant_id = import_items.tenant_id and i.id = import_items.import_id
                   and i.status in ('uploaded', 'checking', 'previewed', 'running'))
  );

create policy "Office staff can replace import previews"
  on public.import_items for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
