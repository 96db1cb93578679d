-- name: technician
select m.account_id, m.full_name, m.email
from public.memberships m
where m.tenant_id = %(tenant_id)s and m.account_id = %(account_id)s
  and m.role = 'technician' and m.status = 'active'

-- name: working_hours
select weekday, starts_at, ends_at
from public.working_hours
where tenant_id = %(tenant_id)s and technician_id = %(account_id)s
order by weekday

-- name: clear_working_hours
delete from public.working_hours
where tenant_id = %(tenant_id)s and technician_id = %(account_id)s

-- name: add_working_hours
insert into public.working_hours (tenant_id, technician_id, weekday, starts_at, ends_at)
values (%(tenant_id)s, %(account_id)s, %(weekday)s, %(starts_at)s, %(ends_at)s)

-- name: time_off
-- What is ahead or under way, and the last month for reference.
select id, lower(during) as starts_at, upper(during) as ends_at, reason
from public.time_off
where tenant_id = %(tenant_id)s and technician_id = %(account_id)s
  and upper(during) > now() - interval '30 days'
order by lower(during)

-- name: add_time_off
insert into public.time_off (tenant_id, technician_id, during, reason)
values (%(tenant_id)s, %(account_id)s, tstzrange(%(starts_at)s, %(ends_at)s, '[)'), %(reason)s)
returning id

-- name: one_time_off
select id, technician_id from public.time_off
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: remove_time_off
delete from public.time_off where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: visits_outside_hours
-- Visits still ahead that the technician's hours, as just saved, no longer cover: saving hours
-- does not move them (the booking check runs only when a visit is booked or moved).
select v.id, lower(a.booked) as booked_from, j.summary as job_summary,
       c.display_name as customer_name, count(*) over () as outside
from public.visit_assignments a
join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
where a.tenant_id = %(tenant_id)s and a.technician_id = %(account_id)s
  and v.status in ('scheduled', 'dispatched')
  and lower(a.booked) > now()
  and not coalesce(app.technician_shift(a.tenant_id, a.technician_id,
                                        (lower(a.booked) at time zone %(zone)s)::date)
                   @> a.booked, false)
order by lower(a.booked), v.id
limit %(limit)s

-- name: open_calendar_feed
-- The technician's calendar link, if one is open.
select created_at
from public.calendar_feeds
where tenant_id = %(tenant_id)s and technician_id = %(account_id)s and revoked_at is null

-- name: revoke_calendar_feeds
-- For a lost phone: the link stops working for good (the technician can open a new one).
update public.calendar_feeds
set revoked_at = now()
where tenant_id = %(tenant_id)s and technician_id = %(account_id)s and revoked_at is null
returning id
