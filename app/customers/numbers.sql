-- A customer's other phones and emails, and their contact people's (beyond the one number
-- texts go to and the one address mail goes to).

-- name: list_phones
select ph.id, ph.contact_id, ph.kind, ph.number, ph.extension
from public.customer_phones ph
where ph.tenant_id = %(tenant_id)s and ph.customer_id = %(customer_id)s
order by ph.created_at, ph.id

-- name: list_emails
select em.id, em.contact_id, em.kind, em.email
from public.customer_emails em
where em.tenant_id = %(tenant_id)s and em.customer_id = %(customer_id)s
order by em.created_at, em.id

-- name: add_phone
-- The customer is the contact's own (a contact's number cannot be filed under another customer).
insert into public.customer_phones (tenant_id, customer_id, contact_id, kind, number, extension)
select %(tenant_id)s, c.id, %(contact_id)s, %(kind)s, %(number)s, %(extension)s
  from public.customers c
 where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
   and (%(contact_id)s::uuid is null or exists (
        select from public.customer_contacts ct
         where ct.tenant_id = c.tenant_id and ct.id = %(contact_id)s and ct.customer_id = c.id))
returning id

-- name: add_email
insert into public.customer_emails (tenant_id, customer_id, contact_id, kind, email)
select %(tenant_id)s, c.id, %(contact_id)s, %(kind)s, %(email)s
  from public.customers c
 where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
   and (%(contact_id)s::uuid is null or exists (
        select from public.customer_contacts ct
         where ct.tenant_id = c.tenant_id and ct.id = %(contact_id)s and ct.customer_id = c.id))
returning id

-- name: phone
select ph.id, ph.customer_id, ph.contact_id, ph.kind, ph.number, ph.extension
from public.customer_phones ph
where ph.tenant_id = %(tenant_id)s and ph.id = %(id)s

-- name: email
select em.id, em.customer_id, em.contact_id, em.kind, em.email
from public.customer_emails em
where em.tenant_id = %(tenant_id)s and em.id = %(id)s

-- name: remove_phone
delete from public.customer_phones where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: remove_email
delete from public.customer_emails where tenant_id = %(tenant_id)s and id = %(id)s
returning id
