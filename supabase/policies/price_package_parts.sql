alter table public.price_package_parts enable row level security;

-- As the package they belong to: everyone in the company reads them, office staff change them.
create policy "Members can see their company's package parts"
  on public.price_package_parts for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add package parts"
  on public.price_package_parts for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change package parts"
  on public.price_package_parts for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove package parts"
  on public.price_package_parts for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
