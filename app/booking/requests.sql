-- name: awaiting_count
select count(*) as n from public.online_bookings
where tenant_id = %(tenant_id)s and status = 'awaiting'

-- name: awaiting
-- Requests waiting for the office, oldest first, with who asked, where and for what.
select b.id, b.source, b.requested_starts_at, b.requested_ends_at, b.created_at,
       c.id as customer_id, c.display_name, c.phone, c.email,
       p.street, p.city, j.id as job_id, j.kind, j.summary
from public.online_bookings b
join public.customers c on c.tenant_id = b.tenant_id and c.id = b.customer_id
join public.jobs j on j.tenant_id = b.tenant_id and j.id = b.job_id
join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
where b.tenant_id = %(tenant_id)s and b.status = 'awaiting'
order by b.created_at, b.id
limit 200

-- name: confirm
select app.confirm_online_booking(%(id)s) as technician_id

-- name: decline
select app.decline_online_booking(%(id)s, %(reason)s)

-- name: is_awaiting
select id from public.online_bookings
where tenant_id = %(tenant_id)s and id = %(id)s and status = 'awaiting'
