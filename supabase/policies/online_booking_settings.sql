alter table public.online_booking_settings enable row level security;

-- The office reads the rules (the booking link is shown to whoever takes calls); owners and
-- admins change them. The row is made with the company and never removed on its own.
create policy "Office staff can see their company's online booking settings"
  on public.online_booking_settings for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Owners and admins can change their company's online booking settings"
  on public.online_booking_settings for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- A signed-in homeowner reads their company's rules: what they may book, and until when they
-- may move or cancel a visit in the portal.
create policy "Homeowners can see their company's online booking rules"
  on public.online_booking_settings for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
    end
  );
