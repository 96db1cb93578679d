alter table public.service_request_messages enable row level security;

create policy "Office staff can see their company's service request threads"
  on public.service_request_messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- The author is the member (stamped from auth.uid()); a homeowner's message comes only through
-- the portal's definer.
create policy "Office staff can reply to their company's service requests"
  on public.service_request_messages for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and author_kind = 'staff'
    and author_id = (select auth.uid())
  );

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service request threads"
  on public.service_request_messages for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
