-- Three changes to what 20261206100000_technician_visits and 20261206130000_recorded_reads_cheaper
-- made, found by measuring and review after they landed:
-- - a job stays with the customer and property it was made for (refused in the database):
--   app.technician_visits then never needs refreshing on a job's change, which could race with
--   a visit added to the job at the same moment (neither transaction sees the other's row);
-- - the technician's helpers are the rules written once: app.technician_seen() gives the four id
--   sets of one pass, and the id lists keep repeats (sorting them out in each of a statement's
--   five calls cost more than the longer lists);
-- - a recorded read keeps its ids only in a list's entry, the one kind whose ids the check found
--   readable (beside a single row's key they could name any row, of any company).

drop trigger technician_visits on public.jobs;
drop function app.technician_visits_on_job();

-- A job's customer and property are kept, not refreshed: they are fixed once the job exists (the
-- app never moves a job, and its visits, photos and signatures belong to that house). A refresh
-- on a job's change would race with a visit added to the job at the same moment (neither
-- transaction sees the other's row), so the change is refused instead.
create function app.jobs_stay_where_they_are() returns trigger
language plpgsql set search_path = ''
as $$
begin
  raise exception 'a job stays with the customer and property it was made for'
    using errcode = 'check_violation', constraint = 'jobs_stay_where_they_are';
end
$$;

create trigger jobs_stay_where_they_are
  before update of customer_id, property_id on public.jobs
  for each row
  when (old.customer_id is distinct from new.customer_id
        or old.property_id is distinct from new.property_id)
  execute function app.jobs_stay_where_they_are();

revoke execute on function app.jobs_stay_where_they_are()
  from public, anon, authenticated, service_role;

-- The helpers: the same rules as before, on the kept values, written once. app.technician_seen()
-- gives the four id sets of one pass over the technician's recent bookings; each helper (one
-- initplan per policy that names it) takes its own.
create function app.technician_seen(
  out visit_ids uuid[], out job_ids uuid[], out property_ids uuid[], out customer_ids uuid[]
)
language plpgsql stable security definer set search_path = ''
as $$
declare
  tenant uuid := app.tenant_id();
  me uuid := auth.uid();
  since timestamptz := now() - interval '31 days';
begin
  visit_ids := '{}';
  job_ids := '{}';
  property_ids := '{}';
  customer_ids := '{}';
  if app.member_role() is distinct from 'technician' then
    return;
  end if;
  -- (a job, property or customer of several visits is listed once per visit: `= any` does not
  -- mind, and sorting out repeats in each of the five calls a statement makes cost more)
  select coalesce(array_agg(s.visit_id), '{}'), coalesce(array_agg(s.job_id), '{}'),
         coalesce(array_agg(s.property_id), '{}'), coalesce(array_agg(s.customer_id), '{}')
    into visit_ids, job_ids, property_ids, customer_ids
    from app.technician_visits s
   where s.tenant_id = tenant and s.technician_id = me
     and s.booked_until >= since and s.booked && tstzrange(since, null)
     and s.status <> 'canceled'
     and (s.status <> 'completed' or s.completed_at > now() - interval '30 days');
end
$$;

revoke execute on function app.technician_seen() from public, anon, authenticated, service_role;

create or replace function app.technician_visit_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.technician_seen()).visit_ids; end $$;

create or replace function app.technician_job_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.technician_seen()).job_ids; end $$;

create or replace function app.technician_property_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.technician_seen()).property_ids; end $$;

create or replace function app.technician_customer_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.technician_seen()).customer_ids; end $$;

create or replace function audit.access_requests_record() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null then
    raise exception 'access can only be recorded within a company'
      using errcode = 'insufficient_privilege';
  end if;
  -- Only what says which view and which rows: no free text (a search term names a person, and
  -- access entries are not sealed, so erasure could not reach it). The ids are kept only for a
  -- list (whose every id the check above found readable) and when every one is a key's text:
  -- the array's text is `["…", "…"]`, matched in one pass.
  perform audit.append(v_tenant, new.table_name, new.row_key, 'access', null, (
    select coalesce(jsonb_object_agg(d.key, d.value), '{}')
    from jsonb_each(new.details) d
    where (d.key = 'rows' and jsonb_typeof(d.value) = 'number')
       or (d.key = 'ids' and new.row_key = 'list' and jsonb_typeof(d.value) = 'array'
           and d.value::text ~ '^\[("[0-9a-f-]{36}"(, "[0-9a-f-]{36}")*)?\]$')
       or (d.key in ('view', 'format', 'shown_in') and jsonb_typeof(d.value) = 'string'
           and d.value #>> '{}' ~ '^[a-z][a-z -]{0,40}$')));
  delete from audit.access_requests r where r.id = new.id;
  return null;
end
$$;
