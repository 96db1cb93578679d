-- Issue 11 review: a booking outside the rules (an emergency's overtime or overflow) is the
-- office's to give, change or take back, and it stands only on an emergency. The first version
-- checked it only when the override itself was set: a job made "normal" afterwards could be
-- moved by hand and keep its overtime, and a technician could clear the reason on their visit.

-- Why: checked whenever the override is given, changed or cleared (by office staff only), and
-- again whenever a visit booked outside the rules moves; unscheduling or canceling ends it.
create or replace function app.visits_booking_override() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  changed boolean;
begin
  if new.status in ('unscheduled', 'canceled') then
    new.booking_override := '';
    new.booking_override_reason := '';
    return new;
  end if;
  if tg_op = 'INSERT' then
    changed := new.booking_override <> '' or new.booking_override_reason <> '';
  else
    changed := new.booking_override is distinct from old.booking_override
      or new.booking_override_reason is distinct from old.booking_override_reason;
  end if;
  if changed and not app.is_office_staff() then
    raise exception 'only office staff may book outside the rules'
      using errcode = 'check_violation', constraint = 'visits_override_office_only';
  end if;
  if new.booking_override <> ''
     and (changed
          or new.window_starts_at is distinct from old.window_starts_at
          or new.window_ends_at is distinct from old.window_ends_at
          or new.duration_minutes is distinct from old.duration_minutes)
     and not exists (select from public.jobs j
                     where j.tenant_id = new.tenant_id and j.id = new.job_id
                       and j.priority = 'emergency') then
    raise exception 'only an emergency may be booked outside the rules'
      using errcode = 'check_violation', constraint = 'visits_override_emergency_only';
  end if;
  return new;
end
$$;

-- Why: the double-booking constraint's index leaves overflow bookings out (it is partial), so a
-- search of a technician's bookings by time (their visits, the conflicts of a new booking) could
-- no longer use it; this one holds every booking.
create index visit_assignments_booked_idx on public.visit_assignments
  using gist (tenant_id, technician_id, booked) where booked is not null;
