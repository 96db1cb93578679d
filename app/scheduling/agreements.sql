-- name: customer_properties
-- The properties a plan can cover: not archived ones.
select id, label, street, unit, city
from public.properties
where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s and archived_at is null
order by created_at, id

-- name: create_agreement
-- The property must be the customer's: the composite foreign key says so too.
insert into public.service_agreements
  (tenant_id, customer_id, property_id, name, months, starts_on, ends_on, notes)
select p.tenant_id, p.customer_id, p.id, %(name)s, %(months)s::smallint[], %(starts_on)s,
       %(ends_on)s, %(notes)s
from public.properties p
where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s and p.id = %(property_id)s
returning id

-- name: generate_jobs
-- The plan's tune-ups due within the horizon become jobs now; months already made are skipped.
select app.generate_maintenance_jobs(%(tenant_id)s, current_date + %(days_ahead)s::integer) as made

-- name: agreement
select a.id, a.customer_id, a.property_id, a.name, a.months, a.starts_on, a.ends_on, a.status,
       a.notes, a.created_at, c.display_name as customer_name,
       p.label, p.street, p.unit, p.city
from public.service_agreements a
join public.customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id
join public.properties p on p.tenant_id = a.tenant_id and p.id = a.property_id
where a.tenant_id = %(tenant_id)s and a.id = %(id)s

-- name: agreement_jobs
select j.id, j.due_on, j.summary,
       coalesce(array(
         select v.status from public.visits v
         where v.tenant_id = j.tenant_id and v.job_id = j.id
         order by v.created_at, v.id
       ), '{}') as statuses,
       (select min(v.window_starts_at) from public.visits v
         where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled'
       ) as window_starts_at
from public.jobs j
where j.tenant_id = %(tenant_id)s and j.agreement_id = %(id)s
order by j.due_on desc, j.id

-- name: cancel_agreement
-- Ending a plan, active or paused.
update public.service_agreements
   set status = 'canceled', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('active', 'paused')
returning id

-- name: set_agreement_status
-- Pausing an active plan or resuming a paused one (`from_status` guards against a change made
-- meanwhile, and an ended plan stays ended).
update public.service_agreements
   set status = %(to_status)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = %(from_status)s
returning id

-- name: update_agreement
-- The property must be the customer's: the composite foreign key says so too. An ended plan
-- is not changed.
update public.service_agreements a
   set name = %(name)s, property_id = p.id, months = %(months)s::smallint[],
       starts_on = %(starts_on)s, ends_on = %(ends_on)s, notes = %(notes)s, updated_at = now()
  from public.properties p
 where a.tenant_id = %(tenant_id)s and a.id = %(id)s and a.status <> 'canceled'
   and p.tenant_id = a.tenant_id and p.customer_id = a.customer_id and p.id = %(property_id)s
returning a.id

-- name: cancel_unscheduled_visits
-- Visits not yet booked have nothing promised to the customer; booked ones are left for the
-- office to call about.
update public.visits v
   set status = 'canceled', cancel_reason = %(reason)s
  from public.jobs j
 where j.tenant_id = %(tenant_id)s and j.agreement_id = %(id)s
   and v.tenant_id = j.tenant_id and v.job_id = j.id and v.status = 'unscheduled'
returning v.id

-- name: customer_agreements
select a.id, a.name, a.months, a.status, a.starts_on, a.ends_on,
       p.label, p.street, p.unit, p.city
from public.service_agreements a
join public.properties p on p.tenant_id = a.tenant_id and p.id = a.property_id
where a.tenant_id = %(tenant_id)s and a.customer_id = %(customer_id)s
order by a.status, a.created_at, a.id

-- name: due_jobs
-- Generated tune-ups still open (none of their visits completed, not all canceled) whose
-- month has begun or begins within the horizon, oldest first. A job is due in its month:
-- one due before this month is overdue.
select j.id, j.due_on, j.summary, j.agreement_id, a.name as agreement_name,
       c.id as customer_id, c.display_name as customer_name,
       (select v.status from public.visits v
         where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled'
         order by v.created_at desc, v.id desc limit 1) as status,
       (select min(v.window_starts_at) from public.visits v
         where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled'
       ) as window_starts_at
from public.jobs j
join public.service_agreements a on a.tenant_id = j.tenant_id and a.id = j.agreement_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
where j.tenant_id = %(tenant_id)s and j.agreement_id is not null
  and j.due_on <= %(until)s
  and not exists (select from public.visits v
                  where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status = 'completed')
  and exists (select from public.visits v
              where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled')
order by j.due_on, c.display_name, j.id
limit %(limit)s

-- name: count_agreements
select count(*) from public.service_agreements where tenant_id = %(tenant_id)s

-- name: list_agreements
-- Each plan with its next open tune-up job, or else the next month a tune-up falls due that
-- has no job yet (jobs are made 60 days ahead).
select a.id, a.name, a.months, a.status, a.customer_id, c.display_name as customer_name,
       p.label, p.street, p.unit, p.city,
       open_job.id as job_id, open_job.due_on, open_job.status as job_status,
       upcoming.due_on as upcoming_on
from public.service_agreements a
join public.customers c on c.tenant_id = a.tenant_id and c.id = a.customer_id
join public.properties p on p.tenant_id = a.tenant_id and p.id = a.property_id
left join lateral (
  select j.id, j.due_on,
         (select v.status from public.visits v
           where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled'
           order by v.created_at desc, v.id desc limit 1) as status
  from public.jobs j
  where j.tenant_id = a.tenant_id and j.agreement_id = a.id
    and not exists (select from public.visits v
                    where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status = 'completed')
    and exists (select from public.visits v
                where v.tenant_id = j.tenant_id and v.job_id = j.id and v.status <> 'canceled')
  order by j.due_on
  limit 1
) open_job on true
left join lateral (
  select min(d)::date as due_on
  -- an imported plan's next visit is due no earlier than the old system said (first_due_on)
  from generate_series(greatest(date_trunc('month', a.starts_on), date_trunc('month', %(today)s::date),
                                date_trunc('month', a.first_due_on)),
                       date_trunc('month', %(today)s::date) + interval '12 months',
                       interval '1 month') d
  where a.status = 'active'
    and extract(month from d)::smallint = any (a.months)
    and (a.ends_on is null or d::date <= a.ends_on)
    and not exists (select from public.jobs j
                    where j.tenant_id = a.tenant_id and j.agreement_id = a.id
                      and j.due_on = d::date)
) upcoming on true
where a.tenant_id = %(tenant_id)s
order by c.display_name, a.name, a.id
limit %(limit)s offset %(offset)s
