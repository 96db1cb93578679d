-- The dispatch board's reads: a few set-based statements per page, whatever the number of
-- technicians and visits (no query per lane or per card).

-- name: visits_between
-- Visits whose window starts in [starts, ends), with what a card shows and who is booked.
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes,
       v.job_id, j.customer_id, j.kind, j.priority, j.summary,
       c.display_name as customer_name, p.city,
       array(
         select a.technician_id from public.visit_assignments a
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
         order by a.technician_id
       ) as technician_ids
-- The day's visits are picked first (fenced by `offset 0`): joined directly, the planner misjudged the
-- composite keys and read every job of the company (bench/scheduling.py).
from (
  select * from public.visits
  where tenant_id = %(tenant_id)s
    and window_starts_at >= %(starts)s and window_starts_at < %(ends)s
    and status <> 'canceled'
  offset 0
) v
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
order by v.window_starts_at, c.display_name, v.id

-- name: unscheduled_queue
-- The visits waiting for a place, most urgent first (emergency, high, normal, low), then the
-- longest waiting, with how many wait in all.
select v.id, v.duration_minutes, v.created_at, v.job_id, j.customer_id, j.kind, j.priority,
       j.summary,
       c.display_name as customer_name, p.city, count(*) over () as waiting
-- Fenced like visits_between, for the same reason.
from (
  select * from public.visits where tenant_id = %(tenant_id)s and status = 'unscheduled' offset 0
) v
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
order by array_position(array['emergency', 'high', 'normal', 'low'], j.priority),
         v.created_at, v.id
limit %(limit)s
