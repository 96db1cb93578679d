-- One computation of free arrival windows, shared by the office (app.bookable_windows), the
-- portal (app.portal_bookable_windows) and the public booking page
-- (app.public_bookable_windows): technicians' working hours and time off, their booked visits,
-- and around each booked visit the travel buffer or, when both places are geocoded, the time
-- to drive there in a straight line at 40 km/h, whichever is longer.

-- Why: technicians' shifts over several days in one statement (a window search asks for 50
-- technicians over 14 days at once): a technician's own hours for the weekday when they have
-- any, else 8 to 5 on weekdays, local to the company. app.technician_shift (below) is this for
-- one technician and one day, so the booking trigger and the windows keep one rule.
create function app.technician_shifts(p_tenant uuid, p_technicians uuid[], p_first_day date,
                                      p_days integer)
returns table (technician_id uuid, day date, shift tstzrange)
language sql stable set search_path = ''
as $$
  with zone as (
    select t.time_zone from public.tenants t where t.id = p_tenant
  ), days as (
    select d::date as day
      from generate_series(p_first_day, p_first_day + p_days - 1, interval '1 day') d
  ), own as (
    select distinct h.technician_id from public.working_hours h
     where h.tenant_id = p_tenant and h.technician_id = any (p_technicians)
  )
  select h.technician_id, d.day,
         tstzrange((d.day + h.starts_at) at time zone z.time_zone,
                   (d.day + h.ends_at) at time zone z.time_zone, '[)')
    from zone z
   cross join days d
    join public.working_hours h
      on h.tenant_id = p_tenant and h.technician_id = any (p_technicians)
     and h.weekday = extract(isodow from d.day)
  union all
  select x.id, d.day,
         tstzrange((d.day + time '08:00') at time zone z.time_zone,
                   (d.day + time '17:00') at time zone z.time_zone, '[)')
    from zone z
   cross join days d
   cross join unnest(p_technicians) x (id)
   where extract(isodow from d.day) between 1 and 5
     and not exists (select from own where own.technician_id = x.id)
$$;
revoke execute on function app.technician_shifts(uuid, uuid[], date, integer) from public;
grant execute on function app.technician_shifts(uuid, uuid[], date, integer)
  to authenticated, service_role;

create or replace function app.technician_shift(p_tenant uuid, p_technician uuid, p_day date)
returns tstzrange
language sql stable set search_path = ''
as $$
  select s.shift from app.technician_shifts(p_tenant, array[p_technician], p_day, 1) s
$$;

-- Why: the core. Each active technician's possible starts (every `p_window_hours` from the
-- start of their shift, the visit still ending within it) from `p_not_before` on, less those
-- overlapping time off or coming closer to a booked visit than the gap it needs: the buffer,
-- or the drive from that visit's place to this one when longer. Set-based: the company's
-- bookings and time off over the period are read once, each with its gap, and matched to the
-- starts by technician. Answers technician ids: only for the definers and staff function
-- below (no grant).
create function app.window_candidates(
  p_tenant uuid, p_latitude numeric, p_longitude numeric, p_kind text, p_first_day date,
  p_days integer, p_buffer_minutes integer, p_window_hours integer, p_not_before timestamptz)
returns table (technician_id uuid, starts_at timestamptz)
language plpgsql stable set search_path = ''
as $$
#variable_conflict use_column
declare
  minutes interval := make_interval(mins => app.job_minutes(p_kind));
  here_latitude float8 := p_latitude::float8;
  here_longitude float8 := p_longitude::float8;
  crew uuid[] := array(select m.account_id from public.memberships m
                        where m.tenant_id = p_tenant and m.role = 'technician'
                          and m.status = 'active');
begin
  return query
  with shifts as materialized (
    select s.technician_id, s.shift
      from app.technician_shifts(p_tenant, crew, p_first_day, p_days) s
  ), starts as materialized (
    select s.technician_id, g as starts_at
      from shifts s
     cross join lateral generate_series(lower(s.shift), upper(s.shift) - minutes,
                                        make_interval(hours => p_window_hours)) g
     where g >= p_not_before and g > now()
  ), span as (
    select tstzrange(min(lower(s.shift)) - interval '1 day',
                     max(upper(s.shift)) + interval '1 day') as during
      from shifts s
  ), busy as materialized (
    -- The bookings as app.technician_visits keeps them per technician (triggers on the
    -- assignments and visits), with each visit's place: one index range per technician.
    select tv.technician_id, lower(tv.booked) - gap.around as lo,
           upper(tv.booked) + gap.around as hi
      from span
      join app.technician_visits tv
        on tv.tenant_id = p_tenant and tv.technician_id = any (crew)
       and tv.booked_until > lower(span.during) and tv.booked && span.during
      -- The booked visit's place, only when there is a place to drive to.
      left join lateral (
        select p.latitude::float8 as latitude, p.longitude::float8 as longitude
          from public.properties p
         where p_latitude is not null and p_longitude is not null
           and p.tenant_id = tv.tenant_id and p.id = tv.property_id
      ) there on true
     -- The drive: haversine distance at 40 km/h (25 mph), rounded up, at most 3 hours; none
     -- when either place has no coordinates. Written here rather than called per booking: a
     -- function with a fixed search_path is not inlined, and costs ~80 us a call.
     cross join lateral (
       select make_interval(mins => greatest(p_buffer_minutes, case
         when there.latitude is not null and there.longitude is not null then
           least(180, ceil(2 * 6371 * asin(sqrt(
             power(sin(radians(here_latitude - there.latitude) / 2), 2)
             + cos(radians(there.latitude)) * cos(radians(here_latitude))
               * power(sin(radians(here_longitude - there.longitude) / 2), 2)))
             / 40.0 * 60))::integer
         else 0 end)) as around
     ) gap
  ), away as materialized (
    select o.technician_id, lower(o.during) as lo, upper(o.during) as hi
      from span
      join public.time_off o
        on o.tenant_id = p_tenant and o.technician_id = any (crew) and o.during && span.during
  )
  select st.technician_id, st.starts_at
    from starts st
   where not exists (select from busy b
                      where b.technician_id = st.technician_id
                        and b.lo < st.starts_at + minutes and b.hi > st.starts_at)
     and not exists (select from away o
                      where o.technician_id = st.technician_id
                        and o.lo < st.starts_at + minutes and o.hi > st.starts_at);
end
$$;
revoke execute on function app.window_candidates(uuid, numeric, numeric, text, date, integer,
  integer, integer, timestamptz) from public;

-- Why: the office's windows (the job page and the phone booking), now with travel; it reads the
-- whole schedule whatever the member's role sees, so it runs as its owner for office staff.
create or replace function app.bookable_windows(
  p_property uuid, p_kind text, p_days integer default 14, p_buffer_minutes integer default 30,
  p_window_hours integer default 2, p_from date default null)
returns table (window_starts_at timestamptz, window_ends_at timestamptz, technicians integer)
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  place public.properties;
begin
  if p_kind not in ('repair', 'maintenance', 'install', 'estimate') then
    raise exception 'unknown job kind %', p_kind using errcode = 'invalid_parameter_value';
  end if;
  if p_days not between 1 and 60 or p_buffer_minutes not between 0 and 240
     or p_window_hours not between 1 and 8 then
    raise exception 'days 1-60, buffer 0-240 minutes, windows 1-8 hours'
      using errcode = 'invalid_parameter_value';
  end if;
  select * into place from public.properties p where p.tenant_id = tenant and p.id = p_property;
  if place.id is null or not app.is_office_staff() then
    raise exception 'no such property' using errcode = 'no_data_found';
  end if;
  return query
  select c.starts_at, c.starts_at + make_interval(hours => p_window_hours), count(*)::integer
    from app.window_candidates(tenant, place.latitude, place.longitude, p_kind,
                               coalesce(p_from, app.company_today(tenant)), p_days,
                               p_buffer_minutes, p_window_hours, now()) c
   group by c.starts_at
   order by c.starts_at;
end
$$;

-- Why: the windows a homeowner may book online at a place: the company's kinds, from the lead
-- time on, up to its horizon, at most 14 days from `p_from`. Starts and ends only: nothing
-- tells who is free or how many.
create function app.online_windows(
  p_settings public.online_booking_settings, p_latitude numeric, p_longitude numeric,
  p_kind text, p_from date)
returns table (window_starts_at timestamptz, window_ends_at timestamptz)
language plpgsql stable set search_path = ''
as $$
declare
  today date := app.company_today(p_settings.tenant_id);
  first_day date := greatest(coalesce(p_from, today), today);
  days integer := least(14, today + p_settings.horizon_days - first_day);
begin
  if p_kind is null or not p_kind = any (p_settings.kinds) or days < 1 then
    return;
  end if;
  -- A window stays offered while more technicians are free then than requests wait for it
  -- (requests the office has not confirmed yet hold no technician, but they count).
  return query
  select c.starts_at, c.starts_at + make_interval(hours => p_settings.window_hours)
    from app.window_candidates(p_settings.tenant_id, p_latitude, p_longitude, p_kind, first_day,
                               days, p_settings.buffer_minutes, p_settings.window_hours,
                               now() + make_interval(hours => p_settings.lead_hours)) c
   group by c.starts_at
  having count(*) > (select count(*) from public.online_bookings b
                      where b.tenant_id = p_settings.tenant_id and b.status = 'awaiting'
                        and b.requested_starts_at = c.starts_at)
   order by 1;
end
$$;
revoke execute on function app.online_windows(public.online_booking_settings, numeric, numeric,
  text, date) from public;

-- Why: the portal's booking page: windows at one of the signed-in customer's own places. Another
-- customer's property (or none) answers like a place with no windows.
create function app.portal_bookable_windows(p_property uuid, p_kind text, p_from date default null)
returns table (window_starts_at timestamptz, window_ends_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
declare
  settings public.online_booking_settings;
  place public.properties;
begin
  select * into place from public.properties p
   where p.tenant_id = app.portal_tenant_id() and p.id = p_property
     and p.customer_id = app.portal_customer_id() and p.archived_at is null;
  if place.id is null then
    raise exception 'no such property' using errcode = 'no_data_found';
  end if;
  select * into settings from public.online_booking_settings s where s.tenant_id = place.tenant_id;
  return query select * from app.online_windows(settings, place.latitude, place.longitude,
                                                p_kind, p_from);
end
$$;
revoke execute on function app.portal_bookable_windows(uuid, text, date) from public;
grant execute on function app.portal_bookable_windows(uuid, text, date) to authenticated;

-- Why: the public booking page's windows, by the page's slug, while the page is on and the
-- company active. The new homeowner's place is not geocoded yet: the buffer stands for travel.
create function app.public_bookable_windows(p_slug text, p_kind text, p_from date default null)
returns table (window_starts_at timestamptz, window_ends_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
declare
  settings public.online_booking_settings;
begin
  select s.* into settings from public.online_booking_settings s
    join public.tenants t on t.id = s.tenant_id and t.status = 'active'
   where s.slug = p_slug and s.public_page;
  if settings.tenant_id is null then
    return;
  end if;
  return query select * from app.online_windows(settings, null, null, p_kind, p_from);
end
$$;
revoke execute on function app.public_bookable_windows(text, text, date) from public;
grant execute on function app.public_bookable_windows(text, text, date) to plenum_signin;

-- Why: what the public booking page shows of the company: its name, phone, colour and logo,
-- and what can be booked; nothing while the page is off.
create function app.public_booking_page(p_slug text)
returns table (company text, company_phone text, logo_key text, brand_colour text,
               time_zone text, kinds text[], needs_confirmation boolean)
language sql stable security definer set search_path = ''
as $$
  select t.name, t.phone, t.logo_key, t.brand_colour, t.time_zone, s.kinds, s.needs_confirmation
    from public.online_booking_settings s
    join public.tenants t on t.id = s.tenant_id and t.status = 'active'
   where s.slug = p_slug and s.public_page
$$;
revoke execute on function app.public_booking_page(text) from public;
grant execute on function app.public_booking_page(text) to plenum_signin;
