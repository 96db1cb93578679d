-- Messages about documents (app/messaging/document_messages.py).

-- name: wording
-- The company's name and phone for the greeting, and its own wording of the kind (nulls: the
-- built-in one), through app.message_template, which a technician may call too.
select t.name as company, t.phone as company_phone,
       w.enabled, w.sms_body, w.email_subject, w.email_body
from public.tenants t
left join app.message_template(%(kind)s) w on true
where t.id = %(tenant_id)s
