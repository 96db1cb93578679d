-- name: rules
-- The company's rules and zone, and the signed-in customer's places (their own policies).
select s.kinds, s.needs_confirmation, t.time_zone,
       array(select jsonb_build_object('id', p.id, 'street', p.street, 'unit', p.unit,
                                       'city', p.city)
               from public.properties p
              where p.tenant_id = s.tenant_id and p.customer_id = %(customer_id)s
                and p.archived_at is null
              order by p.created_at, p.id) as places
from public.online_booking_settings s
join public.tenants t on t.id = s.tenant_id
where s.tenant_id = %(tenant_id)s

-- name: windows
select window_starts_at, window_ends_at
from app.portal_bookable_windows(%(property_id)s, %(kind)s, null)

-- name: book
select visit_id, status, window_starts_at, window_ends_at
from app.portal_book_visit(%(property_id)s, %(kind)s, %(description)s, %(window)s)

-- name: add_photo
select app.portal_add_booking_photo(%(visit_id)s, %(storage_key)s, %(content_type)s,
                                    %(byte_size)s) as id
