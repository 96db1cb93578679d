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
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the payments of their own invoices"
  on public.payments for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );
