alter table public.service_request_photos enable row level security;

-- Photos are added by homeowners through the portal's definer; the office sees them.
create policy "Office staff can see their company's service request photos"
  on public.service_request_photos for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service request photos"
  on public.service_request_photos for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
