-- Estimates: their reads and writes. Every statement names the company; the policies decide
-- again who may read and change what (office staff; technicians for their own jobs).

-- name: list_estimates
-- A page of estimates, newest first, in a status, for a customer's name or an estimate's
-- number, made within days of the company's calendar, for a job a technician has a visit of,
-- with each one's lowest and highest option total (the approved option's when there is one)
-- and the technicians of its job. One row more than the page says whether another follows;
-- with no limit, the whole list (its CSV file).
select e.id, e.number, e.revision, e.title, s.status, e.valid_until, e.created_at, e.sent_at,
       (e.created_at at time zone %(zone)s)::date as made_on,
       e.customer_id, c.display_name as customer_name, e.job_id, e.currency,
       t.low, t.high, t.options, approved.total as approved_total, crew.names as technicians
from public.estimates e
-- An estimate sent and not answered by the end of its validity is expired, whatever a
-- worker has written yet.
cross join lateral (
  select case when e.status in ('sent', 'viewed') and e.valid_until < %(today)s
              then 'expired' else e.status end as status
) s
join public.customers c on c.tenant_id = e.tenant_id and c.id = e.customer_id
left join lateral (
  select min(o.total) as low, max(o.total) as high, count(*) as options
  from public.estimate_option_totals o
  where o.tenant_id = e.tenant_id and o.estimate_id = e.id
) t on true
left join lateral (
  select o.total from public.estimate_option_totals o
  where o.tenant_id = e.tenant_id and o.estimate_id = e.id and o.option_id = e.approved_option_id
) approved on true
left join lateral (
  select string_agg(distinct m.full_name, ', ') as names
  from public.visits v
  join public.visit_assignments a on a.tenant_id = v.tenant_id and a.visit_id = v.id
  join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
  where v.tenant_id = e.tenant_id and v.job_id = e.job_id and v.status <> 'canceled'
) crew on true
where e.tenant_id = %(tenant_id)s
  and (%(status)s::text is null or s.status = %(status)s)
  and (%(status)s::text is not null or s.status <> 'revised')
  and (%(number)s::integer is null or e.number = %(number)s)
  and (%(pattern)s::text is null or c.search_text like %(pattern)s)
  and (%(starts)s::date is null or e.created_at >= %(starts)s::timestamp at time zone %(zone)s)
  and (%(ends)s::date is null
       or e.created_at < (%(ends)s::date + 1)::timestamp at time zone %(zone)s)
  and (%(technician_id)s::uuid is null or exists (
    select from public.visit_assignments a
    join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
    where a.tenant_id = e.tenant_id and a.technician_id = %(technician_id)s
      and v.job_id = e.job_id and v.status <> 'canceled'
  ))
order by e.created_at desc, e.id desc
limit %(limit)s offset %(offset)s

-- name: estimate
-- One estimate with whom and where it is for.
select e.id, e.number, e.revision, e.revises_id, e.title, e.note, e.valid_until, e.currency,
       case when e.status in ('sent', 'viewed') and e.valid_until < %(today)s
            then 'expired' else e.status end as status,
       e.approved_option_id, e.sent_at, e.viewed_at, e.approved_at, e.declined_at,
       e.decline_reason, e.created_at, e.updated_at, e.created_by, e.approved_by_name,
       e.approved_from, e.signature_key, e.approved_visit_id, e.approval_recorded_by,
       (select r.full_name from public.memberships r
         where r.tenant_id = e.tenant_id and r.account_id = e.approval_recorded_by)
         as approval_recorded_by_name,
       e.customer_id, c.display_name as customer_name, c.email as customer_email,
       coalesce(nullif(c.first_name, ''), c.display_name) as customer_first_name,
       c.phone as customer_phone, c.preferred_contact as customer_preferred_contact,
       e.property_id, p.street, p.unit, p.city, p.region, p.postal_code,
       e.job_id, j.summary as job_summary,
       m.full_name as created_by_name,
       (select max(r.revision) from public.estimates r
         where r.tenant_id = e.tenant_id and r.number = e.number) as latest_revision,
       (select r.id from public.estimates r
         where r.tenant_id = e.tenant_id and r.revises_id = e.id) as revised_by_id,
       -- Member prices for a customer with an active plan (a yes or no even a technician,
       -- who sees no plans, may read).
       app.customer_has_plan(e.customer_id) as member
from public.estimates e
join public.customers c on c.tenant_id = e.tenant_id and c.id = e.customer_id
join public.properties p on p.tenant_id = e.tenant_id and p.id = e.property_id
left join public.jobs j on j.tenant_id = e.tenant_id and j.id = e.job_id
left join public.memberships m on m.tenant_id = e.tenant_id and m.account_id = e.created_by
where e.tenant_id = %(tenant_id)s and e.id = %(id)s

-- name: options
select id, position, name, description from public.estimate_options
where tenant_id = %(tenant_id)s and estimate_id = %(estimate_id)s
order by position

-- name: lines
select id, option_id, position, price_item_id, kind, description, quantity, unit, unit_price,
       discount_percent, taxable
from public.estimate_lines
where tenant_id = %(tenant_id)s and estimate_id = %(estimate_id)s
order by option_id, position, created_at, id

-- name: tax_rates
select id, name, percent from public.estimate_tax_rates
where tenant_id = %(tenant_id)s and estimate_id = %(estimate_id)s
order by position, name

-- name: place
-- Where a new estimate is for: a property (with its customer), and the job when it is made
-- from one (which must be at that property).
select p.id as property_id, p.customer_id, c.display_name as customer_name, p.street, p.unit,
       p.city, p.archived_at, j.id as job_id, j.summary as job_summary
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
left join public.jobs j
  on j.tenant_id = p.tenant_id and j.id = %(job_id)s and j.property_id = p.id
where p.tenant_id = %(tenant_id)s and p.id = %(property_id)s

-- name: job_place
select property_id from public.jobs where tenant_id = %(tenant_id)s and id = %(job_id)s

-- name: insert_estimate
-- The number is given by the database (app.number_estimate); the company's currency and
-- applying tax rates are copied onto the estimate.
insert into public.estimates (
  tenant_id, customer_id, property_id, job_id, title, note, valid_until, currency, number
)
select %(tenant_id)s, p.customer_id, p.id, %(job_id)s, %(title)s, %(note)s, %(valid_until)s,
       t.currency, 0
from public.properties p
join public.tenants t on t.id = p.tenant_id
where p.tenant_id = %(tenant_id)s and p.id = %(property_id)s
returning id, number

-- name: copy_tax_rates
insert into public.estimate_tax_rates (tenant_id, estimate_id, position, name, percent)
select %(tenant_id)s, %(estimate_id)s,
       (row_number() over (order by lower(r.name), r.id) - 1)::smallint, r.name, r.percent
from public.tax_rates r
where r.tenant_id = %(tenant_id)s and r.applies and r.archived_at is null

-- name: insert_option
insert into public.estimate_options (tenant_id, estimate_id, position, name, description)
select %(tenant_id)s, %(estimate_id)s,
       coalesce((select max(position) + 1 from public.estimate_options
                  where tenant_id = %(tenant_id)s and estimate_id = %(estimate_id)s), 0),
       %(name)s, %(description)s
returning id

-- name: option
select o.id, o.estimate_id, o.position, o.name, o.description, e.status
from public.estimate_options o
join public.estimates e on e.tenant_id = o.tenant_id and e.id = o.estimate_id
where o.tenant_id = %(tenant_id)s and o.id = %(id)s

-- name: update_option
update public.estimate_options set name = %(name)s, description = %(description)s
where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: delete_option
delete from public.estimate_options
where tenant_id = %(tenant_id)s and id = %(id)s
  and (select count(*) from public.estimate_options o
        where o.tenant_id = %(tenant_id)s and o.estimate_id = estimate_options.estimate_id) > 1
returning estimate_id

-- name: insert_line
insert into public.estimate_lines (
  tenant_id, estimate_id, option_id, position, price_item_id, kind, description, quantity,
  unit, unit_price, discount_percent, taxable
)
select %(tenant_id)s, o.estimate_id, o.id,
       coalesce((select max(l.position) + 1 from public.estimate_lines l
                  where l.tenant_id = o.tenant_id and l.option_id = o.id), 0),
       %(price_item_id)s, %(kind)s, %(description)s, %(quantity)s, %(unit)s, %(unit_price)s,
       %(discount_percent)s, %(taxable)s
from public.estimate_options o
where o.tenant_id = %(tenant_id)s and o.id = %(option_id)s
returning id

-- name: line
select l.id, l.estimate_id, l.option_id, l.kind, l.description, l.quantity, l.unit,
       l.unit_price, l.discount_percent, l.taxable, e.status, o.name as option_name
from public.estimate_lines l
join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
join public.estimate_options o on o.tenant_id = l.tenant_id and o.id = l.option_id
where l.tenant_id = %(tenant_id)s and l.id = %(id)s

-- name: update_line
update public.estimate_lines
   set description = %(description)s, quantity = %(quantity)s, unit = %(unit)s,
       unit_price = %(unit_price)s, discount_percent = %(discount_percent)s,
       taxable = %(taxable)s
 where tenant_id = %(tenant_id)s and id = %(id)s
returning estimate_id

-- name: delete_line
delete from public.estimate_lines where tenant_id = %(tenant_id)s and id = %(id)s
returning estimate_id

-- name: update_estimate
update public.estimates
   set title = %(title)s, note = %(note)s, valid_until = %(valid_until)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'draft'
returning id

-- name: mark_sent
update public.estimates set status = 'sent', sent_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'draft'
returning id

-- name: approve
-- Once: a second approval (two clicks, two tabs) finds it approved and changes nothing.
update public.estimates
   set status = 'approved', approved_option_id = %(option_id)s, approved_at = now(),
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('sent', 'viewed')
   and valid_until >= %(today)s
returning id

-- name: decline
update public.estimates
   set status = 'declined', declined_at = now(), decline_reason = %(reason)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status in ('sent', 'viewed')
returning id

-- name: mark_revised
update public.estimates set status = 'revised', updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
   and status in ('sent', 'viewed', 'declined', 'expired')
returning id

-- name: insert_revision
-- The next revision: a draft with the same number, customer, property and job, valid again
-- for as long as the first was.
insert into public.estimates (
  tenant_id, customer_id, property_id, job_id, title, note, valid_until, currency, number,
  revises_id
)
select e.tenant_id, e.customer_id, e.property_id, e.job_id, e.title, e.note,
       greatest(e.valid_until, %(today)s::date + (e.valid_until - e.created_at::date)),
       e.currency, e.number, e.id
from public.estimates e
where e.tenant_id = %(tenant_id)s and e.id = %(id)s
returning id

-- name: copy_options
insert into public.estimate_options (tenant_id, estimate_id, position, name, description)
select tenant_id, %(to_id)s, position, name, description from public.estimate_options
where tenant_id = %(tenant_id)s and estimate_id = %(from_id)s

-- name: copy_lines
insert into public.estimate_lines (
  tenant_id, estimate_id, option_id, position, price_item_id, kind, description, quantity,
  unit, unit_price, discount_percent, taxable
)
select l.tenant_id, %(to_id)s, n.id, l.position, l.price_item_id, l.kind, l.description,
       l.quantity, l.unit, l.unit_price, l.discount_percent, l.taxable
from public.estimate_lines l
join public.estimate_options o on o.tenant_id = l.tenant_id and o.id = l.option_id
join public.estimate_options n
  on n.tenant_id = l.tenant_id and n.estimate_id = %(to_id)s and n.position = o.position
where l.tenant_id = %(tenant_id)s and l.estimate_id = %(from_id)s

-- name: copy_estimate_tax_rates
insert into public.estimate_tax_rates (tenant_id, estimate_id, position, name, percent)
select tenant_id, %(to_id)s, position, name, percent from public.estimate_tax_rates
where tenant_id = %(tenant_id)s and estimate_id = %(from_id)s

-- name: delete_draft
delete from public.estimates
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'draft'
returning id

-- name: for_customer
-- The customer page's timeline: each estimate (latest revisions) at when it last changed.
select e.id, e.number, e.revision, e.title, e.status, e.updated_at as at
from public.estimates e
where e.tenant_id = %(tenant_id)s and e.customer_id = %(customer_id)s and e.status <> 'revised'
order by e.updated_at desc
limit 50

-- name: for_job
-- A job's estimates (latest revisions), newest first, with what they come to: the approved
-- option's total, or the lowest and highest of their options.
select e.id, e.number, e.revision, e.title, e.created_at, e.currency,
       case when e.status in ('sent', 'viewed') and e.valid_until < %(today)s
            then 'expired' else e.status end as status,
       t.low, t.high, approved.total as approved_total
from public.estimates e
left join lateral (
  select min(o.total) as low, max(o.total) as high from public.estimate_option_totals o
  where o.tenant_id = e.tenant_id and o.estimate_id = e.id
) t on true
left join lateral (
  select o.total from public.estimate_option_totals o
  where o.tenant_id = e.tenant_id and o.estimate_id = e.id and o.option_id = e.approved_option_id
) approved on true
where e.tenant_id = %(tenant_id)s and e.job_id = %(job_id)s and e.status <> 'revised'
order by e.created_at desc

-- name: send
-- A new link (earlier ones revoked), the draft marked sent, the message queued with the link
-- in it when a channel is given: app.send_estimate. The token comes back once.
select token, message_id, message_status, refusal
from app.send_estimate(%(id)s, %(channel)s, %(to)s, %(subject)s, %(body)s)

-- name: links
select l.id, l.sent_to, l.created_at, l.revoked_at, m.full_name as created_by_name
from public.estimate_links l
left join public.memberships m on m.tenant_id = l.tenant_id and m.account_id = l.created_by
where l.tenant_id = %(tenant_id)s and l.estimate_id = %(estimate_id)s
order by l.created_at desc

-- name: revoke_link
update public.estimate_links set revoked_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and revoked_at is null
returning estimate_id

-- name: signature_key
select signature_key from public.estimates
where tenant_id = %(tenant_id)s and id = %(id)s and signature_key is not null

-- name: link_place
-- As the token holder: which company's estimate a link opens (nothing when it is closed).
select tenant_id, estimate_id from app.estimate_link_place(%(token)s)

-- name: by_link
select app.estimate_by_link(%(token)s) as document

-- name: approve_by_link
select app.approve_estimate_by_link(%(token)s, %(option_id)s, %(signed_by)s, %(signature_key)s)
  as outcome

-- name: decline_by_link
select app.decline_estimate_by_link(%(token)s, %(reason)s) as outcome

-- name: photos
-- The photos an estimate shows, in its order, with where their files are kept.
select p.id, p.file_id, p.position, p.caption, f.storage_key, f.content_type
from public.estimate_photos p
join public.visit_files f on f.tenant_id = p.tenant_id and f.id = p.file_id
where p.tenant_id = %(tenant_id)s and p.estimate_id = %(estimate_id)s
order by p.position

-- name: job_photos
-- The photos of the visits of the estimate's job that it may show, oldest first (none for an
-- estimate without a job).
select f.id, f.created_at, v.window_starts_at as visit_starts_at
from public.estimates e
join public.visits v on v.tenant_id = e.tenant_id and v.job_id = e.job_id
join public.visit_files f on f.tenant_id = v.tenant_id and f.visit_id = v.id
where e.tenant_id = %(tenant_id)s and e.id = %(estimate_id)s and f.kind = 'photo'
order by f.created_at, f.id

-- name: clear_photos
delete from public.estimate_photos
where tenant_id = %(tenant_id)s and estimate_id = %(estimate_id)s

-- name: insert_photo
insert into public.estimate_photos (tenant_id, estimate_id, file_id, position, caption)
values (%(tenant_id)s, %(estimate_id)s, %(file_id)s, %(position)s, %(caption)s)

-- name: copy_photos
insert into public.estimate_photos (tenant_id, estimate_id, file_id, position, caption)
select tenant_id, %(to_id)s, file_id, position, caption from public.estimate_photos
where tenant_id = %(tenant_id)s and estimate_id = %(from_id)s

-- name: photo_by_link
-- As the token holder: one photo of the estimate the link opens (nothing otherwise).
select estimate_id, storage_key, content_type from app.estimate_photo_by_link(%(token)s, %(id)s)

-- name: approve_in_person
-- The homeowner's approval on the phone of the member recording it (the technician of the
-- estimate's job, or office staff): app.approve_estimate_in_person, once, like the link's.
select app.approve_estimate_in_person(%(id)s, %(option_id)s, %(signed_by)s, %(signature_key)s)
  as outcome
