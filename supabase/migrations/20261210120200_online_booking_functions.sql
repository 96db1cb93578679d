-- Booking online: a signed-in homeowner (app.portal_book_visit) or a new one on the public page
-- (app.book_online_as_new_customer) takes one of the windows offered above. The database
-- decides a race for the last free slot: bookings of one company take turns (an advisory lock),
-- each checks afresh that its window is still offered, and the exclusion constraint on
-- visit_assignments stays the last word; the loser gets `online_bookings_window_open`.

-- Why: the one place a booking is made, for both definers below (no grant). The window must be
-- one the company offers now for this kind and place; the visit is scheduled on the first free
-- technician, or, when the company confirms online bookings first, left unscheduled with the
-- requested window for the office (and the homeowner is told it is a request).
create function app.place_online_booking(
  p_settings public.online_booking_settings, p_customer uuid, p_property uuid, p_kind text,
  p_description text, p_starts_at timestamptz, p_source text)
returns public.online_bookings
language plpgsql volatile set search_path = ''
as $$
declare
  tenant uuid := p_settings.tenant_id;
  place public.properties;
  description text := btrim(coalesce(p_description, ''));
  first_day date;
  v_job uuid;
  v_visit uuid;
  v_technician uuid;
  booking public.online_bookings;
begin
  if p_kind is null or not p_kind = any (p_settings.kinds) then
    raise exception 'this kind of visit cannot be booked online'
      using errcode = 'check_violation', constraint = 'online_bookings_kind_offered';
  end if;
  if length(description) not between 1 and 5000 then
    raise exception 'describe the problem'
      using errcode = 'check_violation', constraint = 'online_bookings_description_length';
  end if;
  select * into place from public.properties p where p.tenant_id = tenant and p.id = p_property;
  -- Bookings of one company take turns from here, so each sees the one before it.
  perform pg_advisory_xact_lock(hashtextextended('online booking ' || tenant::text, 0));
  first_day := (p_starts_at at time zone app.company_time_zone(tenant))::date;
  if p_starts_at is null or not exists (
       select from app.online_windows(p_settings, place.latitude, place.longitude, p_kind,
                                      first_day) w
        where w.window_starts_at = p_starts_at) then
    raise exception 'that window is no longer free'
      using errcode = 'check_violation', constraint = 'online_bookings_window_open';
  end if;
  insert into public.jobs (tenant_id, customer_id, property_id, kind, summary, description)
  values (tenant, p_customer, place.id, p_kind,
          left(regexp_replace(split_part(description, E'\n', 1), '\s+', ' ', 'g'), 200),
          description)
  returning id into v_job;
  if p_settings.needs_confirmation then
    insert into public.visits (tenant_id, job_id, status, duration_minutes)
    values (tenant, v_job, 'unscheduled', app.job_minutes(p_kind))
    returning id into v_visit;
  else
    insert into public.visits (tenant_id, job_id, status, window_starts_at, window_ends_at,
                               duration_minutes)
    values (tenant, v_job, 'scheduled', p_starts_at,
            p_starts_at + make_interval(hours => p_settings.window_hours), app.job_minutes(p_kind))
    returning id into v_visit;
    v_technician := app.assign_free_technician(p_settings, v_visit, place.latitude,
                                               place.longitude, p_kind, p_starts_at);
    if v_technician is null then
      raise exception 'that window is no longer free'
        using errcode = 'check_violation', constraint = 'online_bookings_window_open';
    end if;
  end if;
  insert into public.online_bookings (tenant_id, visit_id, job_id, customer_id, source,
                                      requested_starts_at, requested_ends_at, status)
  values (tenant, v_visit, v_job, p_customer, p_source, p_starts_at,
          p_starts_at + make_interval(hours => p_settings.window_hours),
          case when p_settings.needs_confirmation then 'awaiting' else 'booked' end)
  returning * into booking;
  if p_settings.needs_confirmation then
    perform app.queue_booking_request_received(booking);
  end if;
  return booking;
end
$$;
revoke execute on function app.place_online_booking(public.online_booking_settings, uuid, uuid,
  text, text, timestamptz, text) from public;

-- Why: the technician a visit at `p_starts_at` goes to: the first one free then (by the rules
-- of the windows) whose booking the exclusion constraint accepts. Null when nobody is.
create function app.assign_free_technician(
  p_settings public.online_booking_settings, p_visit uuid, p_latitude numeric,
  p_longitude numeric, p_kind text, p_starts_at timestamptz)
returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
  candidate uuid;
begin
  for candidate in
    select c.technician_id
      from app.window_candidates(p_settings.tenant_id, p_latitude, p_longitude, p_kind,
                                 (p_starts_at at time zone
                                   app.company_time_zone(p_settings.tenant_id))::date,
                                 1, p_settings.buffer_minutes, p_settings.window_hours,
                                 now()) c
     where c.starts_at = p_starts_at
     order by c.technician_id
  loop
    begin
      insert into public.visit_assignments (tenant_id, visit_id, technician_id)
      values (p_settings.tenant_id, p_visit, candidate);
      return candidate;
    exception when exclusion_violation then
      -- Booked by someone else since: the next technician, if any.
      null;
    end;
  end loop;
  return null;
end
$$;
revoke execute on function app.assign_free_technician(public.online_booking_settings, uuid,
  numeric, numeric, text, timestamptz) from public;

-- Why: a request the office must confirm is acknowledged at once (the booking confirmation of
-- jobs/notices.py goes when the visit is scheduled, by the office or directly).
create function app.queue_booking_request_received(p_booking public.online_bookings)
returns void
language plpgsql volatile set search_path = ''
as $$
declare
  c public.customers;
  t public.tenants;
  zone text;
begin
  select * into c from public.customers x
   where x.tenant_id = p_booking.tenant_id and x.id = p_booking.customer_id;
  select * into t from public.tenants x where x.id = p_booking.tenant_id;
  zone := coalesce((select p.time_zone from public.jobs j
                      join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
                     where j.tenant_id = p_booking.tenant_id and j.id = p_booking.job_id),
                   t.time_zone);
  if c.phone = '' and c.email = '' then
    return;
  end if;
  insert into public.messages (tenant_id, channel, kind, subject_id, occasion, customer_id,
                               to_address, subject, body)
  values (
    p_booking.tenant_id,
    case when c.phone <> '' and (c.preferred_contact <> 'email' or c.email = '') then 'sms'
         else 'email' end,
    'booking_request', p_booking.visit_id, 'requested',
    p_booking.customer_id,
    case when c.phone <> '' and (c.preferred_contact <> 'email' or c.email = '') then c.phone
         else c.email end,
    t.name || ': we received your booking request',
    t.name || ': we received your request for a visit on '
      || to_char(p_booking.requested_starts_at at time zone zone, 'FMDay FMMonth FMDD, FMHH12:MI am')
      || ' to ' || to_char(p_booking.requested_ends_at at time zone zone, 'FMHH12:MI am')
      || '. We will confirm it shortly.'
      || case when t.phone <> '' then ' Questions? Call ' || t.phone || '.' else '' end)
  on conflict (tenant_id, kind, channel, subject_id, occasion)
    where direction = 'out' and occasion is not null
    do nothing;
end
$$;
revoke execute on function app.queue_booking_request_received(public.online_bookings) from public;

-- Why: a signed-in homeowner books a visit at one of their own places; the customer and company
-- come from the portal session, never from the caller. At most 10 bookings an hour.
create function app.portal_book_visit(p_property uuid, p_kind text, p_description text,
                                      p_window_starts_at timestamptz)
returns table (visit_id uuid, status text, window_starts_at timestamptz,
               window_ends_at timestamptz)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  customer uuid := app.portal_customer_id();
  settings public.online_booking_settings;
  booking public.online_bookings;
begin
  if customer is null or not exists (
       select from public.properties p
        where p.tenant_id = app.portal_tenant_id() and p.id = p_property
          and p.customer_id = customer and p.archived_at is null) then
    raise exception 'no such property' using errcode = 'no_data_found';
  end if;
  select * into settings from public.online_booking_settings s
   where s.tenant_id = app.portal_tenant_id();
  perform iam.check_limit('booking-customer:' || customer::text, interval '1 hour', 10);
  booking := app.place_online_booking(settings, customer, p_property, p_kind, p_description,
                                      p_window_starts_at, 'portal');
  return query select booking.visit_id, booking.status, booking.requested_starts_at,
                      booking.requested_ends_at;
end
$$;
revoke execute on function app.portal_book_visit(uuid, text, text, timestamptz) from public;
grant execute on function app.portal_book_visit(uuid, text, text, timestamptz) to authenticated;

-- Why: a new homeowner books on the company's public page (the token holder's role only). A
-- new customer is always made, marked as a lead from "online booking", with the place given, so
-- the answer is the same whether the phone, email or address is known; nothing of any existing
-- customer is read. Limits: 5 bookings an hour from one address, 60 a company.
create function app.book_online_as_new_customer(
  p_slug text, p_first_name text, p_last_name text, p_phone text, p_email text,
  p_street text, p_unit text, p_city text, p_region text, p_postal_code text, p_kind text,
  p_description text, p_window_starts_at timestamptz)
returns table (status text, window_starts_at timestamptz, window_ends_at timestamptz)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  settings public.online_booking_settings;
  v_customer uuid;
  v_property uuid;
  booking public.online_bookings;
begin
  select s.* into settings from public.online_booking_settings s
    join public.tenants t on t.id = s.tenant_id and t.status = 'active'
   where s.slug = p_slug and s.public_page;
  if settings.tenant_id is null then
    raise exception 'no such booking page' using errcode = 'no_data_found';
  end if;
  perform iam.check_limit('booking-address:' || iam.client_address(), interval '1 hour', 5);
  perform iam.check_limit('booking-company:' || settings.tenant_id::text, interval '1 hour', 60);
  if coalesce(p_phone, '') = '' and coalesce(p_email, '') = '' then
    raise exception 'a phone number or an email address'
      using errcode = 'check_violation', constraint = 'online_bookings_contact_given';
  end if;
  insert into public.customers (tenant_id, first_name, last_name, phone, email,
                                preferred_contact, lead_source, tags)
  values (settings.tenant_id, btrim(coalesce(p_first_name, '')), btrim(coalesce(p_last_name, '')),
          coalesce(p_phone, ''), lower(btrim(coalesce(p_email, ''))),
          case when coalesce(p_phone, '') = '' then 'email' else 'sms' end,
          'online booking', array['online booking', 'lead'])
  returning id into v_customer;
  insert into public.properties (tenant_id, customer_id, street, unit, city, region, postal_code)
  values (settings.tenant_id, v_customer, btrim(coalesce(p_street, '')),
          btrim(coalesce(p_unit, '')), btrim(coalesce(p_city, '')), btrim(coalesce(p_region, '')),
          btrim(coalesce(p_postal_code, '')))
  returning id into v_property;
  booking := app.place_online_booking(settings, v_customer, v_property, p_kind, p_description,
                                      p_window_starts_at, 'public');
  return query select booking.status, booking.requested_starts_at, booking.requested_ends_at;
end
$$;
revoke execute on function app.book_online_as_new_customer(text, text, text, text, text, text,
  text, text, text, text, text, text, timestamptz) from public;
grant execute on function app.book_online_as_new_customer(text, text, text, text, text, text,
  text, text, text, text, text, text, timestamptz) to plenum_signin;

-- Why: the office confirms a booking request: the requested window (or `p_starts_at`, another
-- the office agreed with the homeowner) on the first free technician. Office staff only.
create function app.confirm_online_booking(p_booking uuid, p_starts_at timestamptz default null)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  booking public.online_bookings;
  settings public.online_booking_settings;
  place public.properties;
  kind text;
  starts timestamptz;
  v_technician uuid;
begin
  select * into booking from public.online_bookings b
   where b.tenant_id = app.tenant_id() and b.id = p_booking and b.status = 'awaiting'
   for update;
  if booking.id is null or not app.is_office_staff() then
    raise exception 'no such booking request' using errcode = 'no_data_found';
  end if;
  select * into settings from public.online_booking_settings s where s.tenant_id = booking.tenant_id;
  select j.kind into kind from public.jobs j
   where j.tenant_id = booking.tenant_id and j.id = booking.job_id;
  select p.* into place from public.jobs j
    join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
   where j.tenant_id = booking.tenant_id and j.id = booking.job_id;
  starts := coalesce(p_starts_at, booking.requested_starts_at);
  perform pg_advisory_xact_lock(hashtextextended('online booking ' || booking.tenant_id::text, 0));
  update public.visits v
     set status = 'scheduled', window_starts_at = starts,
         window_ends_at = starts + make_interval(hours => settings.window_hours)
   where v.tenant_id = booking.tenant_id and v.id = booking.visit_id;
  v_technician := app.assign_free_technician(settings, booking.visit_id, place.latitude,
                                             place.longitude, kind, starts);
  if v_technician is null then
    raise exception 'no technician is free then'
      using errcode = 'check_violation', constraint = 'online_bookings_window_open';
  end if;
  update public.online_bookings b
     set status = 'confirmed', decided_at = now()
   where b.tenant_id = booking.tenant_id and b.id = booking.id;
  return v_technician;
end
$$;
revoke execute on function app.confirm_online_booking(uuid, timestamptz) from public;
grant execute on function app.confirm_online_booking(uuid, timestamptz) to authenticated;

-- Why: the office declines a booking request: the visit is canceled with the reason given.
create function app.decline_online_booking(p_booking uuid, p_reason text)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  booking public.online_bookings;
begin
  select * into booking from public.online_bookings b
   where b.tenant_id = app.tenant_id() and b.id = p_booking and b.status = 'awaiting'
   for update;
  if booking.id is null or not app.is_office_staff() then
    raise exception 'no such booking request' using errcode = 'no_data_found';
  end if;
  update public.visits v set status = 'canceled', cancel_reason = btrim(coalesce(p_reason, ''))
   where v.tenant_id = booking.tenant_id and v.id = booking.visit_id;
  update public.online_bookings b
     set status = 'declined', decided_at = now()
   where b.tenant_id = booking.tenant_id and b.id = booking.id;
end
$$;
revoke execute on function app.decline_online_booking(uuid, text) from public;
grant execute on function app.decline_online_booking(uuid, text) to authenticated;
