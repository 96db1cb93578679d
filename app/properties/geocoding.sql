-- name: claim_pending_geocodes
-- Every company's waiting properties, company by company (the partial index
-- properties_geocode_pending_idx in its order); a row another worker or a request holds is left
-- for the next pass, and one an outage held back waits until its retry time. A closed company's
-- are left alone (P-11: it is read-only, and its addresses go to no provider any more).
select tenant_id, id, street, unit, city, region, postal_code, country
  from public.properties p
 where geocode_status = 'pending'
   and (geocode_retry_at is null or geocode_retry_at <= app.now())
   and exists (select from public.tenants t where t.id = p.tenant_id and t.status = 'active')
 order by tenant_id, created_at
 limit %(batch)s
 for update skip locked

-- name: record_geocodes
-- One statement for the whole batch: 'done' with coordinates and a zone the database knows
-- (else none), or 'failed' with the reason.
update public.properties p
   set geocode_status = r.status,
       latitude = r.latitude,
       longitude = r.longitude,
       time_zone = z.name,
       geocode_failure = r.failure,
       geocoded_at = case when r.status = 'done' then now() end,
       geocode_attempts = 0,
       geocode_retry_at = null
  from unnest(%(tenant_ids)s::uuid[], %(ids)s::uuid[], %(statuses)s::text[],
              %(latitudes)s::numeric[], %(longitudes)s::numeric[], %(zones)s::text[],
              %(failures)s::text[])
         as r(tenant_id, id, status, latitude, longitude, zone, failure)
  left join app.time_zones z on z.name = r.zone
 where p.tenant_id = r.tenant_id and p.id = r.id and p.geocode_status = 'pending'

-- name: postpone_geocode
-- The provider could not answer: still pending, tried again after 1, 2, 4… minutes (a day at
-- most), with the trouble shown on the property's page meanwhile.
update public.properties
   set geocode_attempts = geocode_attempts + 1,
       geocode_retry_at = app.now() + least(interval '1 minute' * power(2, least(geocode_attempts, 11)),
                                            interval '1 day'),
       geocode_failure = %(reason)s
 where tenant_id = %(tenant_id)s and id = %(id)s and geocode_status = 'pending'

-- name: place_pin
-- Placed by hand: found on the map, in the zone given (the ZIP's, else the company's).
update public.properties
   set latitude = %(latitude)s, longitude = %(longitude)s, time_zone = %(time_zone)s,
       geocode_status = 'done', geocoded_at = now(), geocode_failure = null,
       geocode_attempts = 0, geocode_retry_at = null, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id
