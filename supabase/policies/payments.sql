alter table public.payments enable row level security;

-- As their invoice: office staff, and a technician for the invoices of their own jobs, see and
-- record payments. Nobody edits or deletes one (no grant, no policy): a mistaken payment is
-- answered by a later record.
create policy "Office staff and their technicians can see payments"
  on public.payments for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can record payments"
  on public.payments for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the payments of their own invoices.
create policy "Homeowners can see the payments of their own invoices"
  on public.payments for select to authenticated
  using (
    tenant_id = (select app.portal_tenant_id())
    and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
  );
