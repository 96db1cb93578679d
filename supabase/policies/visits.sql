alter table public.visits enable row level security;

-- Technicians see their own visits (P-02) and move them along: en route, on site, completed.
-- The status machine trigger stops them from rescheduling or reassigning.
create policy "Office staff and the assigned technicians can see visits"
  on public.visits for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can add visits"
  on public.visits for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff and the assigned technicians can change visits"
  on public.visits for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_visit_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

-- A visit under way, done or canceled is history: only an owner or an admin removes it.
create policy "Managers can remove visits, office staff those not yet under way"
  on public.visits for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and status in ('unscheduled', 'scheduled', 'dispatched')))
  );

-- A signed-in homeowner (the portal) sees the visits of their own jobs.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the visits of their own jobs"
  on public.visits for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and job_id = any ((select app.portal_job_ids())::uuid[])
    end
  );
