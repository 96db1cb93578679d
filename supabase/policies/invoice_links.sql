alter table public.invoice_links enable row level security;

-- Made only by app.send_invoice. Office staff see their company's links and revoke them; a
-- technician sees and revokes those of the invoices of their own jobs.
create policy "Office staff and their technicians can see invoice links"
  on public.invoice_links for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can revoke invoice links"
  on public.invoice_links for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));
