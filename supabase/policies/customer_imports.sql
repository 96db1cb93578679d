alter table public.customer_imports enable row level security;

-- The office imports customers; technicians see no customers, so no imports either.
create policy "Office staff can see their company's customer imports"
  on public.customer_imports for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can upload customer imports"
  on public.customer_imports for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- Mapping, confirming and cancelling; the import job also records its progress as the member
-- who started it.
create policy "Office staff can change customer imports"
  on public.customer_imports for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));
