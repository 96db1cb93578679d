-- name: property
select p.id, p.tenant_id, p.customer_id, c.display_name as customer_name, p.label, p.street, p.unit,
       p.city, p.region, p.postal_code, p.country, p.property_type, p.square_feet,
       p.year_built, p.access_notes_encrypted, p.notes, p.latitude, p.longitude,
       p.geocode_status, p.geocoded_at, p.geocode_failure, p.geocode_retry_at, p.time_zone,
       p.archived_at, p.created_at, p.updated_at,
       c.do_not_service as customer_do_not_service
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
where p.tenant_id = %(tenant_id)s and p.id = %(id)s

-- name: create_property
insert into public.properties (
  id, tenant_id, customer_id, label, street, unit, city, region, postal_code, country,
  property_type, square_feet, year_built, access_notes_encrypted, notes, geocode_status
) values (
  %(id)s, %(tenant_id)s, %(customer_id)s, %(label)s, %(street)s, %(unit)s, %(city)s,
  %(region)s, %(postal_code)s, %(country)s, %(property_type)s, %(square_feet)s, %(year_built)s,
  %(access_notes_encrypted)s, %(notes)s, 'pending'
)
returning id

-- name: update_property
-- A changed address sends the property back to the geocoding queue (old coordinates, time zone
-- and failure cleared, tried at once); the comparison uses the row's values before this update.
update public.properties
   set label = %(label)s, street = %(street)s, unit = %(unit)s, city = %(city)s,
       region = %(region)s, postal_code = %(postal_code)s, country = %(country)s,
       property_type = %(property_type)s, square_feet = %(square_feet)s,
       year_built = %(year_built)s, access_notes_encrypted = %(access_notes_encrypted)s,
       notes = %(notes)s, updated_at = now(),
       geocode_status = case when readdressed then 'pending' else geocode_status end,
       latitude = case when readdressed then null else latitude end,
       longitude = case when readdressed then null else longitude end,
       geocoded_at = case when readdressed then null else geocoded_at end,
       time_zone = case when readdressed then null else time_zone end,
       geocode_failure = case when readdressed then null else geocode_failure end,
       geocode_attempts = case when readdressed then 0 else geocode_attempts end,
       geocode_retry_at = case when readdressed then null else geocode_retry_at end
  from (
    select (street, unit, city, region, postal_code, country)
           is distinct from (%(street)s::text, %(unit)s::text, %(city)s::text, %(region)s::text,
                             %(postal_code)s::text, %(country)s::text) as readdressed
      from public.properties
     where tenant_id = %(tenant_id)s and id = %(id)s
  ) as change
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: delete_property
delete from public.properties
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id, customer_id

-- name: list_equipment_for_property
select id, kind, brand, model, serial, installed_on, warranty_ends_on, seer2, afue, hspf2,
       refrigerant, filter_size, notes
from public.equipment
where tenant_id = %(tenant_id)s and property_id = %(property_id)s
order by created_at, id

-- name: equipment
select id, property_id, kind, brand, model, serial, installed_on, warranty_ends_on, seer2,
       afue, hspf2, refrigerant, filter_size, notes
from public.equipment
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: create_equipment
insert into public.equipment (
  tenant_id, property_id, kind, brand, model, serial, installed_on, warranty_ends_on,
  seer2, afue, hspf2, refrigerant, filter_size, notes
) values (
  %(tenant_id)s, %(property_id)s, %(kind)s, %(brand)s, %(model)s, %(serial)s,
  %(installed_on)s, %(warranty_ends_on)s, %(seer2)s, %(afue)s, %(hspf2)s, %(refrigerant)s,
  %(filter_size)s, %(notes)s
)
returning id

-- name: update_equipment
update public.equipment
   set kind = %(kind)s, brand = %(brand)s, model = %(model)s, serial = %(serial)s,
       installed_on = %(installed_on)s, warranty_ends_on = %(warranty_ends_on)s,
       seer2 = %(seer2)s, afue = %(afue)s, hspf2 = %(hspf2)s, refrigerant = %(refrigerant)s,
       filter_size = %(filter_size)s, notes = %(notes)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: delete_equipment
delete from public.equipment
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id, property_id

-- name: list_service_history_for_property
-- The latest records of each piece of equipment at the property, newest first. The job is
-- joined only where the reader may see the visit.
select r.equipment_id, r.serviced_at, r.job_kind, r.job_summary, r.completion_notes,
       r.technicians, v.job_id
from (
  select r.*, row_number() over (partition by r.equipment_id
                                 order by r.serviced_at desc, r.id desc) as position
  from public.equipment_service_records r
  join public.equipment e on e.tenant_id = r.tenant_id and e.id = r.equipment_id
  where r.tenant_id = %(tenant_id)s and e.property_id = %(property_id)s
) r
left join public.visits v on v.tenant_id = r.tenant_id and v.id = r.visit_id
where r.position <= %(per_unit)s
order by r.equipment_id, r.serviced_at desc, r.id desc

-- name: property_history
-- What deleting a property takes with it: its jobs, their visits, its equipment, its
-- maintenance plans, and the photos and signatures of those visits; and whether the caller may delete it (the delete
-- policy's rule: owners and admins, or a property without jobs).
select (select count(*) from public.jobs j
         where j.tenant_id = p.tenant_id and j.property_id = p.id) as jobs,
       (select count(*) from public.jobs j
          join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
         where j.tenant_id = p.tenant_id and j.property_id = p.id) as visits,
       (select count(*) from public.equipment e
         where e.tenant_id = p.tenant_id and e.property_id = p.id) as equipment,
       (select count(*) from public.service_agreements a
         where a.tenant_id = p.tenant_id and a.property_id = p.id) as plans,
       (select count(*) from public.jobs j
          join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
          join public.visit_files f on f.tenant_id = v.tenant_id and f.visit_id = v.id
         where j.tenant_id = p.tenant_id and j.property_id = p.id) as files
from public.properties p
where p.tenant_id = %(tenant_id)s and p.id = %(id)s

-- name: archive_property
-- Archiving pauses the property's active plans too (see pause_plans_at_property).
update public.properties
   set archived_at = case when %(archived)s then coalesce(archived_at, now()) end,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
   and (archived_at is not null) <> %(archived)s
returning id

-- name: pause_plans_at_property
update public.service_agreements
   set status = 'paused', updated_at = now()
 where tenant_id = %(tenant_id)s and property_id = %(id)s and status = 'active'
returning id
