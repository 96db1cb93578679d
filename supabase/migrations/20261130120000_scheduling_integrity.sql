-- Scheduling integrity, from review: a finished visit is final, a visit is dispatched only to
-- someone, the calendar feed carries no free text, plans do not generate the past, and files
-- of deleted rows are queued for removal from the files port.

-- Why: once completed or canceled, what the customer signed and why a visit was canceled do
-- not change, whoever asks; a technician writes the completion notes and the signer's name
-- only when completing; a visit is dispatched or started only with a technician on it.
create or replace function app.visits_status_machine() returns trigger
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

-- Why: job summaries are free text ("Mrs Jones, no heat") and the feed lives in a calendar
-- provider's cloud: it now carries the kind, the city and the times only.
drop function app.calendar_feed_visits(bytea);
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

-- Why: a plan entered today that started in 2019 must not fill the queue with seven years of
-- overdue tune-ups: generation starts with the company's current month.
create or replace function app.generate_maintenance_jobs(p_tenant uuid, p_until date)
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
