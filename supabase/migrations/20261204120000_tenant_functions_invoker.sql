-- Issue 10: the scheduling helpers that take a company id were security definers granted to
-- `authenticated`, so any signed-in member could read another company's time zone, working
-- hours and visit times by passing its id. They now run as the caller, so row-level security
-- decides what they see: another company's id gives nothing (null). The booking triggers that
-- call them are security definers owned by the schema's owner, so inside a trigger these
-- functions still see the rows of the row's own company, and the triggers work as before.

-- Why: the company's time zone, for turning local days and hours into instants; null for a
-- company the caller cannot see.
create or replace function app.company_time_zone(p_tenant uuid) returns text
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return (select t.time_zone from public.tenants t where t.id = p_tenant);
end
$$;

-- Why: a technician's working time on a local day, as instants (null on a day off, and for a
-- company or technician whose hours the caller cannot see).
create or replace function app.technician_shift(p_tenant uuid, p_technician uuid, p_day date)
returns tstzrange
language plpgsql stable security invoker set search_path = ''
as $$
declare
  zone text := app.company_time_zone(p_tenant);
  day_start time;
  day_end time;
begin
  if zone is null then
    return null;
  end if;
  if exists (select from public.working_hours h
             where h.tenant_id = p_tenant and h.technician_id = p_technician) then
    select h.starts_at, h.ends_at into day_start, day_end
      from public.working_hours h
     where h.tenant_id = p_tenant and h.technician_id = p_technician
       and h.weekday = extract(isodow from p_day);
  elsif extract(isodow from p_day) between 1 and 5 then
    day_start := time '08:00';
    day_end := time '17:00';
  end if;
  if day_start is null then
    return null;
  end if;
  return tstzrange((p_day + day_start) at time zone zone, (p_day + day_end) at time zone zone, '[)');
end
$$;

-- Why: the time a visit books on its technicians (null while it has no place in the schedule,
-- and for a visit the caller cannot see): the same body, run as the caller.
alter function app.visit_booking(uuid, uuid) security invoker;
