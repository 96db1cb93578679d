alter table public.calendar_feeds enable row level security;

-- A technician manages their own feed; managers and dispatchers can revoke any (a lost phone).
create policy "Technicians see their feed, managers and dispatchers all"
  on public.calendar_feeds for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (technician_id = (select auth.uid())
         or (select app.is_planner()))
  );

-- No insert policy: a feed is opened only by app.open_calendar_feed(), which mints its token.

create policy "Technicians and managers can revoke feeds"
  on public.calendar_feeds for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (technician_id = (select auth.uid())
         or (select app.is_planner()))
  )
  -- One way only: a revoked link (a lost phone) can never be opened again.
  with check (tenant_id = (select app.tenant_id()) and revoked_at is not null);
