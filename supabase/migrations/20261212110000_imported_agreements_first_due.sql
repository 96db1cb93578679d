-- Issue 16: maintenance plans imported from the system a company leaves. Such a plan started
-- years ago (its `starts_on`, which the portal shows as "since"), and its visits up to now
-- were made in the old system, which says when the next one is due. Tune-up jobs must start
-- from that month, not from the current one: a quarterly plan next due in March makes no
-- December job in Plenum.

-- Why: the month an imported plan's first tune-up in Plenum falls due (its next due date in
-- the old system); null for a plan made in Plenum, whose tune-ups start with the plan.
alter table public.service_agreements add column first_due_on date;

-- Why: as before (tune-ups from the later of the plan's start and this month, up to the
-- horizon and the plan's end, each month once), and not before an imported plan's first due
-- month. Never a month in the past.
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
     cross join lateral generate_series(greatest(date_trunc('month', a.starts_on),
                                                 date_trunc('month', a.first_due_on),
                                                 a.this_month),
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
