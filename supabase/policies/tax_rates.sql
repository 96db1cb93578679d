alter table public.tax_rates enable row level security;

-- Everyone in the company reads it (technicians price work on site); office staff change it.
-- Nothing is deleted: an entry is archived, and documents keep their own copies.
create policy "Members can see their company's tax rates"
  on public.tax_rates for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add tax rates"
  on public.tax_rates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change tax rates"
  on public.tax_rates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));
