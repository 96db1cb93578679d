-- The dispatch board's reads: a few set-based statements per page, whatever the number of
-- technicians and visits (no query per lane or per card).

-- name: visits_between
-- Visits whose window starts in [starts, ends), with what a card shows and who is booked, and
-- each row's digest (what the board's kept lanes are found by: app/fragments.py).
select q.*, sha256(convert_to(q::text, 'UTF8')) as digest
from (
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes,
       v.job_id, j.customer_id, j.kind, j.priority, j.summary,
       c.display_name as customer_name, p.city,
       array(
         select a.technician_id from public.visit_assignments a
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
         order by a.technician_id
       ) as technician_ids
-- The day's visits are picked first (fenced by `offset 0`), then each card's job, customer and
-- property by one key lookup (lateral, limit 1). Joined as sets, the planner misjudged the
-- composite keys for a large company: it read every job of the company, or the whole name index
-- of its customers for each visit (bench/scheduling.py).
from (
  select * from public.visits
  where tenant_id = %(tenant_id)s
    and window_starts_at >= %(starts)s and window_starts_at < %(ends)s
    and status <> 'canceled'
  offset 0
) v
cross join lateral (
  select j.customer_id, j.property_id, j.kind, j.priority, j.summary from public.jobs j
  where j.tenant_id = v.tenant_id and j.id = v.job_id
  limit 1
) j
cross join lateral (
  select c.display_name from public.customers c
  where c.tenant_id = v.tenant_id and c.id = j.customer_id
  limit 1
) c
cross join lateral (
  select p.city from public.properties p
  where p.tenant_id = v.tenant_id and p.id = j.property_id
  limit 1
) p
order by v.window_starts_at, c.display_name, v.id
) q
order by q.window_starts_at, q.customer_name, q.id

-- name: unscheduled_queue
-- The visits waiting for a place, most urgent first (emergency, high, normal, low), then the
-- longest waiting, with how many wait in all, and each row's digest (as visits_between).
select q.*, sha256(convert_to(q::text, 'UTF8')) as digest
from (
select array_position(array['emergency', 'high', 'normal', 'low'], j.priority) as urgency,
       v.id, v.duration_minutes, v.created_at, v.job_id, j.customer_id, j.kind, j.priority,
       j.summary, c.display_name as customer_name, p.city, count(*) over () as waiting
-- Fenced and looked up by key like visits_between, for the same reason.
from (
  select * from public.visits where tenant_id = %(tenant_id)s and status = 'unscheduled' offset 0
) v
cross join lateral (
  select j.customer_id, j.property_id, j.kind, j.priority, j.summary from public.jobs j
  where j.tenant_id = v.tenant_id and j.id = v.job_id
  limit 1
) j
cross join lateral (
  select c.display_name from public.customers c
  where c.tenant_id = v.tenant_id and c.id = j.customer_id
  limit 1
) c
cross join lateral (
  select p.city from public.properties p
  where p.tenant_id = v.tenant_id and p.id = j.property_id
  limit 1
) p
order by urgency, v.created_at, v.id
limit %(limit)s
) q
order by q.urgency, q.created_at, q.id
