alter table public.estimate_options enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change (app.estimate_parts_draft_only).
create policy "Office staff and their technicians can see estimate options"
  on public.estimate_options for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add estimate options"
  on public.estimate_options for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change estimate options"
  on public.estimate_options for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove estimate options"
  on public.estimate_options for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the options of their own estimates.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the options of their own estimates"
  on public.estimate_options for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and estimate_id = any ((select app.portal_estimate_ids())::uuid[])
    end
  );
