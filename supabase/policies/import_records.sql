alter table public.import_records enable row level security;

-- What an import created or changed, for undo: the office's to read, as its imports are;
-- written only by app.record_import_writes and app.seal_import_writes (the import's own run).
create policy "Office staff can see what their company's imports wrote"
  on public.import_records for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
