alter table public.jobs enable row level security;

-- Technicians see the jobs of their own visits.
create policy "Office staff and their technicians can see jobs"
  on public.jobs for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff can add jobs"
  on public.jobs for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change jobs"
  on public.jobs for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- A job with visit history (a visit under way, done or canceled) goes only with an owner or an
-- admin: office staff remove a job taken by mistake, never what was done.
create policy "Managers can remove jobs, office staff those with no visit history"
  on public.jobs for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and not exists (select from public.visits v
                             where v.tenant_id = jobs.tenant_id and v.job_id = jobs.id
                               and v.status not in ('unscheduled', 'scheduled', 'dispatched'))))
  );

-- A signed-in homeowner (the portal) sees their own jobs, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own jobs"
  on public.jobs for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
