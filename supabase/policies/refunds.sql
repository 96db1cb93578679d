alter table public.refunds enable row level security;

-- Office staff give money back and see refunds; a technician sees those of the invoices of
-- their own jobs. A refund is never edited or deleted (no grant).
create policy "Office staff and their technicians can see refunds"
  on public.refunds for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff can record refunds"
  on public.refunds for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees the refunds of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the refunds of their own invoices"
  on public.refunds for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );
