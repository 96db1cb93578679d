-- name: existing_equipment
-- The units already on the company's properties, to match the file's rows against.
select e.id, e.property_id, e.kind, e.brand, e.model, e.serial, e.installed_on,
       e.warranty_ends_on, e.seer2, e.afue, e.hspf2, e.refrigerant, e.filter_size, e.notes
from public.equipment e
where e.tenant_id = %(tenant_id)s

-- name: insert_equipment
-- The property must be the company's: the composite foreign key says so too.
insert into public.equipment
  (tenant_id, property_id, kind, brand, model, serial, installed_on, warranty_ends_on, seer2,
   afue, hspf2, refrigerant, filter_size, notes)
select p.tenant_id, p.id, r.kind, coalesce(r.brand, ''), coalesce(r.model, ''),
       coalesce(r.serial, ''), r.installed_on, r.warranty_ends_on, r.seer2, r.afue, r.hspf2,
       coalesce(r.refrigerant, ''), coalesce(r.filter_size, ''), coalesce(r.notes, '')
from jsonb_to_recordset(%(rows)s::jsonb) as r(
       property_id uuid, kind text, brand text, model text, serial text, installed_on date,
       warranty_ends_on date, seer2 numeric, afue numeric, hspf2 numeric, refrigerant text,
       filter_size text, notes text)
join public.properties p on p.tenant_id = %(tenant_id)s and p.id = r.property_id
returning id

-- name: update_equipment
-- What the file says wins; what it leaves blank keeps the unit's value. `before` is the row
-- as it was (the statement's snapshot), for undo.
with r as (
  select * from jsonb_to_recordset(%(rows)s::jsonb) as r(
    target_id uuid, kind text, brand text, model text, serial text, installed_on date,
    warranty_ends_on date, seer2 numeric, afue numeric, hspf2 numeric, refrigerant text,
    filter_size text, notes text)
), old as (
  select e.id, to_jsonb(e) as before
  from public.equipment e join r on r.target_id = e.id
  where e.tenant_id = %(tenant_id)s
)
update public.equipment e
   set kind = coalesce(r.kind, e.kind), brand = coalesce(r.brand, e.brand),
       model = coalesce(r.model, e.model), serial = coalesce(r.serial, e.serial),
       installed_on = coalesce(r.installed_on, e.installed_on),
       warranty_ends_on = coalesce(r.warranty_ends_on, e.warranty_ends_on),
       seer2 = coalesce(r.seer2, e.seer2), afue = coalesce(r.afue, e.afue),
       hspf2 = coalesce(r.hspf2, e.hspf2), refrigerant = coalesce(r.refrigerant, e.refrigerant),
       filter_size = coalesce(r.filter_size, e.filter_size), notes = coalesce(r.notes, e.notes),
       updated_at = now()
  from r join old on old.id = r.target_id
 where e.tenant_id = %(tenant_id)s and e.id = r.target_id
returning e.id, old.before
