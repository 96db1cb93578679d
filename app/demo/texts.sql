-- name: has_conversations
select 1 from public.conversations where tenant_id = %(t)s limit 1

-- name: texting_customer
-- The first demo customer (by name) with a phone and a property, for a conversation.
select c.id, c.first_name, c.phone from public.customers c
where c.tenant_id = %(t)s and c.phone <> ''
  and exists (select from public.properties p where p.tenant_id = c.tenant_id and p.customer_id = c.id)
order by c.last_name, c.first_name, c.id
limit 1

-- name: start_conversation
insert into public.conversations (tenant_id, phone, customer_id, last_message_at, last_read_at)
values (%(t)s, %(phone)s, %(customer)s, now() - interval '2 days',
        now() - interval '23 hours 20 minutes')
returning id

-- name: inbound_text
insert into public.messages
  (tenant_id, direction, channel, kind, purpose, customer_id, conversation_id, to_address,
   from_address, body, time_zone, status, provider_id, created_at)
select %(t)s, 'in', 'sms', 'inbound', 'conversation', %(customer)s, %(conversation)s,
       '+13125550100', %(phone)s, %(body)s, t.time_zone, 'received',
       'SM' || md5(%(conversation)s::text || %(body)s), now() - %(ago)s::interval
from public.tenants t where t.id = %(t)s

-- name: office_reply
insert into public.messages
  (tenant_id, channel, kind, purpose, customer_id, conversation_id, to_address, body,
   created_at)
values (%(t)s, 'sms', 'reply', 'conversation', %(customer)s, %(conversation)s, %(phone)s,
        %(body)s, now() - %(ago)s::interval)
returning id

-- name: reply_kept
-- Answered a day ago and kept in the outbox (the demo company has no Twilio account).
with kept as (
  insert into outbox.messages (tenant_id, channel, kind, to_address, body_text, created_at)
  values (%(t)s, 'sms', 'reply', %(phone)s, %(body)s, now() - %(ago)s::interval)
  returning id
)
update public.messages m
   set status = 'sent', provider_id = 'outbox:' || kept.id, sent_at = now() - %(ago)s::interval
  from kept
 where m.tenant_id = %(t)s and m.id = %(id)s
