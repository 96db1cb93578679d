-- The office's service requests queue and a request's page (app/service_requests).

-- name: list_requests
-- One page of the queue, newest activity first: every request of a status, or those open or
-- waiting that nobody has ('unassigned'). Row-level security shows office staff only.
select r.id, r.subject, r.status, r.assigned_to, r.last_activity_at, r.created_at, r.job_id,
       c.display_name as customer_name, m.full_name as assignee_name,
       (select count(*) from public.service_request_messages x
         where x.tenant_id = r.tenant_id and x.request_id = r.id) as message_count
  from public.service_requests r
  join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
  left join public.memberships m on m.tenant_id = r.tenant_id and m.account_id = r.assigned_to
 where r.tenant_id = %(tenant_id)s
   and case when %(tab)s = 'unassigned' then r.assigned_to is null and r.status <> 'closed'
            else r.status = %(tab)s end
 order by r.last_activity_at desc, r.id
 limit %(limit)s offset %(offset)s

-- name: tab_counts
-- How many requests each tab holds.
select count(*) filter (where assigned_to is null and status <> 'closed') as unassigned,
       count(*) filter (where status = 'open') as open,
       count(*) filter (where status = 'waiting_on_customer') as waiting_on_customer
  from public.service_requests
 where tenant_id = %(tenant_id)s and status <> 'closed'

-- name: open_count
select count(*) from public.service_requests
 where tenant_id = %(tenant_id)s and status = 'open'

-- name: get_request
select r.*, c.display_name as customer_name, c.email as customer_email,
       c.phone as customer_phone, c.preferred_contact,
       p.street, p.unit, p.city, p.region, p.postal_code,
       m.full_name as assignee_name
  from public.service_requests r
  join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
  left join public.properties p on p.tenant_id = r.tenant_id and p.id = r.property_id
  left join public.memberships m on m.tenant_id = r.tenant_id and m.account_id = r.assigned_to
 where r.tenant_id = %(tenant_id)s and r.id = %(id)s

-- name: thread
-- The request's messages, oldest first, with the staff author's name.
select x.id, x.author_kind, x.body, x.created_at, m.full_name as author_name
  from public.service_request_messages x
  left join public.memberships m on m.tenant_id = x.tenant_id and m.account_id = x.author_id
 where x.tenant_id = %(tenant_id)s and x.request_id = %(id)s
 order by x.created_at, x.id

-- name: photos
select id, message_id, content_type, byte_size, created_at
  from public.service_request_photos
 where tenant_id = %(tenant_id)s and request_id = %(id)s
 order by created_at, id

-- name: photo
select id, request_id, storage_key, content_type
  from public.service_request_photos
 where tenant_id = %(tenant_id)s and id = %(id)s

-- name: staff
-- Whom a request can be given to: the company's active office staff.
select account_id, full_name
  from public.memberships
 where tenant_id = %(tenant_id)s and status = 'active'
   and role in ('owner', 'admin', 'dispatcher', 'office')
 order by full_name, account_id

-- name: reply
-- The member's reply (its author stamped by the database) and the request's new status, in one
-- statement.
with said as (
  insert into public.service_request_messages (tenant_id, request_id, customer_id, author_kind, body)
  select r.tenant_id, r.id, r.customer_id, 'staff', %(body)s
    from public.service_requests r
   where r.tenant_id = %(tenant_id)s and r.id = %(id)s
  returning request_id, created_at
)
update public.service_requests r
   set status = %(status)s,
       closed_at = case when %(status)s = 'closed' then coalesce(r.closed_at, now()) end,
       last_activity_at = said.created_at, updated_at = now()
  from said
 where r.tenant_id = %(tenant_id)s and r.id = said.request_id
returning r.id

-- name: assign
update public.service_requests
   set assigned_to = %(assigned_to)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_status
update public.service_requests
   set status = %(status)s,
       closed_at = case when %(status)s = 'closed' then coalesce(closed_at, now()) end,
       last_activity_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status <> %(status)s
returning id

-- name: first_property
-- Where a job for a request without a property goes: the customer's first property in use.
select id from public.properties
 where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s
 order by archived_at nulls first, created_at, id
 limit 1

-- name: link_job
update public.service_requests
   set job_id = %(job_id)s, updated_at = now(), last_activity_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and job_id is null
returning id
