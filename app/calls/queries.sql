-- name: properties_of
-- The matched customers' properties in use (an archived one takes no new work), each with its
-- equipment (for choosing where the job is).
select p.id, p.customer_id, p.label, p.street, p.unit, p.city, p.region, p.postal_code,
       coalesce((
         select json_agg(json_build_object('id', e.id, 'kind', e.kind, 'brand', e.brand,
                                           'model', e.model) order by e.created_at, e.id)
         from public.equipment e
         where e.tenant_id = p.tenant_id and e.property_id = p.id
       ), '[]'::json) as equipment
from public.properties p
where p.tenant_id = %(tenant_id)s and p.customer_id = any (%(customer_ids)s::uuid[])
  and p.archived_at is null
order by p.created_at, p.id

-- name: open_jobs_of
-- Jobs with a visit still to happen, newest first, a few per customer.
select j.* from unnest(%(customer_ids)s::uuid[]) as c(id)
cross join lateral (
  select j.id, j.customer_id, j.summary, j.kind, j.priority, j.created_at,
         (select min(v.window_starts_at) from public.visits v
           where v.tenant_id = j.tenant_id and v.job_id = j.id
             and v.status not in ('completed', 'canceled')) as next_window
  from public.jobs j
  where j.tenant_id = %(tenant_id)s and j.customer_id = c.id
    and exists (select from public.visits v
                where v.tenant_id = j.tenant_id and v.job_id = j.id
                  and v.status not in ('completed', 'canceled'))
  order by j.created_at desc, j.id
  limit %(per_customer)s
) j

-- name: last_visits_of
-- The latest finished visits, a few per customer.
select v.* from unnest(%(customer_ids)s::uuid[]) as c(id)
cross join lateral (
  select v.id, j.id as job_id, j.customer_id, j.summary, v.status,
         coalesce(v.completed_at, v.canceled_at) as at
  from public.jobs j
  join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
  where j.tenant_id = %(tenant_id)s and j.customer_id = c.id
    and v.status in ('completed', 'canceled')
  order by coalesce(v.completed_at, v.canceled_at) desc, v.id
  limit %(per_customer)s
) v

-- name: possible_duplicates
-- Customers a new caller may already be: the same phone, the same email, or the same name at
-- the same street, unit and city (the phone and email through their indexes; emails are kept in
-- lower case).
with candidates as (
  select c.id from public.customers c
  where c.tenant_id = %(tenant_id)s and %(phone)s <> '' and c.phone = %(phone)s
  union
  select c.id from public.customers c
  where c.tenant_id = %(tenant_id)s and %(email)s <> '' and c.email = lower(%(email)s)
  union
  select c.id from public.customers c
  where c.tenant_id = %(tenant_id)s and lower(c.display_name) = lower(%(display_name)s)
)
select c.id, c.display_name, c.phone, c.email,
       (%(phone)s <> '' and c.phone = %(phone)s) as same_phone,
       (%(email)s <> '' and c.email = lower(%(email)s)) as same_email,
       -- "Use this customer" books at this property; an archived one takes no new work, so
       -- the call then adds the address anew.
       case when p.archived_at is null then p.id end as same_address_property_id
from candidates k
join public.customers c on c.tenant_id = %(tenant_id)s and c.id = k.id
left join lateral (
  select p.id, p.archived_at from public.properties p
  where p.tenant_id = c.tenant_id and p.customer_id = c.id
    and lower(btrim(p.street)) = lower(btrim(%(street)s))
    and lower(btrim(p.unit)) = lower(btrim(%(unit)s))
    and lower(btrim(p.city)) = lower(btrim(%(city)s))
  order by p.archived_at is not null, p.created_at, p.id
  limit 1
) p on true
where (%(phone)s <> '' and c.phone = %(phone)s)
   or (%(email)s <> '' and c.email = lower(%(email)s))
   or (lower(c.display_name) = lower(%(display_name)s) and p.id is not null)
order by c.display_name, c.id
limit 5
