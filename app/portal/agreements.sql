-- name: list_agreements
-- The signed-in customer's service agreements (their own policy), each with its property and
-- its next tune-up: the next planned visit of one of its jobs, if one is booked.
select a.id, a.name, a.months, a.starts_on, a.ends_on, a.status, p.street, p.city,
       nv.window_starts_at as next_visit_starts_at, nv.window_ends_at as next_visit_ends_at,
       nv.status as next_visit_status, nv.id as next_visit_id
from public.service_agreements a
join public.properties p on p.tenant_id = a.tenant_id and p.id = a.property_id
left join lateral (
  select v.id, v.window_starts_at, v.window_ends_at, v.status
  from public.jobs j
  join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
  where j.tenant_id = a.tenant_id and j.agreement_id = a.id
    and v.status in ('scheduled', 'dispatched', 'en_route', 'on_site')
    and v.window_starts_at >= now() - interval '12 hours'
  order by v.window_starts_at
  limit 1
) nv on true
where a.tenant_id = %(tenant_id)s and a.customer_id = %(customer_id)s
order by a.status = 'active' desc, a.starts_on desc
