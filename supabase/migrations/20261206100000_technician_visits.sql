-- What a technician may see (their visits, and the jobs, customers and properties of those) was
-- computed by app.technician_visit_ids() and the helpers built on it from the assignments, one
-- key probe of visits per assignment (and of jobs per visit for customers and properties). Each
-- policy that names a helper computes it again: "my day" (visits, assignments, jobs, customers,
-- properties) did so five times a statement, ~1,250 buffers and 0.6-2 ms each, plus once more
-- for the recorded read.
--
-- app.technician_visits keeps, for each assignment, what those rules read: the booking, the
-- visit's status, completion time and job, and the job's customer and property. It is kept by
-- triggers, in the same transaction as the change, from the tables themselves (a refresh of the
-- visit's rows, never the trigger's NEW values), so it always says what those tables say. Each
-- helper is then one index range over the technician's recent bookings. The rules themselves
-- (not canceled, completed only within 30 days, booked from 31 days back) are still applied when
-- the helper runs, to the same values: same results, same policies.
--
-- Only the definers read or write the table (RLS on, no grants). Loads that turn triggers off
-- (the benches) call app.technician_visits_rebuild() afterwards.

create table app.technician_visits (
  tenant_id uuid not null,
  visit_id uuid not null,
  technician_id uuid not null,
  booked tstzrange,
  -- upper(booked) as a searchable bound (empty or absent bookings: null, never matched)
  booked_until timestamptz generated always as (
    case when booked is null or isempty(booked) then null
         when upper_inf(booked) then 'infinity'::timestamptz
         else upper(booked) end) stored,
  status text not null,
  completed_at timestamptz,
  job_id uuid not null,
  customer_id uuid not null,
  property_id uuid not null,
  primary key (tenant_id, visit_id, technician_id)
);

alter table app.technician_visits enable row level security;
revoke all on app.technician_visits from anon, authenticated, service_role;

create index technician_visits_booked_idx
  on app.technician_visits (tenant_id, technician_id, booked_until)
  include (visit_id, booked, status, completed_at, job_id, customer_id, property_id);
create index technician_visits_job_idx on app.technician_visits (tenant_id, job_id);

-- The rows of one visit, rebuilt from the assignments, the visit and its job. The visit's row is
-- locked first (as any change of the visit locks it), so two transactions refreshing the same
-- visit take turns, and the second reads what the first committed.
create function app.technician_visits_refresh(p_tenant uuid, p_visit uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform from public.visits v where v.tenant_id = p_tenant and v.id = p_visit
    for no key update;
  delete from app.technician_visits s where s.tenant_id = p_tenant and s.visit_id = p_visit;
  insert into app.technician_visits
    (tenant_id, visit_id, technician_id, booked, status, completed_at, job_id, customer_id,
     property_id)
  select a.tenant_id, a.visit_id, a.technician_id, a.booked, v.status, v.completed_at, v.job_id,
         j.customer_id, j.property_id
    from public.visit_assignments a
    join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
   where a.tenant_id = p_tenant and a.visit_id = p_visit;
end
$$;

create function app.technician_visits_on_assignment() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform app.technician_visits_refresh(old.tenant_id, old.visit_id);
  end if;
  if tg_op = 'INSERT'
     or (tg_op = 'UPDATE' and (new.tenant_id, new.visit_id) <> (old.tenant_id, old.visit_id)) then
    perform app.technician_visits_refresh(new.tenant_id, new.visit_id);
  end if;
  return null;
end
$$;

create trigger technician_visits
  after insert or update or delete on public.visit_assignments
  for each row execute function app.technician_visits_on_assignment();

create function app.technician_visits_on_visit() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform app.technician_visits_refresh(new.tenant_id, new.id);
  return null;
end
$$;

create trigger technician_visits
  after update of status, completed_at, job_id on public.visits
  for each row
  when (old.status is distinct from new.status
        or old.completed_at is distinct from new.completed_at
        or old.job_id is distinct from new.job_id)
  execute function app.technician_visits_on_visit();

create function app.technician_visits_on_job() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_visit uuid;
begin
  for v_visit in
    select v.id from public.visits v where v.tenant_id = new.tenant_id and v.job_id = new.id
  loop
    perform app.technician_visits_refresh(new.tenant_id, v_visit);
  end loop;
  return null;
end
$$;

create trigger technician_visits
  after update of customer_id, property_id on public.jobs
  for each row
  when (old.customer_id is distinct from new.customer_id
        or old.property_id is distinct from new.property_id)
  execute function app.technician_visits_on_job();

revoke execute on function app.technician_visits_refresh(uuid, uuid),
  app.technician_visits_on_assignment(), app.technician_visits_on_visit(),
  app.technician_visits_on_job() from public, anon, authenticated, service_role;

-- Everything, from scratch: after a load with triggers off. The owner's only.
create function app.technician_visits_rebuild() returns void
language sql security invoker set search_path = ''
as $$
  delete from app.technician_visits;
  insert into app.technician_visits
    (tenant_id, visit_id, technician_id, booked, status, completed_at, job_id, customer_id,
     property_id)
  select a.tenant_id, a.visit_id, a.technician_id, a.booked, v.status, v.completed_at, v.job_id,
         j.customer_id, j.property_id
    from public.visit_assignments a
    join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
   order by a.tenant_id, a.technician_id, upper(a.booked);
$$;

revoke execute on function app.technician_visits_rebuild() from public, anon, authenticated,
  service_role;

select app.technician_visits_rebuild();

-- The helpers: the same rules as before, on the kept values.
create or replace function app.technician_visit_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
  since timestamptz := now() - interval '31 days';
begin
  if app.member_role() is distinct from 'technician' then
    return '{}';
  end if;
  return array(
    select s.visit_id from app.technician_visits s
     where s.tenant_id = tenant and s.technician_id = me
       and s.booked_until >= since and s.booked && tstzrange(since, null)
       and s.status <> 'canceled'
       and (s.status <> 'completed' or s.completed_at > now() - interval '30 days')
  );
end
$$;

create or replace function app.technician_job_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
  since timestamptz := now() - interval '31 days';
begin
  if app.member_role() is distinct from 'technician' then
    return '{}';
  end if;
  return array(
    select distinct s.job_id from app.technician_visits s
     where s.tenant_id = tenant and s.technician_id = me
       and s.booked_until >= since and s.booked && tstzrange(since, null)
       and s.status <> 'canceled'
       and (s.status <> 'completed' or s.completed_at > now() - interval '30 days')
  );
end
$$;

create or replace function app.technician_property_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
  since timestamptz := now() - interval '31 days';
begin
  if app.member_role() is distinct from 'technician' then
    return '{}';
  end if;
  return array(
    select distinct s.property_id from app.technician_visits s
     where s.tenant_id = tenant and s.technician_id = me
       and s.booked_until >= since and s.booked && tstzrange(since, null)
       and s.status <> 'canceled'
       and (s.status <> 'completed' or s.completed_at > now() - interval '30 days')
  );
end
$$;

create or replace function app.technician_customer_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
  since timestamptz := now() - interval '31 days';
begin
  if app.member_role() is distinct from 'technician' then
    return '{}';
  end if;
  return array(
    select distinct s.customer_id from app.technician_visits s
     where s.tenant_id = tenant and s.technician_id = me
       and s.booked_until >= since and s.booked && tstzrange(since, null)
       and s.status <> 'canceled'
       and (s.status <> 'completed' or s.completed_at > now() - interval '30 days')
  );
end
$$;
