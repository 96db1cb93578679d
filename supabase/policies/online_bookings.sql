alter table public.online_bookings enable row level security;

-- The office sees what was booked online and confirms or declines it through
-- app.confirm_online_booking / app.decline_online_booking; rows are written only by the
-- booking definers.
create policy "Office staff can see their company's online bookings"
  on public.online_bookings for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Homeowners can see their own online bookings"
  on public.online_bookings for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );
