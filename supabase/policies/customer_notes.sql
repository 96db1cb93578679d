alter table public.customer_notes enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's customer notes"
  on public.customer_notes for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer notes"
  on public.customer_notes for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can remove customer notes"
  on public.customer_notes for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
