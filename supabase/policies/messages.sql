alter table public.messages enable row level security;

-- Office staff see every message of the company and queue new ones (replies, campaigns);
-- app.messages_guard decides whether each may go. Status, provider ids and delivery are
-- written only by the worker (service role) and the provider's signed callbacks.
create policy "Office staff can see their company's messages"
  on public.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can queue messages"
  on public.messages for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and direction = 'out'
  );

-- A signed-in homeowner (the portal) sees their own messages once sent or received, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own messages once sent or received"
  on public.messages for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
         and status in ('sent', 'delivered', 'undelivered', 'failed', 'received')
    end
  );

-- A homeowner's sign-in code and link (kind portal_sign_in, 20261210110000_portal_sign_in.sql)
-- are for the homeowner alone: while they work they would let whoever reads them sign in as
-- the homeowner, so nobody in the company reads them (the worker sends them as service role).
create policy "Sign-in codes are read by nobody but their recipient"
  on public.messages as restrictive for select to authenticated
  using (kind <> 'portal_sign_in');
