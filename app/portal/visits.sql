-- name: list_visits
-- The signed-in customer's visits (app.portal_visits answers for them only), open ones first
-- (soonest first), then finished ones (latest first).
select v.*, v.status in ('completed', 'canceled') as finished
from app.portal_visits() v
order by v.status in ('completed', 'canceled'),
         case when v.status in ('completed', 'canceled') then null else v.window_starts_at end
           asc nulls last,
         v.window_starts_at desc nulls last

-- name: get_visit
select v.*, v.status in ('completed', 'canceled') as finished
from app.portal_visits() v
where v.id = %(visit_id)s

-- name: reschedule_visit
select app.portal_reschedule_visit(%(visit_id)s, %(starts_at)s)

-- name: cancel_visit
select app.portal_cancel_visit(%(visit_id)s, %(reason)s)
