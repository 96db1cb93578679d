alter table public.invoices enable row level security;

-- Office staff manage every invoice; a technician sees and makes the invoices of the jobs of
-- their own visits. Only a draft is deleted (a sent one is voided: app.invoices_only_drafts_deleted).
create policy "Office staff and their technicians can see invoices"
  on public.invoices for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can make invoices"
  on public.invoices for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change invoices"
  on public.invoices for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

-- A signed-in homeowner (the portal) sees their own invoices once sent, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own invoices once sent"
  on public.invoices for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
         and status <> 'draft'
    end
  );
