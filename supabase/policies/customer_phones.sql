alter table public.customer_phones enable row level security;

-- A customer's other phones: the office's, as the customer's contact people are.
create policy "Office staff can see their company's customer phones"
  on public.customer_phones for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer phones"
  on public.customer_phones for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customer phones"
  on public.customer_phones for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove customer phones"
  on public.customer_phones for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
