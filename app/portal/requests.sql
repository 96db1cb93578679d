-- The homeowner's service requests (app/portal/requests.py): read through the homeowner's own
-- policies, written through the portal's definers (20261210130200_portal_requests.sql).

-- name: my_requests
-- The signed-in customer's requests, newest activity first (their policy shows no others).
select r.id, r.subject, r.status, r.last_activity_at, r.created_at
  from public.service_requests r
 where r.tenant_id = %(tenant_id)s and r.customer_id = %(customer_id)s
 order by r.last_activity_at desc, r.id
 limit %(limit)s offset %(offset)s

-- name: my_request
select r.id, r.subject, r.status, r.created_at, r.property_id,
       p.street, p.unit, p.city
  from public.service_requests r
  left join public.properties p on p.tenant_id = r.tenant_id and p.id = r.property_id
 where r.tenant_id = %(tenant_id)s and r.customer_id = %(customer_id)s and r.id = %(id)s

-- name: my_thread
select x.id, x.author_kind, x.body, x.created_at
  from public.service_request_messages x
 where x.tenant_id = %(tenant_id)s and x.request_id = %(id)s
 order by x.created_at, x.id

-- name: my_photos
select id, message_id from public.service_request_photos
 where tenant_id = %(tenant_id)s and request_id = %(id)s
 order by created_at, id

-- name: my_photo
select id, storage_key, content_type from public.service_request_photos
 where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s and id = %(id)s

-- name: my_properties
-- Where the request may be about: the customer's properties in use.
select id, street, unit, city from public.properties
 where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s and archived_at is null
 order by created_at, id

-- name: open_request
select app.portal_open_service_request(%(property_id)s, %(subject)s, %(body)s) as id

-- name: reply
select app.portal_reply_to_service_request(%(id)s, %(body)s) as id

-- name: add_photo
select app.portal_add_service_request_photo(
  %(request_id)s, %(message_id)s, %(storage_key)s, %(content_type)s, %(byte_size)s) as id
