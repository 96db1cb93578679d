-- name: visits_today
-- Today's visits of the company by status (office), or the caller's own (technicians: RLS
-- shows them only theirs, and the assignment filter keeps office staff's own day separate).
select v.status, count(*) as n
from public.visits v
where v.tenant_id = %(tenant_id)s
  and v.window_starts_at >= %(day_starts)s and v.window_starts_at < %(day_ends)s
  and v.status <> 'canceled'
  and (%(mine)s::uuid is null or exists (
    select from public.visit_assignments a
    where a.tenant_id = v.tenant_id and a.visit_id = v.id and a.technician_id = %(mine)s
  ))
group by v.status

-- name: unscheduled_count
select count(*) from public.visits where tenant_id = %(tenant_id)s and status = 'unscheduled'

-- name: database_answers
select 1
