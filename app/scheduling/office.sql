-- name: update_job
update public.jobs
   set priority = %(priority)s, summary = %(summary)s, description = %(description)s,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: job_equipment
select e.id, e.kind, e.brand, e.model, e.serial
from public.job_equipment je
join public.equipment e on e.tenant_id = je.tenant_id and e.id = je.equipment_id
where je.tenant_id = %(tenant_id)s and je.job_id = %(job_id)s
order by e.created_at, e.id

-- name: job_visits
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes,
       v.created_at, v.scheduled_at, v.dispatched_at, v.en_route_at, v.arrived_at,
       v.completed_at, v.canceled_at, v.cancel_reason, v.completion_notes, v.signed_by,
       v.unsigned_reason, v.booking_override, v.booking_override_reason,
       coalesce((
         select string_agg(m.full_name, ', ' order by m.full_name)
         from public.visit_assignments a
         join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
       ), '') as technician_names
from public.visits v
where v.tenant_id = %(tenant_id)s and v.job_id = %(job_id)s
order by v.created_at, v.id

-- name: bookable_windows
-- Runs as the member: office roles see the whole schedule, so every booking counts.
select window_starts_at, window_ends_at, technicians
from app.bookable_windows(%(property_id)s, %(kind)s, %(days)s, %(buffer_minutes)s,
                          %(window_hours)s, null)

-- name: free_technicians
-- Who could take a visit at this time, by the rules of app.bookable_windows: working then, no
-- time off, and no other visit within the travel buffer either side.
select m.account_id, m.full_name
from public.memberships m
where m.tenant_id = %(tenant_id)s and m.role = 'technician' and m.status = 'active'
  and app.technician_shift(m.tenant_id, m.account_id, %(day)s::date)
      @> tstzrange(%(starts_at)s, %(ends_at)s, '[)')
  and not exists (
    select from public.visit_assignments a
    where a.tenant_id = m.tenant_id and a.technician_id = m.account_id
      and a.visit_id <> %(visit_id)s
      and a.booked && tstzrange(%(starts_at)s::timestamptz - make_interval(mins => %(buffer_minutes)s),
                                %(ends_at)s::timestamptz + make_interval(mins => %(buffer_minutes)s)))
  and not exists (
    select from public.time_off o
    where o.tenant_id = m.tenant_id and o.technician_id = m.account_id
      and o.during && tstzrange(%(starts_at)s, %(ends_at)s, '[)'))
order by m.full_name, m.account_id

-- name: customer_visits
-- The customer's latest visits for the timeline, placed at what happened last to each.
select v.id, v.status, v.window_starts_at, v.window_ends_at, v.cancel_reason,
       coalesce(v.completed_at, v.canceled_at, v.window_starts_at, v.created_at) as at,
       j.id as job_id, j.kind, j.summary,
       coalesce((
         select string_agg(m.full_name, ', ' order by m.full_name)
         from public.visit_assignments a
         join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
       ), '') as technician_names
from public.jobs j
join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
where j.tenant_id = %(tenant_id)s and j.customer_id = %(customer_id)s
order by at desc, v.id desc
limit %(limit)s

-- name: job_visit_notes
-- The technicians' notes on each visit of the job, oldest first.
select n.id, n.visit_id, n.body, n.created_at, coalesce(m.full_name, '') as author_name
from public.visits v
join public.visit_notes n on n.tenant_id = v.tenant_id and n.visit_id = v.id
left join public.memberships m on m.tenant_id = n.tenant_id and m.account_id = n.author_id
where v.tenant_id = %(tenant_id)s and v.job_id = %(job_id)s
order by n.created_at, n.id

-- name: job_visit_files
-- The photos and signatures of each visit of the job, in the order they were taken.
select f.id, f.visit_id, f.kind, f.content_type, f.created_at
from public.visits v
join public.visit_files f on f.tenant_id = v.tenant_id and f.visit_id = v.id
where v.tenant_id = %(tenant_id)s and v.job_id = %(job_id)s
order by f.created_at, f.id

-- name: job_visit_checklists
-- Each visit's checklist, with who ticked each task and when.
select i.id, i.visit_id, i.position, i.label, i.done_at, coalesce(m.full_name, '') as done_by_name
from public.visits v
join public.visit_checklist_items i on i.tenant_id = v.tenant_id and i.visit_id = v.id
left join public.memberships m on m.tenant_id = i.tenant_id and m.account_id = i.done_by
where v.tenant_id = %(tenant_id)s and v.job_id = %(job_id)s
order by i.visit_id, i.position
