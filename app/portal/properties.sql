-- name: list_properties
-- The signed-in customer's properties (their own policy), archived ones last.
select p.id, p.label, p.street, p.unit, p.city, p.region, p.postal_code, p.archived_at
from public.properties p
where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s
order by p.archived_at is not null, p.label, p.street

-- name: list_equipment
-- The equipment of those properties (the homeowner's policy: their own properties only),
-- named here too: the homeowner policies filter rows, they are no index path.
select e.id, e.property_id, e.kind, e.brand, e.model, e.serial, e.installed_on,
       e.warranty_ends_on, e.filter_size
from public.equipment e
where e.tenant_id = %(tenant_id)s
  and e.property_id in (select p.id from public.properties p
                        where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s)
order by e.kind, e.installed_on nulls last

-- name: list_service_records
-- The service history of that equipment, by visit (the homeowner's policy: their own visits).
select r.equipment_id, r.visit_id, r.serviced_at, r.job_kind, r.job_summary,
       r.completion_notes, r.technicians
from public.equipment_service_records r
where r.tenant_id = %(tenant_id)s
  and r.equipment_id in (select e.id from public.equipment e
                         join public.properties p on p.tenant_id = e.tenant_id
                                                 and p.id = e.property_id
                         where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s)
order by r.serviced_at desc
