-- name: get_details
-- The signed-in customer's own details and choices (their own policy).
select c.kind, c.company_name, c.first_name, c.last_name, c.email, c.phone,
       c.preferred_contact, c.transactional_messages, c.marketing_consent,
       c.marketing_by_sms, c.marketing_by_email, c.marketing_consent_at
from public.customers c
where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s

-- name: update_details
-- Only these columns of the signed-in customer (the definer takes the customer from the
-- session); the table's constraints refuse bad values.
select app.portal_update_details(
  %(first_name)s, %(last_name)s, %(email)s, %(phone)s, %(preferred_contact)s,
  %(transactional_messages)s, %(marketing_by_sms)s, %(marketing_by_email)s
)
