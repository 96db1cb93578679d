-- Issue 11: an emergency that finds no free window today may still be booked by the office,
-- outside a technician's working hours (overtime) or over another booking (overflow), with a
-- stated reason. The override is part of the visit's row, so the audit trigger records who
-- booked it, when, and why. Only office roles may set it, and only on an emergency job;
-- a technician never can. Time off is never overridden: a technician on leave is not called in.

-- Why: the override of the visit's current booking ('' for a booking by the usual rules) and
-- the reason given for it; cleared when the visit is booked again by the rules or unscheduled.
alter table public.visits
  add column booking_override text not null default ''
    constraint visits_booking_override_check check (booking_override in ('', 'overtime', 'overflow')),
  add column booking_override_reason text not null default ''
    constraint visits_booking_override_reason_length check (length(booking_override_reason) <= 500),
  add constraint visits_booking_override_reason_required check (
    booking_override = '' or length(btrim(booking_override_reason)) > 0
  );
grant update (booking_override, booking_override_reason) on public.visits to authenticated;
-- Why: the reason is free text that may name the homeowner ("baby at home"): recorded sealed
-- under the homeowner's key, like a cancel reason (`flask db up` re-attaches the trigger).
insert into audit.personal_columns (table_name, column_name)
values ('public.visits', 'booking_override_reason');

-- Why: an assignment of an overflow booking may overlap the technician's other visits, so the
-- exclusion constraint leaves it out; the booking trigger below still refuses an ordinary
-- booking over it, so only the visit that was overridden overlaps.
alter table public.visit_assignments
  add column overflow boolean not null default false;
alter table public.visit_assignments drop constraint visit_assignments_no_double_booking;
alter table public.visit_assignments
  add constraint visit_assignments_no_double_booking exclude using gist (
    tenant_id with =, technician_id with =, booked with &&
  ) where (booked is not null and not overflow);

-- Why: who may override a booking and when: office roles, on an emergency job, with a reason
-- (the check constraint); unscheduling a visit ends its override.
create function app.visits_booking_override() returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if new.status in ('unscheduled', 'canceled') then
    new.booking_override := '';
    new.booking_override_reason := '';
  end if;
  if new.booking_override = ''
     or (tg_op = 'UPDATE' and new.booking_override = old.booking_override
         and new.booking_override_reason = old.booking_override_reason) then
    return new;
  end if;
  if not app.has_role('owner', 'admin', 'dispatcher', 'office') then
    raise exception 'only office staff may book outside the rules'
      using errcode = 'check_violation', constraint = 'visits_override_office_only';
  end if;
  if not exists (select from public.jobs j
                 where j.tenant_id = new.tenant_id and j.id = new.job_id
                   and j.priority = 'emergency') then
    raise exception 'only an emergency may be booked outside the rules'
      using errcode = 'check_violation', constraint = 'visits_override_emergency_only';
  end if;
  return new;
end
$$;

create trigger visits_booking_override
  before insert or update on public.visits
  for each row execute function app.visits_booking_override();

-- Why: an assignment always books the visit's current time, and only inside the technician's
-- working hours (unless the visit is booked as overtime), outside their time off, while they
-- are an active member, and not over another visit (unless it is booked as overflow: then the
-- exclusion constraint leaves it out, and an ordinary booking may not overlap it either).
create or replace function app.visit_assignments_book() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  zone text;
  shift tstzrange;
  override text;
begin
  new.booked := app.visit_booking(new.tenant_id, new.visit_id);
  select v.booking_override into override
    from public.visits v where v.tenant_id = new.tenant_id and v.id = new.visit_id;
  new.overflow := new.booked is not null and override = 'overflow';
  if new.booked is null
     or (tg_op = 'UPDATE' and new.booked is not distinct from old.booked
         and new.technician_id = old.technician_id and new.overflow = old.overflow) then
    return new;
  end if;
  if not exists (select from public.memberships m
                 where m.tenant_id = new.tenant_id and m.account_id = new.technician_id
                   and m.status = 'active') then
    raise exception 'only active members can be booked'
      using errcode = 'check_violation', constraint = 'visit_assignments_active_member';
  end if;
  zone := app.company_time_zone(new.tenant_id);
  shift := app.technician_shift(new.tenant_id, new.technician_id,
                                (lower(new.booked) at time zone zone)::date);
  if (shift is null or not shift @> new.booked) and override is distinct from 'overtime' then
    raise exception 'the visit is outside the technician''s working hours'
      using errcode = 'check_violation', constraint = 'visit_assignments_within_working_hours';
  end if;
  if exists (select from public.time_off o
             where o.tenant_id = new.tenant_id and o.technician_id = new.technician_id
               and o.during && new.booked) then
    raise exception 'the technician has time off then'
      using errcode = 'check_violation', constraint = 'visit_assignments_not_on_time_off';
  end if;
  if not new.overflow and exists (
       select from public.visit_assignments a
        where a.tenant_id = new.tenant_id and a.technician_id = new.technician_id
          and a.overflow and a.booked && new.booked and a.id <> new.id) then
    raise exception 'the technician is booked as overflow then'
      using errcode = 'exclusion_violation', constraint = 'visit_assignments_no_double_booking';
  end if;
  return new;
end
$$;
