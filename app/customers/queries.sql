-- name: customer
select id, kind, first_name, last_name, company_name, display_name, email, phone,
       preferred_contact, tags, lead_source, notes, transactional_messages, marketing_consent,
       marketing_consent_at, marketing_consent_source, do_not_contact, restrict_processing,
       legal_hold, created_at, updated_at, phone_kind, phone_extension, billing_address,
       do_not_service, source_system, source_id
from public.customers
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: create_customer
insert into public.customers (
  tenant_id, kind, first_name, last_name, company_name, email, phone, preferred_contact, tags,
  lead_source, notes, transactional_messages, marketing_consent, marketing_consent_at,
  marketing_consent_source, do_not_contact, restrict_processing, phone_kind, phone_extension,
  billing_address, do_not_service
) values (
  %(tenant_id)s, %(kind)s, %(first_name)s, %(last_name)s, %(company_name)s, %(email)s, %(phone)s,
  %(preferred_contact)s, %(tags)s, %(lead_source)s, %(notes)s, %(transactional_messages)s,
  %(marketing_consent)s, case when %(marketing_consent)s then now() end,
  case when %(marketing_consent)s then %(marketing_consent_source)s else '' end,
  %(do_not_contact)s, %(restrict_processing)s, %(phone_kind)s, %(phone_extension)s,
  %(billing_address)s, %(do_not_service)s
)
returning id

-- name: update_customer
-- Consent keeps the time it was first given; withdrawing it clears both when and how.
update public.customers
   set kind = %(kind)s, first_name = %(first_name)s, last_name = %(last_name)s,
       company_name = %(company_name)s, email = %(email)s, phone = %(phone)s,
       preferred_contact = %(preferred_contact)s, tags = %(tags)s,
       lead_source = %(lead_source)s, notes = %(notes)s,
       transactional_messages = %(transactional_messages)s,
       marketing_consent_at = case when not %(marketing_consent)s then null
                                   when marketing_consent then marketing_consent_at
                                   else now() end,
       marketing_consent_source = case when %(marketing_consent)s
                                       then %(marketing_consent_source)s else '' end,
       marketing_consent = %(marketing_consent)s,
       do_not_contact = %(do_not_contact)s, restrict_processing = %(restrict_processing)s,
       phone_kind = %(phone_kind)s, phone_extension = %(phone_extension)s,
       billing_address = %(billing_address)s, do_not_service = %(do_not_service)s,
       updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: delete_customer
delete from public.customers where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: erase_customer
select app.erase_customer(%(id)s)

-- name: set_legal_hold
-- Owners and admins only (app.customers_legal_hold_guard); empty lifts the hold.
update public.customers set legal_hold = %(reason)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_restriction
update public.customers set restrict_processing = %(restricted)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: list_contacts
select id, customer_id, full_name, title, email, phone, phone_kind, phone_extension
from public.customer_contacts
where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s
order by full_name, id

-- name: contact
select ct.id, ct.customer_id, ct.full_name, ct.title, ct.email, ct.phone, ct.phone_kind,
       ct.phone_extension, c.display_name as customer_name
from public.customer_contacts ct
join public.customers c on c.tenant_id = ct.tenant_id and c.id = ct.customer_id
where ct.tenant_id = %(tenant_id)s and ct.id = %(id)s

-- name: create_contact
insert into public.customer_contacts (
  tenant_id, customer_id, full_name, title, email, phone, phone_kind, phone_extension
) values (
  %(tenant_id)s, %(customer_id)s, %(full_name)s, %(title)s, %(email)s, %(phone)s,
  %(phone_kind)s, %(phone_extension)s
)
returning id

-- name: update_contact
update public.customer_contacts
   set full_name = %(full_name)s, title = %(title)s, email = %(email)s, phone = %(phone)s,
       phone_kind = %(phone_kind)s, phone_extension = %(phone_extension)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: delete_contact
delete from public.customer_contacts where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: list_properties
-- Archived properties last.
select p.id, p.label, p.street, p.unit, p.city, p.region, p.postal_code, p.property_type,
       p.archived_at,
       (select count(*) from public.equipment e
         where e.tenant_id = p.tenant_id and e.property_id = p.id) as equipment_count
from public.properties p
where p.tenant_id = %(tenant_id)s and p.customer_id = %(customer_id)s
order by p.archived_at is not null, p.created_at, p.id

-- name: list_notes
select n.id, n.body, n.created_at, n.author_id, m.full_name as author_name
from public.customer_notes n
left join public.memberships m on m.tenant_id = n.tenant_id and m.account_id = n.author_id
where n.tenant_id = %(tenant_id)s and n.customer_id = %(customer_id)s
order by n.created_at desc, n.id desc
limit 200

-- name: note
select n.id, n.customer_id from public.customer_notes n
where n.tenant_id = %(tenant_id)s and n.id = %(id)s

-- name: create_note
insert into public.customer_notes (tenant_id, customer_id, author_id, body)
values (%(tenant_id)s, %(customer_id)s, auth.uid(), %(body)s)
returning id

-- name: delete_note
delete from public.customer_notes where tenant_id = %(tenant_id)s and id = %(id)s
returning id
