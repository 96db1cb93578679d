-- The demo data's statements (app/demo), run as the database owner by `flask seed demo`.

-- name: act_as
select set_config('request.jwt.claims', %(claims)s, true)

-- name: move_company_to_chicago
update public.tenants
set time_zone = 'America/Chicago'
where id = %(tenant)s

-- name: invite_office_member
insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
values (%(tenant)s, 'office@acme.example', 'office', sha256(convert_to(gen_random_uuid()::text, 'UTF8')), %(owner)s, now() + interval '7 days')

-- name: lock_demo_seed
select pg_advisory_xact_lock(5404102)

-- name: change_member_role
update public.memberships
set role = %(role)s, updated_at = now()
where tenant_id = %(tenant)s and email = 'tech2@acme.example'

-- name: create_demo_member
with account as (
insert into iam.accounts (email, full_name, password_hash)
values (%(email)s, %(name)s, %(hash)s)
returning id, email, full_name)
insert into public.memberships (tenant_id, account_id, full_name, email, role)
select %(tenant)s, id, full_name, email, %(role)s
from account

-- name: account_by_email
select id
from iam.accounts
where email = %(email)s

-- name: account_exists
select 1
from iam.accounts
where email = %(email)s

-- name: create_demo_company
insert into public.tenants (name, time_zone)
values (%(name)s, 'America/New_York')
returning id

-- name: demo_company
select t.id
from public.tenants t
join public.memberships m on m.tenant_id = t.id
where m.email = %(email)s and m.role = 'owner'

-- name: demo_technicians
select account_id
from public.memberships
where tenant_id = %(t)s and role = 'technician' and status = 'active' and email = any(%(emails)s)
order by email

-- name: has_customers
select 1
from public.customers
where tenant_id = %(t)s
limit 1

-- name: has_jobs
select 1
from public.jobs
where tenant_id = %(t)s
limit 1

-- name: insert_property
insert into public.properties (tenant_id, customer_id, street, city, region, postal_code, property_type, square_feet, year_built)
values (%(t)s, %(c)s, %(street)s, %(city)s, 'IL', %(zip)s, %(type)s, %(sqft)s, %(built)s)
returning id

-- name: insert_customer
insert into public.customers (tenant_id, kind, first_name, last_name, company_name, email, phone, lead_source, tags, marketing_consent, marketing_consent_at, marketing_consent_source)
values (%(t)s, %(kind)s, %(first)s, %(last)s, %(company)s, %(email)s, %(phone)s, %(source)s, %(tags)s, %(consent)s, case when %(consent)s then now() end, case when %(consent)s then 'signup form' else '' end)
returning id

-- name: insert_equipment
insert into public.equipment (tenant_id, property_id, kind, brand, model, serial, installed_on, warranty_ends_on, seer2, afue, hspf2, refrigerant, filter_size)
values (%(t)s, %(p)s, %(kind)s, %(brand)s, %(model)s, %(serial)s, %(installed)s, %(warranty)s, %(seer2)s, %(afue)s, %(hspf2)s, %(refrigerant)s, %(filter)s)

-- name: insert_contact
insert into public.customer_contacts (tenant_id, customer_id, full_name, title, phone)
values (%(t)s, %(c)s, %(name)s, 'Property manager', %(phone)s)

-- name: insert_time_off
insert into public.time_off (tenant_id, technician_id, during, reason)
values (%s, %s, tstzrange(%s, %s), 'Dentist appointment')

-- name: insert_job
insert into public.jobs (tenant_id, customer_id, property_id, kind, priority, summary, description)
values (%s, %s, %s, %s, %s, %s, %s)
returning id

-- name: insert_visit
insert into public.visits (tenant_id, job_id, status, window_starts_at, window_ends_at, duration_minutes)
values (%s, %s, 'scheduled', %s, %s, %s)
returning id

-- name: insert_assignment
insert into public.visit_assignments (tenant_id, visit_id, technician_id)
values (%s, %s, %s)

-- name: stamp_visit_times
update public.visits
set scheduled_at = %(booked)s, dispatched_at = case when dispatched_at is not null then %(dispatched)s end, en_route_at = case when en_route_at is not null then %(en_route)s end, arrived_at = case when arrived_at is not null then %(arrived)s end, completed_at = case when completed_at is not null then %(done)s end
where tenant_id = %(t)s and id = %(v)s

-- name: tick_checklist
update public.visit_checklist_items i
set done_at = %(arrived)s + make_interval(mins => 6 * i.position), done_by = a.technician_id
from public.visit_assignments a
where a.tenant_id = i.tenant_id and a.visit_id = i.visit_id and i.tenant_id = %(t)s and i.visit_id = %(v)s

-- name: date_service_records
update public.equipment_service_records r
set serviced_at = v.completed_at
from public.visits v
where v.tenant_id = r.tenant_id and v.id = r.visit_id and r.tenant_id = %(t)s and r.visit_id = %(v)s

-- name: generate_maintenance_jobs
select app.generate_maintenance_jobs(%s, %s)

-- name: database_now
select now()

-- name: company_time_zone
select time_zone
from public.tenants
where id = %s

-- name: set_visit_status
update public.visits
set status = %s, completion_notes = %s, unsigned_reason = %s
where tenant_id = %s and id = %s

-- name: insert_visit_notes
insert into public.visit_notes (tenant_id, visit_id, author_id, body, created_at)
select a.tenant_id, a.visit_id, a.technician_id, %(body)s, %(arrived)s + interval '20 minutes'
from public.visit_assignments a
where a.tenant_id = %(t)s and a.visit_id = %(v)s

-- name: cancel_visit
update public.visits
set status = 'canceled', cancel_reason = %s
where tenant_id = %s and id = %s

-- name: insert_waiting_visit
insert into public.visits (tenant_id, job_id, duration_minutes)
values (%s, %s, %s)

-- name: insert_agreement
insert into public.service_agreements (tenant_id, customer_id, property_id, name, months, starts_on, notes)
values (%s, %s, %s, %s, %s, %s, %s)

-- name: properties_with_equipment
select p.id, p.customer_id, c.display_name, coalesce(jsonb_object_agg(e.kind, e.id) filter (where e.id is not null), '{}') as equipment
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
left join public.equipment e on e.tenant_id = p.tenant_id and e.property_id = p.id
where p.tenant_id = %s
group by p.id, p.customer_id, c.display_name, c.email, p.street
order by c.email, p.street

-- name: insert_job_equipment
insert into public.job_equipment (tenant_id, job_id, equipment_id)
values (%s, %s, %s)

-- name: later_scheduled_visits
select id
from public.visits
where tenant_id = %s and status = 'scheduled' and window_starts_at > %s
order by window_starts_at

-- name: has_price_items
select 1
from public.price_items
where tenant_id = %(t)s
limit 1

-- name: insert_price_category
insert into public.price_categories (tenant_id, name)
values (%(t)s, %(name)s)
returning id

-- name: insert_price_item
insert into public.price_items (tenant_id, kind, code, name, description, category_id, unit, price, cost, markup_percent, member_price, member_discount_percent, taxable, archived_at)
values (%(t)s, %(kind)s, %(code)s, %(name)s, %(description)s, %(category)s, %(unit)s, %(price)s, %(cost)s, %(markup)s, %(member_price)s, %(member_discount)s, %(taxable)s, case when %(archived)s then now() end)
returning id

-- name: insert_package_part
insert into public.price_package_parts (tenant_id, package_id, item_id, item_kind, quantity, position)
select i.tenant_id, %(package)s, i.id, i.kind, %(quantity)s, %(position)s
from public.price_items i
where i.tenant_id = %(t)s and i.id = %(item)s

-- name: insert_tax_rate
insert into public.tax_rates (tenant_id, name, percent)
values (%(t)s, %(name)s, %(percent)s)

-- name: has_estimates
select 1
from public.estimates
where tenant_id = %(t)s
limit 1

-- name: demo_line_items
-- The active items of the book, as a document's line copies them (pricebook.line_from_item).
select id, code, kind, name, description, unit, price, member_price, member_discount_percent, taxable
from public.price_items
where tenant_id = %(t)s and archived_at is null and code is not null

-- name: estimate_places
-- Where the demo's estimates are made: the estimate visits' jobs first, then the homes of
-- customers without jobs, in a fixed order.
select * from (
  select j.property_id, j.id as job_id, 0 as rank, c.email
  from public.jobs j
  join public.customers c on c.tenant_id = j.tenant_id and c.id = j.customer_id
  where j.tenant_id = %(t)s and j.kind = 'estimate'
  union all
  select p.id, null, 1, c.email
  from public.properties p
  join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
  where p.tenant_id = %(t)s and c.kind = 'residential'
    and not exists (select from public.jobs j where j.tenant_id = p.tenant_id and j.customer_id = p.customer_id)
) places
order by rank, email, property_id
limit %(n)s

-- name: insert_demo_estimate
insert into public.estimates (tenant_id, customer_id, property_id, job_id, revises_id, title, note, valid_until, currency, number, created_at, updated_at)
select %(t)s, p.customer_id, p.id, %(job)s, %(revises)s, %(title)s, %(note)s, %(valid_until)s, t.currency, 0, %(at)s, %(at)s
from public.properties p
join public.tenants t on t.id = p.tenant_id
where p.tenant_id = %(t)s and p.id = %(property)s
returning id

-- name: copy_demo_estimate_tax_rates
insert into public.estimate_tax_rates (tenant_id, estimate_id, position, name, percent)
select %(t)s, %(estimate)s, (row_number() over (order by lower(r.name), r.id) - 1)::smallint, r.name, r.percent
from public.tax_rates r
where r.tenant_id = %(t)s and r.applies and r.archived_at is null

-- name: insert_demo_option
insert into public.estimate_options (tenant_id, estimate_id, position, name, description, created_at)
values (%(t)s, %(estimate)s, %(position)s, %(name)s, %(description)s, %(at)s)
returning id

-- name: insert_demo_estimate_line
insert into public.estimate_lines (tenant_id, estimate_id, option_id, position, price_item_id, kind, description, quantity, unit, unit_price, discount_percent, taxable, created_at)
values (%(t)s, %(estimate)s, %(option)s, %(position)s, %(price_item_id)s, %(kind)s, %(description)s, %(quantity)s, %(unit)s, %(unit_price)s, %(discount_percent)s, %(taxable)s, %(at)s)

-- name: move_demo_estimate
update public.estimates
set status = %(status)s, sent_at = %(sent_at)s, viewed_at = %(viewed_at)s, approved_option_id = %(option)s, approved_at = %(approved_at)s, declined_at = %(declined_at)s, decline_reason = %(reason)s, updated_at = %(at)s
where tenant_id = %(t)s and id = %(id)s

-- name: completed_visit_jobs
-- The jobs of completed visits, the earliest done first: what the demo's recent invoices bill.
select v.id as visit_id, v.job_id, j.property_id, v.completed_at, j.kind
from public.visits v
join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
where v.tenant_id = %(t)s and v.status = 'completed'
order by v.completed_at, j.summary, v.id

-- name: billed_homes
-- Homes of customers with a system, in a fixed order: what the demo's older invoices bill.
select p.id as property_id
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
where p.tenant_id = %(t)s and c.kind = 'residential'
order by c.email desc, p.street
limit %(n)s

-- name: insert_demo_invoice
insert into public.invoices (tenant_id, customer_id, property_id, job_id, visit_id, terms, issued_on, note, currency, bill_to_name, bill_to_email, bill_to_address, number, created_at, updated_at)
select %(t)s, p.customer_id, p.id, %(job)s, %(visit)s, %(terms)s, %(issued_on)s, %(note)s, t.currency, left(coalesce(nullif(btrim(c.display_name), ''), 'Customer'), 200), c.email, btrim(p.street || ' ' || p.unit) || E'\n' || p.city || case when p.region <> '' then ', ' || p.region else '' end || case when p.postal_code <> '' then ' ' || p.postal_code else '' end, 0, %(at)s, %(at)s
from public.properties p
join public.customers c on c.tenant_id = p.tenant_id and c.id = p.customer_id
join public.tenants t on t.id = p.tenant_id
where p.tenant_id = %(t)s and p.id = %(property)s
returning id

-- name: copy_demo_invoice_tax_rates
insert into public.invoice_tax_rates (tenant_id, invoice_id, position, name, percent)
select %(t)s, %(invoice)s, (row_number() over (order by lower(r.name), r.id) - 1)::smallint, r.name, r.percent
from public.tax_rates r
where r.tenant_id = %(t)s and r.applies and r.archived_at is null

-- name: insert_demo_invoice_line
insert into public.invoice_lines (tenant_id, invoice_id, position, price_item_id, kind, description, quantity, unit, unit_price, discount_percent, taxable, created_at)
values (%(t)s, %(invoice)s, %(position)s, %(price_item_id)s, %(kind)s, %(description)s, %(quantity)s, %(unit)s, %(unit_price)s, %(discount_percent)s, %(taxable)s, %(at)s)

-- name: send_demo_invoice
update public.invoices
set status = 'sent', sent_at = %(at)s, updated_at = %(at)s
where tenant_id = %(t)s and id = %(id)s and status = 'draft'

-- name: void_demo_invoice
update public.invoices
set status = 'void', voided_at = %(at)s, void_reason = %(reason)s, updated_at = %(at)s
where tenant_id = %(t)s and id = %(id)s

-- name: demo_invoice_balance
select total, balance
from public.invoice_totals
where tenant_id = %(t)s and invoice_id = %(id)s

-- name: insert_demo_payment
insert into public.payments (tenant_id, invoice_id, amount, method, reference, received_on, created_at)
values (%(t)s, %(invoice)s, %(amount)s, %(method)s, %(reference)s, %(received_on)s, %(at)s)

-- name: revise_demo_estimate
update public.estimates
set status = 'revised'
where tenant_id = %(t)s and id = %(id)s and status = 'sent'

-- name: demo_member_homes
-- The homes of customers on an active maintenance plan: their lines get the member price.
select p.id
from public.properties p
join public.service_agreements a on a.tenant_id = p.tenant_id and a.customer_id = p.customer_id
where p.tenant_id = %(t)s and a.status = 'active' and a.starts_on <= current_date and (a.ends_on is null or a.ends_on >= current_date)

-- name: has_campaigns
select 1
from public.campaigns
where tenant_id = %(t)s
limit 1

-- name: insert_demo_campaign
-- A draft the office can preview: a text to customers whose plan's tune-up is due.
insert into public.campaigns (tenant_id, name, audience, due_within_days, channel, sms_body,
                              email_subject, email_body, per_minute)
values (%(t)s, 'Furnace tune-up reminder', 'tune_up_due', 30, 'sms',
        'Hi {first_name}, it''s {company}: your furnace tune-up is due. Reply to this text to'
        ' book a time.', '', '', 30)

-- name: open_demo_booking_page
-- The demo company's public booking page, on, at a readable link (online bookings go straight
-- on the board); its slug.
update public.online_booking_settings
   set public_page = true, slug = 'acme-heating-and-air', needs_confirmation = false,
       kinds = '{repair,maintenance,estimate}', updated_at = now()
 where tenant_id = %(t)s
returning slug
