alter table public.invoice_history enable row level security;

-- The office's only: what the old system billed is the office's business, as invoices are.
create policy "Office staff can see invoice history"
  on public.invoice_history for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add invoice history"
  on public.invoice_history for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change invoice history"
  on public.invoice_history for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove invoice history"
  on public.invoice_history for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
