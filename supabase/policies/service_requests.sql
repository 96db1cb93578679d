alter table public.service_requests enable row level security;

-- Office staff work the queue: answer, assign, close, reopen, turn into a job. Requests are
-- opened by homeowners through the portal's definer (app.portal_open_service_request).
create policy "Office staff can see their company's service requests"
  on public.service_requests for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can work their company's service requests"
  on public.service_requests for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service requests"
  on public.service_requests for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
