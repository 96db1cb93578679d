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
