-- Scheduling: jobs and their visits, technicians' bookings, working hours and time off, service
-- agreements, notes, photos, signatures and checklists from the field, equipment service
-- history, calendar feeds, and the removal of files whose rows are deleted.
--
-- Times are timestamptz; the company's time zone (tenants.time_zone) turns them into local
-- days and hours, so a visit booked for 9am stays at 9am across a daylight-saving change.

-- Why: the double-booking exclusion constraint mixes equality on uuids with range overlap.
create extension if not exists btree_gist with schema extensions;

-- Why: a job names a property of its customer; this key lets the foreign key say so.
alter table public.properties
  add constraint properties_customer_key unique (tenant_id, customer_id, id);

-- Why: when a technician works, by ISO weekday (1 = Monday) in the company's time zone. A
-- technician without any row works the company default, Monday to Friday, 8am to 5pm.
create table public.working_hours (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  technician_id uuid not null,
  weekday smallint not null constraint working_hours_weekday_range check (weekday between 1 and 7),
  starts_at time not null,
  ends_at time not null,
  constraint working_hours_order check (ends_at > starts_at),
  primary key (tenant_id, id),
  constraint working_hours_one_per_day unique (tenant_id, technician_id, weekday),
  foreign key (tenant_id, technician_id) references public.memberships (tenant_id, account_id)
    on delete cascade
);
revoke all on public.working_hours from anon, authenticated;
grant select, insert, update, delete on public.working_hours to authenticated;

-- Why: vacations, training, appointments: no visit may be booked across them.
create table public.time_off (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  technician_id uuid not null,
  during tstzrange not null constraint time_off_bounded
    check (not isempty(during) and not lower_inf(during) and not upper_inf(during)),
  reason text not null default '' constraint time_off_reason_length check (length(reason) <= 200),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, technician_id) references public.memberships (tenant_id, account_id)
    on delete cascade
);
create index time_off_technician_idx on public.time_off using gist (tenant_id, technician_id, during);
revoke all on public.time_off from anon, authenticated;
grant select, insert, update, delete on public.time_off to authenticated;

-- Why: a maintenance plan on a customer: tune-ups due in the listed months, every year.
create table public.service_agreements (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  property_id uuid not null,
  name text not null constraint service_agreements_name_length
    check (length(btrim(name)) between 1 and 200),
  months smallint[] not null constraint service_agreements_months_check
    check (cardinality(months) between 1 and 12 and months <@ '{1,2,3,4,5,6,7,8,9,10,11,12}'),
  starts_on date not null,
  ends_on date,
  status text not null default 'active' constraint service_agreements_status_check
    check (status in ('active', 'canceled')),
  notes text not null default '' constraint service_agreements_notes_length
    check (length(notes) <= 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint service_agreements_dates_order check (ends_on is null or ends_on >= starts_on),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id, property_id)
    references public.properties (tenant_id, customer_id, id) on delete cascade
);
create index service_agreements_customer_idx on public.service_agreements (tenant_id, customer_id);
revoke all on public.service_agreements from anon, authenticated;
grant select, insert, update, delete on public.service_agreements to authenticated;

-- Why: what the customer needs done at a property. Visits carry the times.
create table public.jobs (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  property_id uuid not null,
  kind text not null constraint jobs_kind_check
    check (kind in ('repair', 'maintenance', 'install', 'estimate')),
  priority text not null default 'normal' constraint jobs_priority_check
    check (priority in ('low', 'normal', 'high', 'emergency')),
  summary text not null constraint jobs_summary_length
    check (length(btrim(summary)) between 1 and 200),
  description text not null default '' constraint jobs_description_length
    check (length(description) <= 5000),
  -- Set on jobs a service agreement generated, with the month they are due.
  agreement_id uuid,
  due_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id, property_id)
    references public.properties (tenant_id, customer_id, id) on delete cascade,
  foreign key (tenant_id, agreement_id) references public.service_agreements (tenant_id, id)
    on delete set null (agreement_id),
  -- Generating twice never makes a second job for the same month.
  constraint jobs_agreement_due_key unique (tenant_id, agreement_id, due_on)
);
create index jobs_customer_idx on public.jobs (tenant_id, customer_id, created_at desc);
create index jobs_property_idx on public.jobs (tenant_id, property_id);
revoke all on public.jobs from anon, authenticated;
grant select, insert, update, delete on public.jobs to authenticated;

-- Why: the equipment a job concerns (the furnace that will not light).
create table public.job_equipment (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  job_id uuid not null,
  equipment_id uuid not null,
  primary key (tenant_id, id),
  constraint job_equipment_once unique (tenant_id, job_id, equipment_id),
  foreign key (tenant_id, job_id) references public.jobs (tenant_id, id) on delete cascade,
  foreign key (tenant_id, equipment_id) references public.equipment (tenant_id, id)
    on delete cascade
);
create index job_equipment_equipment_idx on public.job_equipment (tenant_id, equipment_id);
revoke all on public.job_equipment from anon, authenticated;
grant select, insert, delete on public.job_equipment to authenticated;

-- Why: one trip to the property. The arrival window is what the customer is promised; the
-- technician's time is booked from the window's start for the expected duration.
create table public.visits (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  job_id uuid not null,
  status text not null default 'unscheduled' constraint visits_status_check
    check (status in ('unscheduled', 'scheduled', 'dispatched', 'en_route', 'on_site',
                      'completed', 'canceled')),
  window_starts_at timestamptz,
  window_ends_at timestamptz,
  duration_minutes integer not null default 60 constraint visits_duration_range
    check (duration_minutes between 15 and 720),
  scheduled_at timestamptz,
  dispatched_at timestamptz,
  en_route_at timestamptz,
  arrived_at timestamptz,
  completed_at timestamptz,
  canceled_at timestamptz,
  cancel_reason text not null default '' constraint visits_cancel_reason_length
    check (length(cancel_reason) <= 500),
  completion_notes text not null default '' constraint visits_completion_notes_length
    check (length(completion_notes) <= 5000),
  -- The name the customer gave when signing on completion ('' when nobody signed).
  signed_by text not null default '' constraint visits_signed_by_length
    check (length(signed_by) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint visits_window_pair check ((window_starts_at is null) = (window_ends_at is null)),
  constraint visits_window_order check (window_ends_at >= window_starts_at),
  constraint visits_window_length check (window_ends_at <= window_starts_at + interval '12 hours'),
  constraint visits_scheduled_has_window check (
    status in ('unscheduled', 'canceled') or window_starts_at is not null
  ),
  constraint visits_unscheduled_has_no_window check (
    status <> 'unscheduled' or window_starts_at is null
  ),
  constraint visits_canceled_has_reason check (
    status <> 'canceled' or length(btrim(cancel_reason)) > 0
  ),
  primary key (tenant_id, id),
  foreign key (tenant_id, job_id) references public.jobs (tenant_id, id) on delete cascade
);
create index visits_job_idx on public.visits (tenant_id, job_id);
create index visits_window_idx on public.visits (tenant_id, window_starts_at)
  where window_starts_at is not null;
create index visits_unscheduled_idx on public.visits (tenant_id, created_at)
  where status = 'unscheduled';
revoke all on public.visits from anon, authenticated;
grant select, insert, delete on public.visits to authenticated;
-- Not the status times: the status machine trigger stamps them, and a technician who could
-- write completed_at could keep a finished visit (and its customer) in view for ever.
grant update (status, window_starts_at, window_ends_at, duration_minutes, cancel_reason,
              completion_notes, signed_by) on public.visits to authenticated;

-- Why: who goes. `booked` mirrors the visit's time (null while unscheduled or canceled) so that
-- the exclusion constraint can refuse a technician's overlapping visits, even when two
-- dispatchers book at the same moment.
create table public.visit_assignments (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  technician_id uuid not null,
  booked tstzrange,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint visit_assignments_once unique (tenant_id, visit_id, technician_id),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade,
  foreign key (tenant_id, technician_id) references public.memberships (tenant_id, account_id)
    on delete cascade,
  constraint visit_assignments_no_double_booking exclude using gist (
    tenant_id with =, technician_id with =, booked with &&
  ) where (booked is not null)
);
-- Why: a technician's pages and policies find their visits by technician.
create index visit_assignments_technician_idx
  on public.visit_assignments (tenant_id, technician_id, visit_id);
revoke all on public.visit_assignments from anon, authenticated;
grant select, insert, delete on public.visit_assignments to authenticated;

-- Why: what the technician writes during the visit.
create table public.visit_notes (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  author_id uuid default auth.uid(),
  body text not null constraint visit_notes_body_length
    check (length(btrim(body)) between 1 and 5000),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade
);
create index visit_notes_visit_idx on public.visit_notes (tenant_id, visit_id, created_at);
revoke all on public.visit_notes from anon, authenticated;
grant select, insert, delete on public.visit_notes to authenticated;

-- Why: photos and the customer's signature; the bytes live in the files port under
-- `storage_key`, which starts with the company's id.
create table public.visit_files (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  kind text not null constraint visit_files_kind_check check (kind in ('photo', 'signature')),
  storage_key text not null constraint visit_files_key_in_tenant
    check (storage_key like tenant_id::text || '/%'),
  content_type text not null constraint visit_files_content_type_check
    check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
  byte_size integer not null constraint visit_files_size_range
    check (byte_size between 1 and 10485760),
  uploaded_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint visit_files_storage_key unique (storage_key),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade
);
create index visit_files_visit_idx on public.visit_files (tenant_id, visit_id, created_at);
revoke all on public.visit_files from anon, authenticated;
grant select, insert, delete on public.visit_files to authenticated;

-- Why: the tasks of a maintenance visit, ticked off on site.
create table public.visit_checklist_items (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  position smallint not null,
  label text not null constraint visit_checklist_items_label_length
    check (length(btrim(label)) between 1 and 200),
  done_at timestamptz,
  done_by uuid,
  primary key (tenant_id, id),
  constraint visit_checklist_items_position_key unique (tenant_id, visit_id, position),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade
);
revoke all on public.visit_checklist_items from anon, authenticated;
grant select, insert, delete on public.visit_checklist_items to authenticated;
grant update (done_at, done_by) on public.visit_checklist_items to authenticated;

-- Why: who ticked a checklist item, and when, is the caller and now, whatever the request
-- says. (Without claims, as the owner seeding demo data, rows are written as given.)
create function app.visit_checklist_items_stamp() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if auth.uid() is null then
    return new;
  end if;
  if new.done_at is null then
    new.done_by := null;
  elsif old.done_at is null then
    new.done_at := now();
    new.done_by := auth.uid();
  else
    new.done_at := old.done_at;
    new.done_by := old.done_by;
  end if;
  return new;
end
$$;

create trigger visit_checklist_items_stamp
  before update on public.visit_checklist_items
  for each row execute function app.visit_checklist_items_stamp();


-- Why: an equipment's service history, written when a visit concerning it is completed. It is
-- a copy, so a technician can read the history of the unit in front of them without being
-- able to read other technicians' visits.
create table public.equipment_service_records (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  equipment_id uuid not null,
  visit_id uuid not null,
  serviced_at timestamptz not null,
  job_kind text not null,
  job_summary text not null,
  completion_notes text not null default '',
  technicians text not null default '',
  primary key (tenant_id, id),
  constraint equipment_service_records_once unique (tenant_id, equipment_id, visit_id),
  foreign key (tenant_id, equipment_id) references public.equipment (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade
);
create index equipment_service_records_equipment_idx
  on public.equipment_service_records (tenant_id, equipment_id, serviced_at desc);
revoke all on public.equipment_service_records from anon, authenticated;
grant select on public.equipment_service_records to authenticated;

-- Why: a technician's schedule in their phone's calendar. The URL carries a secret of which
-- only the hash is kept; revoking it ends the feed.
create table public.calendar_feeds (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  technician_id uuid not null,
  token_hash bytea not null constraint calendar_feeds_token_hash_key unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, technician_id) references public.memberships (tenant_id, account_id)
    on delete cascade
);
create unique index calendar_feeds_open_key on public.calendar_feeds (tenant_id, technician_id)
  where revoked_at is null;
revoke all on public.calendar_feeds from anon, authenticated;
grant select, insert, update (revoked_at) on public.calendar_feeds to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Time helpers

-- Why: the company's time zone, for turning local days and hours into instants.
create function app.company_time_zone(p_tenant uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select t.time_zone from public.tenants t where t.id = p_tenant), 'UTC');
end
$$;

-- Why: a technician's working time on a local day, as instants (null on a day off).
create function app.technician_shift(p_tenant uuid, p_technician uuid, p_day date)
returns tstzrange
language plpgsql stable security definer set search_path = ''
as $$
declare
  zone text := app.company_time_zone(p_tenant);
  day_start time;
  day_end time;
begin
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

-- Why: the time a visit books on its technicians (null while it has no place in the schedule).
create function app.visit_booking(p_tenant uuid, p_visit uuid) returns tstzrange
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (
    select tstzrange(v.window_starts_at,
                     v.window_starts_at + make_interval(mins => v.duration_minutes), '[)')
      from public.visits v
     where v.tenant_id = p_tenant and v.id = p_visit
       and v.window_starts_at is not null and v.status not in ('unscheduled', 'canceled')
  );
end
$$;

-- Why: how long each kind of job usually takes, for bookable windows.
create function app.job_minutes(p_kind text) returns integer
language sql immutable set search_path = ''
as $$
  select case p_kind when 'install' then 240 when 'repair' then 90 when 'estimate' then 45
                     else 60 end
$$;

grant execute on function app.company_time_zone(uuid), app.technician_shift(uuid, uuid, date),
  app.visit_booking(uuid, uuid), app.job_minutes(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Bookings

-- Why: an assignment always books the visit's current time, and only inside the technician's
-- working hours, outside their time off, while they are an active member.
create function app.visit_assignments_book() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  zone text;
  shift tstzrange;
begin
  new.booked := app.visit_booking(new.tenant_id, new.visit_id);
  if new.booked is null
     or (tg_op = 'UPDATE' and new.booked is not distinct from old.booked
         and new.technician_id = old.technician_id) then
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
  if shift is null or not shift @> new.booked then
    raise exception 'the visit is outside the technician''s working hours'
      using errcode = 'check_violation', constraint = 'visit_assignments_within_working_hours';
  end if;
  if exists (select from public.time_off o
             where o.tenant_id = new.tenant_id and o.technician_id = new.technician_id
               and o.during && new.booked) then
    raise exception 'the technician has time off then'
      using errcode = 'check_violation', constraint = 'visit_assignments_not_on_time_off';
  end if;
  return new;
end
$$;

create trigger visit_assignments_book
  before insert or update on public.visit_assignments
  for each row execute function app.visit_assignments_book();

-- Why: moving, rescheduling or canceling a visit moves (or frees) its technicians' bookings.
create function app.visits_rebook() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.visit_assignments a
     set booked = app.visit_booking(new.tenant_id, new.id)
   where a.tenant_id = new.tenant_id and a.visit_id = new.id;
  return null;
end
$$;

create trigger visits_rebook
  after update of status, window_starts_at, duration_minutes on public.visits
  for each row
  when (old.window_starts_at is distinct from new.window_starts_at
        or old.duration_minutes is distinct from new.duration_minutes
        or (old.status in ('unscheduled', 'canceled')) <> (new.status in ('unscheduled', 'canceled')))
  execute function app.visits_rebook();

-- ---------------------------------------------------------------------------------------------
-- The visit status machine

-- Why: the one list of allowed status changes, shared by the trigger and the app.
create function app.visit_status_allowed(p_from text, p_to text) returns boolean
language sql immutable set search_path = ''
as $$
  select (p_from, p_to) in (
    ('unscheduled', 'scheduled'),
    ('scheduled', 'unscheduled'), ('scheduled', 'dispatched'), ('scheduled', 'en_route'),
    ('dispatched', 'scheduled'), ('dispatched', 'en_route'),
    ('en_route', 'on_site'),
    ('on_site', 'completed'),
    ('unscheduled', 'canceled'), ('scheduled', 'canceled'), ('dispatched', 'canceled'),
    ('en_route', 'canceled'), ('on_site', 'canceled')
  )
$$;
grant execute on function app.visit_status_allowed(text, text) to authenticated, service_role;

-- Why: illegal status changes are refused whoever writes; each status stamps its time; an
-- unscheduled visit has no window; a visit is dispatched or started only with a technician on
-- it; once completed or canceled, what the customer signed and why it was canceled do not
-- change; a technician may only move their own visit along (writing the completion notes and
-- the signer's name as they complete it), never reschedule or reassign it.
create function app.visits_status_machine() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  completing boolean;
begin
  if tg_op = 'INSERT' then
    if new.status not in ('unscheduled', 'scheduled') then
      raise exception 'a new visit is unscheduled or scheduled'
        using errcode = 'check_violation', constraint = 'visits_status_transition';
    end if;
    if new.status = 'scheduled' then
      new.scheduled_at := now();
    end if;
    return new;
  end if;
  completing := old.status = 'on_site' and new.status = 'completed';
  if old.status in ('completed', 'canceled') and new.status = old.status and (
       new.completion_notes <> old.completion_notes or new.signed_by <> old.signed_by
       or new.cancel_reason <> old.cancel_reason) then
    raise exception 'a finished visit cannot be changed'
      using errcode = 'check_violation', constraint = 'visits_finished_is_final';
  end if;
  if app.member_role() = 'technician' and (
       new.job_id <> old.job_id
       or new.window_starts_at is distinct from old.window_starts_at
       or new.window_ends_at is distinct from old.window_ends_at
       or new.duration_minutes <> old.duration_minutes
       or new.status not in ('en_route', 'on_site', 'completed')
       or new.cancel_reason <> old.cancel_reason
       or (not completing and (new.completion_notes <> old.completion_notes
                               or new.signed_by <> old.signed_by))) then
    raise exception 'technicians can only move their visit along'
      using errcode = 'insufficient_privilege', constraint = 'visits_technician_progress_only';
  end if;
  if new.status is distinct from old.status then
    if not app.visit_status_allowed(old.status, new.status) then
      raise exception 'a visit cannot go from % to %', old.status, new.status
        using errcode = 'check_violation', constraint = 'visits_status_transition';
    end if;
    if new.status in ('dispatched', 'en_route') and not exists (
         select from public.visit_assignments a
         where a.tenant_id = new.tenant_id and a.visit_id = new.id) then
      raise exception 'a visit needs a technician before it is dispatched'
        using errcode = 'check_violation', constraint = 'visits_dispatch_needs_technician';
    end if;
    case new.status
      when 'unscheduled' then
        new.window_starts_at := null;
        new.window_ends_at := null;
      when 'scheduled' then new.scheduled_at := now();
      when 'dispatched' then new.dispatched_at := now();
      when 'en_route' then new.en_route_at := now();
      when 'on_site' then new.arrived_at := now();
      when 'completed' then new.completed_at := now();
      when 'canceled' then new.canceled_at := now();
    end case;
  elsif old.status in ('en_route', 'on_site', 'completed', 'canceled') and (
       new.window_starts_at is distinct from old.window_starts_at
       or new.duration_minutes <> old.duration_minutes) then
    raise exception 'a visit under way or finished cannot be rescheduled'
      using errcode = 'check_violation', constraint = 'visits_status_transition';
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger visits_status_machine
  before insert or update on public.visits
  for each row execute function app.visits_status_machine();

-- ---------------------------------------------------------------------------------------------
-- Maintenance checklists and equipment history

-- Why: the tasks of a tune-up, by season: cooling in spring and summer, heating otherwise.
create function app.maintenance_tasks(p_month integer) returns text[]
language sql immutable set search_path = ''
as $$
  select case when p_month between 3 and 8 then array[
    'Replace or clean the air filter',
    'Clean the condenser coil',
    'Check refrigerant pressures',
    'Test capacitors and contactor',
    'Clear the condensate drain',
    'Measure the temperature split',
    'Check thermostat operation'
  ] else array[
    'Replace or clean the air filter',
    'Inspect the heat exchanger',
    'Test the flame sensor and igniter',
    'Check gas pressure',
    'Test carbon monoxide levels',
    'Check the blower motor and belt',
    'Check thermostat operation'
  ] end
$$;
grant execute on function app.maintenance_tasks(integer) to authenticated, service_role;

-- Why: every visit of a maintenance job starts with the season's checklist.
create function app.visits_add_checklist() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  month integer;
begin
  if not exists (select from public.jobs j
                 where j.tenant_id = new.tenant_id and j.id = new.job_id
                   and j.kind = 'maintenance') then
    return null;
  end if;
  month := extract(month from coalesce(
    (select j.due_on from public.jobs j where j.tenant_id = new.tenant_id and j.id = new.job_id),
    (coalesce(new.window_starts_at, now()) at time zone app.company_time_zone(new.tenant_id))::date
  ));
  insert into public.visit_checklist_items (tenant_id, visit_id, position, label)
  select new.tenant_id, new.id, t.position, t.label
    from unnest(app.maintenance_tasks(month)) with ordinality as t(label, position);
  return null;
end
$$;

create trigger visits_add_checklist
  after insert on public.visits
  for each row execute function app.visits_add_checklist();

-- Why: a completed visit enters the history of each piece of equipment its job concerned.
create function app.visits_record_service() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.equipment_service_records
    (tenant_id, equipment_id, visit_id, serviced_at, job_kind, job_summary, completion_notes,
     technicians)
  select new.tenant_id, je.equipment_id, new.id, new.completed_at, j.kind, j.summary,
         new.completion_notes,
         coalesce((select string_agg(m.full_name, ', ' order by m.full_name)
                     from public.visit_assignments a
                     join public.memberships m
                       on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
                    where a.tenant_id = new.tenant_id and a.visit_id = new.id), '')
    from public.job_equipment je
    join public.jobs j on j.tenant_id = je.tenant_id and j.id = je.job_id
   where je.tenant_id = new.tenant_id and je.job_id = new.job_id
  on conflict (tenant_id, equipment_id, visit_id) do nothing;
  return null;
end
$$;

create trigger visits_record_service
  after update of status on public.visits
  for each row when (new.status = 'completed' and old.status <> 'completed')
  execute function app.visits_record_service();

-- ---------------------------------------------------------------------------------------------
-- What a technician may see (P-02): their own visits booked from 31 days back that are open or
-- ended within 30 days, and the jobs, customers, properties and equipment of those visits. Each
-- helper returns an array once per statement; policies compare ids against it. The caller's
-- company and account are read into variables first, so that they are looked up once per call,
-- not once per row.

create function app.technician_visit_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
begin
  if app.member_role() is distinct from 'technician' then
    return '{}';
  end if;
  return array(
    select v.id
      from public.visit_assignments a
      join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
     where a.tenant_id = tenant and a.technician_id = me
       -- Only bookings from 31 days back are read (the exclusion constraint's index finds
       -- them): a year of history would otherwise make a long array compared on every row.
       and a.booked && tstzrange(now() - interval '31 days', null)
       and v.status <> 'canceled'
       and (v.status <> 'completed' or v.completed_at > now() - interval '30 days')
  );
end
$$;

create function app.technician_job_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  visits uuid[] := app.technician_visit_ids();
begin
  return array(
    select distinct v.job_id from public.visits v
     where v.tenant_id = tenant and v.id = any (visits)
  );
end
$$;

create function app.technician_property_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  jobs uuid[] := app.technician_job_ids();
begin
  return array(
    select distinct j.property_id from public.jobs j
     where j.tenant_id = tenant and j.id = any (jobs)
  );
end
$$;

create function app.technician_customer_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  jobs uuid[] := app.technician_job_ids();
begin
  return array(
    select distinct j.customer_id from public.jobs j
     where j.tenant_id = tenant and j.id = any (jobs)
  );
end
$$;

grant execute on function app.technician_visit_ids(), app.technician_job_ids(),
  app.technician_property_ids(), app.technician_customer_ids() to authenticated;

-- Why: customer search follows the customers select policy, which now includes technicians'
-- customers. Keep in step with supabase/policies/customers.sql.
create or replace function app.customer_ids_matching(
  p_text text, p_digits text, p_address text, p_limit integer
) returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select matched.id from (
    select c.id from public.customers c
    where c.tenant_id = (select app.tenant_id())
      and ((select app.has_role('owner', 'admin', 'dispatcher', 'office'))
           or c.id = any ((select app.technician_customer_ids())::uuid[]))
      and (c.search_text ilike p_text or c.search_text ilike p_digits)
    union all
    select pr.customer_id from public.properties pr
    where pr.tenant_id = (select app.tenant_id())
      and ((select app.has_role('owner', 'admin', 'dispatcher', 'office'))
           or pr.id = any ((select app.technician_property_ids())::uuid[]))
      and pr.search_text ilike p_address
    union all
    select ct.customer_id from public.customer_contacts ct
    where ct.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and (ct.full_name || ' ' || ct.email || ' ' || regexp_replace(ct.phone, '[^0-9]', '', 'g'))
          ilike any (array[p_text, p_digits])
    limit p_limit
  ) matched
$$;

-- ---------------------------------------------------------------------------------------------
-- Booking capacity

-- Why: the arrival windows that can still be booked for a job of a kind at a property over the
-- next days: a window is offered when at least one technician works then, has no time off, and
-- has no visit within the travel buffer before or after. Runs as the caller, so it sees only
-- what the caller's policies allow (office roles see the whole schedule).
create function app.bookable_windows(
  p_property uuid, p_kind text, p_days integer default 14, p_buffer_minutes integer default 30,
  p_window_hours integer default 2, p_from date default null
) returns table (window_starts_at timestamptz, window_ends_at timestamptz, technicians integer)
language plpgsql stable set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  zone text := app.company_time_zone(app.tenant_id());
  minutes integer := app.job_minutes(p_kind);
  first_day date;
begin
  if p_kind not in ('repair', 'maintenance', 'install', 'estimate') then
    raise exception 'unknown job kind %', p_kind using errcode = 'invalid_parameter_value';
  end if;
  if p_days not between 1 and 60 or p_buffer_minutes not between 0 and 240
     or p_window_hours not between 1 and 8 then
    raise exception 'days 1-60, buffer 0-240 minutes, windows 1-8 hours'
      using errcode = 'invalid_parameter_value';
  end if;
  if not exists (select from public.properties p where p.tenant_id = tenant and p.id = p_property) then
    raise exception 'no such property' using errcode = 'no_data_found';
  end if;
  first_day := coalesce(p_from, (now() at time zone zone)::date);
  return query
  with shifts as (
    select m.account_id as technician, app.technician_shift(tenant, m.account_id, d::date) as shift
      from public.memberships m
     cross join generate_series(first_day, first_day + p_days - 1, interval '1 day') d
     where m.tenant_id = tenant and m.role = 'technician' and m.status = 'active'
  ), starts as (
    select s.technician, s.shift, g as starts_at
      from shifts s
     cross join lateral generate_series(lower(s.shift),
                                        upper(s.shift) - make_interval(mins => minutes),
                                        make_interval(hours => p_window_hours)) g
     where s.shift is not null
  ), free as (
    select st.technician, st.starts_at from starts st
     where st.starts_at > now()
       and not exists (
         select from public.visit_assignments a
          where a.tenant_id = tenant and a.technician_id = st.technician
            and a.booked && tstzrange(st.starts_at - make_interval(mins => p_buffer_minutes),
                                      st.starts_at + make_interval(mins => minutes + p_buffer_minutes)))
       and not exists (
         select from public.time_off o
          where o.tenant_id = tenant and o.technician_id = st.technician
            and o.during && tstzrange(st.starts_at, st.starts_at + make_interval(mins => minutes)))
  )
  select f.starts_at, f.starts_at + make_interval(hours => p_window_hours), count(*)::integer
    from free f
   group by f.starts_at
   order by f.starts_at;
end
$$;
grant execute on function app.bookable_windows(uuid, text, integer, integer, integer, date)
  to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Service agreements generate their maintenance jobs

-- Why: the jobs an agreement's months call for up to a date, each with an unscheduled visit,
-- from the company's current month on (a plan entered today that started in 2019 must not fill
-- the queue with years of overdue tune-ups). Safe to run any number of times: a month already
-- generated is skipped. Runs as the caller:
-- office staff for one company (p_tenant = their own), the jobs worker as service_role for all.
create function app.generate_maintenance_jobs(p_tenant uuid, p_until date)
returns integer
language plpgsql set search_path = ''
as $$
declare
  made integer;
begin
  with plans as (
    select a.*, date_trunc('month', (now() at time zone app.company_time_zone(a.tenant_id)))
                  as this_month
      from public.service_agreements a
     where (p_tenant is null or a.tenant_id = p_tenant) and a.status = 'active'
  ), due as (
    select a.tenant_id, a.id as agreement_id, a.customer_id, a.property_id, a.name,
           make_date(extract(year from d)::integer, extract(month from d)::integer, 1) as due_on
      from plans a
     cross join lateral generate_series(greatest(date_trunc('month', a.starts_on), a.this_month),
                                        date_trunc('month', least(p_until, coalesce(a.ends_on, p_until))),
                                        interval '1 month') d
     where extract(month from d)::smallint = any (a.months)
  ), made_jobs as (
    insert into public.jobs (tenant_id, customer_id, property_id, kind, priority, summary,
                             agreement_id, due_on)
    select due.tenant_id, due.customer_id, due.property_id, 'maintenance', 'normal',
           case when extract(month from due.due_on) between 3 and 8 then 'Cooling tune-up'
                else 'Heating tune-up' end || ' (' || due.name || ')',
           due.agreement_id, due.due_on
      from due
    on conflict (tenant_id, agreement_id, due_on) do nothing
    returning tenant_id, id
  )
  insert into public.visits (tenant_id, job_id, duration_minutes)
  select made_jobs.tenant_id, made_jobs.id, app.job_minutes('maintenance') from made_jobs;
  get diagnostics made = row_count;
  return made;
end
$$;
grant execute on function app.generate_maintenance_jobs(uuid, date) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Calendar feeds

-- Why: the feed URL is the only credential, so the read happens here: the hash must match an
-- open feed of an active member, and only that technician's visits from 30 days back to 90
-- ahead come out, with the job's kind, the city and the times: no street, name, phone or free
-- text, since the feed lives in a calendar provider's cloud.
create function app.calendar_feed_visits(p_token_hash bytea)
returns table (visit_id uuid, status text, window_starts_at timestamptz,
               window_ends_at timestamptz, duration_minutes integer, job_kind text,
               city text, updated_at timestamptz, time_zone text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes, j.kind,
         p.city, v.updated_at, t.time_zone
    from public.calendar_feeds f
    join public.memberships m
      on m.tenant_id = f.tenant_id and m.account_id = f.technician_id and m.status = 'active'
    join public.tenants t on t.id = f.tenant_id and t.status = 'active'
    join public.visit_assignments a
      on a.tenant_id = f.tenant_id and a.technician_id = f.technician_id
    join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
    join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
   where f.token_hash = p_token_hash and f.revoked_at is null
     and v.status <> 'canceled' and v.window_starts_at is not null
     and v.window_starts_at between now() - interval '30 days' and now() + interval '90 days'
   order by v.window_starts_at;
end
$$;
grant execute on function app.calendar_feed_visits(bytea) to anon, authenticated;

-- Why: an open feed with no visits in its window is an empty calendar, not an unknown link.
create function app.calendar_feed_is_open(p_token_hash bytea) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from public.calendar_feeds f
    join public.memberships m
      on m.tenant_id = f.tenant_id and m.account_id = f.technician_id and m.status = 'active'
    join public.tenants t on t.id = f.tenant_id and t.status = 'active'
    where f.token_hash = p_token_hash and f.revoked_at is null
  )
$$;
grant execute on function app.calendar_feed_is_open(bytea) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Files

-- Why: deleting a visit's photo or signature row (directly, or with its customer, property or
-- company) must also remove the file (P-10). The key is queued here, in the same transaction,
-- and the `discarded_files` job deletes it from the files port.
create table app.discarded_files (
  storage_key text primary key,
  discarded_at timestamptz not null default now()
);
alter table app.discarded_files enable row level security;
revoke all on app.discarded_files from anon, authenticated;
grant select, delete on app.discarded_files to service_role;

create function app.visit_files_discard() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into app.discarded_files (storage_key) values (old.storage_key)
  on conflict (storage_key) do nothing;
  return null;
end
$$;

create trigger visit_files_discard
  after delete on public.visit_files
  for each row execute function app.visit_files_discard();
