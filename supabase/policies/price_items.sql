alter table public.price_items enable row level security;

-- Everyone in the company reads it (technicians price work on site); office staff change it.
-- Nothing is deleted: an entry is archived, and documents keep their own copies.
create policy "Members can see their company's price book items"
  on public.price_items for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add price book items"
  on public.price_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change price book items"
  on public.price_items for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));
