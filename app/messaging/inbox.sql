-- name: twilio_endpoint
select tenant_id, account_id, account_sid, auth_token from app.twilio_endpoint(%(endpoint_id)s)

-- name: receive_text
select app.receive_text(%(endpoint_id)s, %(message_sid)s, %(from)s, %(to)s, %(body)s) as outcome

-- name: receive_stop_while_closed
select app.receive_stop_while_closed(%(endpoint_id)s, %(from)s, %(body)s) as outcome

-- name: record_text_status
select app.record_text_status(%(endpoint_id)s, %(message_sid)s, %(status)s, %(failure)s)
  as outcome

-- name: conversations_page
-- Newest first; `unread` counts the homeowner's texts since the office last opened it.
select c.id, c.phone, c.customer_id, cu.display_name, c.last_message_at, u.unread,
       last.body as last_body, last.direction as last_direction
from public.conversations c
left join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
cross join lateral (
  select count(*) as unread from public.messages m
  where m.tenant_id = c.tenant_id and m.conversation_id = c.id and m.direction = 'in'
    and m.created_at > coalesce(c.last_read_at, '-infinity')
) u
left join lateral (
  select m.body, m.direction from public.messages m
  where m.tenant_id = c.tenant_id and m.conversation_id = c.id
  order by m.created_at desc, m.id desc limit 1
) last on true
where c.tenant_id = %(tenant_id)s
order by c.last_message_at desc, c.id
limit %(limit)s offset %(offset)s

-- name: unread_total
-- Only conversations with something newer than their read mark are counted (the menu's badge).
select coalesce(sum(u.unread), 0)::integer as unread
from public.conversations c
cross join lateral (
  select count(*) as unread from public.messages m
  where m.tenant_id = c.tenant_id and m.conversation_id = c.id and m.direction = 'in'
    and m.created_at > coalesce(c.last_read_at, '-infinity')
) u
where c.tenant_id = %(tenant_id)s
  and c.last_message_at > coalesce(c.last_read_at, '-infinity')

-- name: conversation
select c.id, c.phone, c.customer_id, c.last_read_at, c.last_message_at, cu.display_name,
       o.opted_out_at, o.keyword as opted_out_with
from public.conversations c
left join public.customers cu on cu.tenant_id = c.tenant_id and cu.id = c.customer_id
left join public.sms_opt_outs o on o.tenant_id = c.tenant_id and o.phone = c.phone
where c.tenant_id = %(tenant_id)s and c.id = %(id)s

-- name: thread
-- The newest messages of the conversation (the page shows them oldest first).
select m.id, m.direction, m.kind, m.purpose, m.body, m.status, m.blocked_reason, m.failure,
       m.created_at, m.not_before, m.sent_at, m.delivered_at
from public.messages m
where m.tenant_id = %(tenant_id)s and m.conversation_id = %(id)s
order by m.created_at desc, m.id desc
limit %(limit)s

-- name: mark_read
update public.conversations c set last_read_at = now()
where c.tenant_id = %(tenant_id)s and c.id = %(id)s
  and (c.last_read_at is null or c.last_read_at < c.last_message_at)
returning c.id

-- name: attach_customer
select app.attach_conversation(%(id)s, %(customer_id)s) as attached

-- name: customer_texts
-- The customer page: the latest messages of their most recent conversation.
select c.id as conversation_id, c.phone, m.id, m.direction, m.body, m.status,
       m.blocked_reason, m.failure, m.created_at
from (
  select c.tenant_id, c.id, c.phone from public.conversations c
  where c.tenant_id = %(tenant_id)s and c.customer_id = %(customer_id)s
  order by c.last_message_at desc limit 1
) c
left join lateral (
  select m.id, m.direction, m.body, m.status, m.blocked_reason, m.failure, m.created_at
  from public.messages m
  where m.tenant_id = c.tenant_id and m.conversation_id = c.id
  order by m.created_at desc, m.id desc limit %(shown)s
) m on true
order by m.created_at nulls first

-- name: customer_opt_outs
-- The customer's numbers (their phone and their conversations') that texted STOP.
select o.phone, o.keyword, o.opted_out_at
from public.sms_opt_outs o
where o.tenant_id = %(tenant_id)s
  and o.phone in (select cu.phone from public.customers cu
                  where cu.tenant_id = %(tenant_id)s and cu.id = %(customer_id)s
                  union
                  select c.phone from public.conversations c
                  where c.tenant_id = %(tenant_id)s and c.customer_id = %(customer_id)s)
order by o.opted_out_at
