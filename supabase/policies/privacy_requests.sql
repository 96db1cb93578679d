alter table public.privacy_requests enable row level security;

-- P-10: the office sees and answers every request of its company, and records those made by
-- phone or email; a homeowner files theirs from the portal (app.portal_file_privacy_request).
create policy "Office staff can see their company's privacy requests"
  on public.privacy_requests for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can record privacy requests made by phone or email"
  on public.privacy_requests for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and source in ('phone', 'email')
    and status = 'open'
  );

create policy "Office staff can answer their company's privacy requests"
  on public.privacy_requests for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own privacy requests"
  on public.privacy_requests for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
