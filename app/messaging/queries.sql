-- name: outbox_page
select id, channel, kind, to_address, subject, created_at from outbox.messages
where tenant_id = %(tenant_id)s order by created_at desc, id
limit %(limit)s offset %(offset)s

-- name: outbox_message
select id, channel, kind, to_address, subject, body_text, created_at from outbox.messages
where tenant_id = %(tenant_id)s and id = %(id)s

-- name: queue_message
-- A message with an occasion already queued is left alone (app/messaging/outgoing.py).
insert into public.messages
  (tenant_id, channel, kind, purpose, urgent, subject_id, occasion, customer_id, property_id,
   conversation_id, campaign_id, to_address, subject, body, not_before)
values
  (%(tenant_id)s, %(channel)s, %(kind)s, %(purpose)s, %(urgent)s, %(subject_id)s,
   %(occasion)s, %(customer_id)s, %(property_id)s, %(conversation_id)s, %(campaign_id)s,
   %(to)s, %(subject)s, %(body)s, coalesce(%(not_before)s, app.now()))
on conflict (tenant_id, kind, channel, subject_id, occasion)
  where direction = 'out' and occasion is not null
  do nothing
returning id, status, blocked_reason, not_before

-- name: message_template
select enabled, sms_body, email_subject, email_body from public.message_templates
where tenant_id = %(tenant_id)s and kind = %(kind)s
