-- name: list_visits_for_day
-- The technician's visits whose window starts on the local day, in the order of the day.
select v.id, v.status, v.window_starts_at, v.window_ends_at, j.kind, j.summary,
       c.display_name as customer_name,
       p.street, p.unit, p.city, p.region, p.postal_code, p.country
-- The day's visits are found by the window index, and each is then checked for this technician
-- and completed by one key lookup per table (lateral, limit 1). The planner then has one plan
-- for any parameters: prepared (a generic plan) it had walked all of the technician's
-- assignments and, for each, all of the day's visits (~15 million comparisons with the policies'
-- id lists: 1.5x the unprepared time); joined directly it read every job of the company.
from (
  select v.* from public.visits v
  where v.tenant_id = %(tenant_id)s
    and v.window_starts_at >= %(day_starts)s and v.window_starts_at < %(day_ends)s
    and v.status <> 'canceled'
  offset 0
) v
cross join lateral (
  select from public.visit_assignments a
  where a.tenant_id = v.tenant_id and a.visit_id = v.id and a.technician_id = %(technician_id)s
  limit 1
) mine
cross join lateral (
  select j.kind, j.summary, j.customer_id, j.property_id from public.jobs j
  where j.tenant_id = v.tenant_id and j.id = v.job_id
  limit 1
) j
cross join lateral (
  select c.display_name from public.customers c
  where c.tenant_id = v.tenant_id and c.id = j.customer_id
  limit 1
) c
cross join lateral (
  select p.street, p.unit, p.city, p.region, p.postal_code, p.country from public.properties p
  where p.tenant_id = v.tenant_id and p.id = j.property_id
  limit 1
) p
order by v.window_starts_at, v.id

-- name: list_notes
select n.id, n.body, n.created_at, n.author_id, coalesce(m.full_name, '') as author_name
from public.visit_notes n
left join public.memberships m on m.tenant_id = n.tenant_id and m.account_id = n.author_id
where n.tenant_id = %(tenant_id)s and n.visit_id = %(visit_id)s
order by n.created_at, n.id

-- name: add_note
insert into public.visit_notes (tenant_id, visit_id, body)
values (%(tenant_id)s, %(visit_id)s, %(body)s)
returning id

-- name: list_files
select id, kind, content_type, byte_size, created_at
from public.visit_files
where tenant_id = %(tenant_id)s and visit_id = %(visit_id)s
order by created_at, id

-- name: file
select id, visit_id, kind, storage_key, content_type
from public.visit_files
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: add_file
insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type, byte_size)
values (%(tenant_id)s, %(visit_id)s, %(kind)s, %(storage_key)s, %(content_type)s, %(byte_size)s)
returning id

-- name: list_checklist
select id, position, label, done_at
from public.visit_checklist_items
where tenant_id = %(tenant_id)s and visit_id = %(visit_id)s
order by position

-- name: checklist_item
select id, visit_id, label, done_at
from public.visit_checklist_items
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: tick_item
update public.visit_checklist_items
set done_at = case when %(done)s then now() end,
    done_by = case when %(done)s then (select auth.uid()) end
where tenant_id = %(tenant_id)s and visit_id = %(visit_id)s and id = %(id)s

-- name: list_equipment
-- Everything installed at the property; the units this job concerns come first.
select e.id, e.kind, e.brand, e.model, e.serial, e.refrigerant, e.filter_size, e.installed_on,
       exists (select from public.job_equipment je
               where je.tenant_id = e.tenant_id and je.job_id = %(job_id)s
                 and je.equipment_id = e.id) as on_this_job
from public.equipment e
where e.tenant_id = %(tenant_id)s and e.property_id = %(property_id)s
order by on_this_job desc, e.created_at, e.id

-- name: list_service_history
-- The latest few services of each unit, newest first.
select r.equipment_id, r.visit_id, r.serviced_at, r.job_kind, r.job_summary,
       r.completion_notes, r.technicians
from (
  select h.*, row_number() over (partition by h.equipment_id order by h.serviced_at desc) as n
  from public.equipment_service_records h
  where h.tenant_id = %(tenant_id)s and h.equipment_id = any (%(equipment_ids)s::uuid[])
) r
where r.n <= %(per_unit)s
order by r.equipment_id, r.serviced_at desc

-- name: visit_of_job
-- The caller's own visit of a job (the latest by its window), for the way back from the job's
-- estimates and invoices to the visit page.
select v.id from public.visits v
join public.visit_assignments a
  on a.tenant_id = v.tenant_id and a.visit_id = v.id and a.technician_id = (select auth.uid())
where v.tenant_id = %(tenant_id)s and v.job_id = %(job_id)s
order by v.window_starts_at desc nulls last, v.id
limit 1
