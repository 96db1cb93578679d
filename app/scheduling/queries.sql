-- name: technicians
select account_id, full_name
from public.memberships
where tenant_id = %(tenant_id)s and role = 'technician' and status = 'active'
order by full_name, account_id

-- name: create_job
insert into public.jobs (tenant_id, customer_id, property_id, kind, priority, summary, description)
select p.tenant_id, p.customer_id, p.id, %(kind)s, %(priority)s, %(summary)s, %(description)s
from public.properties p
where p.tenant_id = %(tenant_id)s and p.id = %(property_id)s
returning id

-- name: add_job_equipment
insert into public.job_equipment (tenant_id, job_id, equipment_id)
select j.tenant_id, j.id, e.id
from public.jobs j
join public.equipment e on e.tenant_id = j.tenant_id and e.property_id = j.property_id
where j.tenant_id = %(tenant_id)s and j.id = %(job_id)s and e.id = %(equipment_id)s
on conflict do nothing

-- name: create_visit
insert into public.visits (tenant_id, job_id, duration_minutes)
values (%(tenant_id)s, %(job_id)s, %(duration_minutes)s)
returning id

-- name: first_visit
select id from public.visits
where tenant_id = %(tenant_id)s and job_id = %(job_id)s
order by created_at, id
limit 1

-- name: job
select j.id, j.kind, j.priority, j.summary, j.description, j.customer_id, j.property_id,
       j.agreement_id, j.due_on, j.created_at, c.display_name as customer_name
from public.jobs j
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
where j.tenant_id = %(tenant_id)s and j.id = %(id)s

-- name: visit
select v.id, v.job_id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes,
       v.scheduled_at, v.dispatched_at, v.en_route_at, v.arrived_at, v.completed_at,
       v.canceled_at, v.cancel_reason, v.completion_notes, v.signed_by, v.unsigned_reason,
       v.updated_at, v.booking_override, v.booking_override_reason,
       j.kind, j.priority, j.summary, j.description, j.customer_id, j.property_id,
       c.display_name as customer_name, c.phone as customer_phone,
       p.street, p.unit, p.city, p.region, p.postal_code, p.country,
       p.access_notes_encrypted, p.latitude, p.longitude,
       coalesce(array(
         select a.technician_id from public.visit_assignments a
         join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
         order by m.full_name
       ), '{}') as technician_ids,
       coalesce((
         select string_agg(m.full_name, ', ' order by m.full_name)
         from public.visit_assignments a
         join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
         where a.tenant_id = v.tenant_id and a.visit_id = v.id
       ), '') as technician_names
from public.visits v
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
where v.tenant_id = %(tenant_id)s and v.id = %(id)s

-- name: conflicts
select v.id as visit_id, a.technician_id, m.full_name as technician_name,
       lower(a.booked) as booked_from, upper(a.booked) as booked_until,
       j.summary as job_summary, c.display_name as customer_name
from public.visit_assignments a
join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
where a.tenant_id = %(tenant_id)s
  and a.technician_id = any (%(technician_ids)s::uuid[])
  and a.booked && tstzrange(%(starts_at)s, %(ends_at)s, '[)')
  and a.visit_id is distinct from %(excluding)s::uuid
order by lower(a.booked), m.full_name

-- name: unassign_others
delete from public.visit_assignments
where tenant_id = %(tenant_id)s and visit_id = %(id)s
  and technician_id <> all (%(technician_ids)s::uuid[])

-- name: unassign_all
delete from public.visit_assignments where tenant_id = %(tenant_id)s and visit_id = %(id)s

-- name: place_visit
update public.visits
set window_starts_at = %(starts_at)s, window_ends_at = %(ends_at)s,
    duration_minutes = %(duration_minutes)s,
    booking_override = %(override)s, booking_override_reason = %(override_reason)s,
    -- A dispatched visit stays dispatched (to whoever has it now) only when the dispatcher
    -- chose so; otherwise it is back to scheduled.
    status = case when status = 'unscheduled' then 'scheduled'
                  when status = 'dispatched' and not %(keep_dispatched)s then 'scheduled'
                  else status end
where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: assign_technicians
insert into public.visit_assignments (tenant_id, visit_id, technician_id)
select %(tenant_id)s, %(id)s, t.id
from unnest(%(technician_ids)s::uuid[]) as t(id)
on conflict (tenant_id, visit_id, technician_id) do nothing

-- name: move_visit
update public.visits
set status = %(to_status)s,
    cancel_reason = case when %(to_status)s = 'canceled' then %(cancel_reason)s else cancel_reason end,
    completion_notes = case when %(to_status)s = 'completed' then %(completion_notes)s
                            else completion_notes end,
    signed_by = case when %(to_status)s = 'completed' then %(signed_by)s else signed_by end,
    unsigned_reason = case when %(to_status)s = 'completed' then %(unsigned_reason)s
                           else unsigned_reason end
where tenant_id = %(tenant_id)s and id = %(id)s and status = %(from_status)s
returning id
