-- The office's lists of jobs and visits. `{order}` is one of the whitelisted orders of
-- app/worklists/filters.py, composed with psycopg.sql; every value is a parameter.

-- name: list_jobs
-- Each job with its current visit: the first open one by window (unscheduled last), or else the
-- one closed last. A job's status and date are its current visit's (its creation date when
-- nothing is booked); a job without visits is unscheduled.
with listed as (
  select j.id, j.kind, j.priority, j.summary, j.created_at, j.customer_id,
         c.display_name as customer_name, p.street, p.unit, p.city,
         coalesce(cur.status, 'unscheduled') as status,
         cur.id as visit_id, cur.window_starts_at, cur.window_ends_at,
         coalesce(cur.window_starts_at, j.created_at) as on_at,
         coalesce((
           select string_agg(m.full_name, ', ' order by m.full_name)
           from public.visit_assignments a
           join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
           where a.tenant_id = j.tenant_id and a.visit_id = cur.id
         ), '') as technician_names
  from public.jobs j
  join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
  join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
  left join lateral (
    select v.id, v.status, v.window_starts_at, v.window_ends_at
    from public.visits v
    where v.tenant_id = j.tenant_id and v.job_id = j.id
    order by v.status in ('completed', 'canceled'),
             case when v.status not in ('completed', 'canceled') then v.window_starts_at end
               nulls last,
             coalesce(v.completed_at, v.canceled_at) desc nulls last, v.created_at desc, v.id
    limit 1
  ) cur on true
  where j.tenant_id = %(tenant_id)s
    and (%(kind)s::text is null or j.kind = %(kind)s)
    and (%(priority)s::text is null or j.priority = %(priority)s)
    and (%(technician_id)s::uuid is null or exists (
      select from public.visits tv
      join public.visit_assignments ta on ta.tenant_id = tv.tenant_id and ta.visit_id = tv.id
      where tv.tenant_id = j.tenant_id and tv.job_id = j.id
        and ta.technician_id = %(technician_id)s))
)
select l.*, count(*) over () as total
from listed l
where (%(status)s::text is null or l.status = %(status)s)
  and (%(starts_on)s::date is null or (l.on_at at time zone %(zone)s)::date >= %(starts_on)s)
  and (%(ends_on)s::date is null or (l.on_at at time zone %(zone)s)::date <= %(ends_on)s)
order by {order}
limit %(limit)s offset %(offset)s

-- name: list_visits
-- The visits whose arrival window starts between two moments (a day or a week of the company).
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes, v.job_id,
       j.kind, j.priority, j.summary, j.customer_id, c.display_name as customer_name,
       p.street, p.unit, p.city,
       coalesce((
         select string_agg(m.full_name, ', ' order by m.full_name)
         from public.visit_assignments a
         join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
       ), '') as technician_names,
       count(*) over () as total
from public.visits v
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
where v.tenant_id = %(tenant_id)s
  and v.window_starts_at >= %(starts_at)s and v.window_starts_at < %(ends_at)s
  and (%(status)s::text is null or v.status = %(status)s)
  and (%(kind)s::text is null or j.kind = %(kind)s)
  and (%(priority)s::text is null or j.priority = %(priority)s)
  and (%(technician_id)s::uuid is null or exists (
    select from public.visit_assignments ta
    where ta.tenant_id = v.tenant_id and ta.visit_id = v.id
      and ta.technician_id = %(technician_id)s))
order by {order}
limit %(limit)s offset %(offset)s

-- name: list_technicians
select account_id, full_name
from public.memberships
where tenant_id = %(tenant_id)s and role = 'technician'
order by full_name, account_id
