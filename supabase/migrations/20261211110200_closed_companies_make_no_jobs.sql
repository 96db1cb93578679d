-- A closed company's maintenance plans make no tune-up jobs (P-11: it is read-only). The jobs
-- worker runs this as service_role, which the read-only trigger lets through (the purge needs
-- that), so the function itself leaves closed companies alone. Otherwise as
-- 20261130090000_scheduling.sql made it.

-- Why: the jobs an agreement's months call for up to a date, each with an unscheduled visit,
-- from the company's current month on, for open companies only. Safe to run any number of
-- times: a month already generated is skipped. Runs as the caller: office staff for one company
-- (p_tenant = their own), the jobs worker as service_role for all.
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
       and exists (select from public.tenants t where t.id = a.tenant_id and t.status = 'active')
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
