alter table public.invoice_tax_rates enable row level security;

-- As their invoice: office staff, and a technician for the invoices of their own jobs
-- (app.technician_invoice_ids()). Only a draft's change (app.invoice_parts_draft_only).
create policy "Office staff and their technicians can see invoices' tax rates"
  on public.invoice_tax_rates for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add invoices' tax rates"
  on public.invoice_tax_rates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change invoices' tax rates"
  on public.invoice_tax_rates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove invoices' tax rates"
  on public.invoice_tax_rates for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the tax rates of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the tax rates of their own invoices"
  on public.invoice_tax_rates for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );
