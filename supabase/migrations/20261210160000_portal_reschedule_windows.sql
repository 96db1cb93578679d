-- Moving a visit from the portal follows the company's online-booking rules: how close to its
-- window it may still change (`portal_change_cutoff_hours`), and the live windows the booking
-- page offers (working hours, time off, other bookings, travel, notice, horizon), for the
-- visit's own kind of work whether or not that kind is booked online.

-- Why: how close to a visit's arrival window the homeowner may still move or cancel it online:
-- the company's setting (24 hours without one).
create or replace function app.portal_change_cutoff() returns interval
language sql stable set search_path = ''
as $$
  select make_interval(hours => coalesce(
    (select s.portal_change_cutoff_hours from public.online_booking_settings s
      where s.tenant_id = app.portal_tenant_id()), 24))
$$;

-- Why: the company's booking rules for moving one of the signed-in customer's visits: its
-- settings with the visit's kind of work as the one kind offered, and the visit's place.
create function app.portal_reschedule_rules(
  p_visit public.visits, out settings public.online_booking_settings,
  out kind text, out latitude numeric, out longitude numeric)
language plpgsql stable set search_path = ''
as $$
begin
  select * into settings from public.online_booking_settings s where s.tenant_id = p_visit.tenant_id;
  select j.kind, p.latitude, p.longitude into kind, latitude, longitude
    from public.jobs j
    join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
   where j.tenant_id = p_visit.tenant_id and j.id = p_visit.job_id;
  settings.kinds := array[kind];
  -- Never closer than the company lets a visit change online.
  settings.lead_hours := greatest(settings.lead_hours,
                                  extract(epoch from app.portal_change_cutoff())::integer / 3600);
end
$$;
revoke execute on function app.portal_reschedule_rules(public.visits) from public;

-- Why: the windows the signed-in customer may move their visit to (from `p_from`, two weeks at
-- most): start and end only, like the booking page's. Nothing for a visit that is not theirs
-- or can no longer change online.
create function app.portal_reschedule_windows(p_visit uuid, p_from date default null)
returns table (window_starts_at timestamptz, window_ends_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
  found public.visits;
begin
  select v.* into found
    from public.visits v
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
   where me.id is not null and v.tenant_id = me.tenant_id and v.id = p_visit
     and j.customer_id = me.customer_id and v.status in ('scheduled', 'dispatched')
     and v.window_starts_at - app.portal_change_cutoff() > now();
  if found.id is null then
    return;
  end if;
  return query select w.window_starts_at, w.window_ends_at
                 from app.portal_reschedule_rules(found) r,
                      app.online_windows(r.settings, r.latitude, r.longitude, r.kind, p_from) w;
end
$$;
revoke execute on function app.portal_reschedule_windows(uuid, date) from public;
grant execute on function app.portal_reschedule_windows(uuid, date) to authenticated;

-- Why: the homeowner moves their visit to one of the windows offered to them. Bookings of one
-- company take turns (as the booking page's do); the visit keeps its technician when they are
-- free then, else goes to one who is, and the exclusion constraint has the last word. Audited
-- with the portal session as the actor.
create or replace function app.portal_reschedule_visit(p_visit uuid, p_window_starts_at timestamptz)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  found public.visits := app.portal_changeable_visit(p_visit);
  rules record;
  settings public.online_booking_settings;
  ends timestamptz;
begin
  select * into rules from app.portal_reschedule_rules(found);
  settings := rules.settings;
  if p_window_starts_at is null
     or p_window_starts_at - app.portal_change_cutoff() <= now() then
    raise exception 'the new time is too close'
      using errcode = 'check_violation', constraint = 'portal_visits_new_time_ahead';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('online booking ' || found.tenant_id::text, 0));
  if not exists (
       select from app.online_windows(settings, rules.latitude, rules.longitude, rules.kind,
                                      (p_window_starts_at
                                        at time zone app.company_time_zone(found.tenant_id))::date) w
        where w.window_starts_at = p_window_starts_at) then
    raise exception 'that window is no longer free'
      using errcode = 'check_violation', constraint = 'online_bookings_window_open';
  end if;
  ends := p_window_starts_at + make_interval(hours => settings.window_hours);
  begin
    update public.visits v
       set window_starts_at = p_window_starts_at, window_ends_at = ends, updated_at = now()
     where v.tenant_id = found.tenant_id and v.id = found.id;
  exception when exclusion_violation or check_violation then
    -- Its technician is busy or away then: the visit goes to someone free.
    delete from public.visit_assignments a
     where a.tenant_id = found.tenant_id and a.visit_id = found.id;
    update public.visits v
       set window_starts_at = p_window_starts_at, window_ends_at = ends, updated_at = now()
     where v.tenant_id = found.tenant_id and v.id = found.id;
    if app.assign_free_technician(settings, found.id, rules.latitude, rules.longitude,
                                  rules.kind, p_window_starts_at) is null then
      raise exception 'that window is no longer free'
        using errcode = 'check_violation', constraint = 'online_bookings_window_open';
    end if;
  end;
end
$$;
