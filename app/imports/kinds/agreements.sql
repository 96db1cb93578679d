-- name: today
-- The company's today: a plan's next due date is past or to come by its calendar.
select (app.now() at time zone app.company_time_zone(%(tenant_id)s))::date as today

-- name: existing_agreements
-- The plans already on the company's properties, to match the file's rows against.
select a.id, a.customer_id, a.property_id, a.name, a.months::integer[] as months, a.starts_on,
       a.ends_on, a.status, a.notes, a.first_due_on
from public.service_agreements a
where a.tenant_id = %(tenant_id)s

-- name: insert_agreements
-- The property must be the customer's: the customer comes from the property, and the
-- composite foreign key says so too.
insert into public.service_agreements
  (tenant_id, customer_id, property_id, name, months, starts_on, ends_on, status, notes,
   first_due_on)
select p.tenant_id, p.customer_id, p.id, r.name, r.months, r.starts_on, r.ends_on, r.status,
       coalesce(r.notes, ''), r.first_due_on
from jsonb_to_recordset(%(rows)s::jsonb) as r(
       property_id uuid, name text, months smallint[], starts_on date, ends_on date,
       status text, notes text, first_due_on date)
join public.properties p on p.tenant_id = %(tenant_id)s and p.id = r.property_id
returning id

-- name: update_agreements
-- What the file says wins; what it leaves blank keeps the plan's value. `before` is the row
-- as it was (the statement's snapshot), for undo.
with r as (
  select * from jsonb_to_recordset(%(rows)s::jsonb) as r(
    target_id uuid, name text, months smallint[], starts_on date, ends_on date, status text,
    notes text, first_due_on date)
), old as (
  select a.id, to_jsonb(a) as before
  from public.service_agreements a join r on r.target_id = a.id
  where a.tenant_id = %(tenant_id)s
)
update public.service_agreements a
   set name = coalesce(r.name, a.name), months = coalesce(r.months, a.months),
       starts_on = coalesce(r.starts_on, a.starts_on), ends_on = coalesce(r.ends_on, a.ends_on),
       status = coalesce(r.status, a.status), notes = coalesce(r.notes, a.notes),
       first_due_on = coalesce(r.first_due_on, a.first_due_on), updated_at = now()
  from r join old on old.id = r.target_id
 where a.tenant_id = %(tenant_id)s and a.id = r.target_id
returning a.id, old.before
