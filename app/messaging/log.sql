-- name: message_log
-- The office's message log, newest first: every message in and out, found by the recipient's
-- or sender's number or address, the customer's name or the text, filtered by channel, kind,
-- status and days (the company's calendar). One row more than a page says whether another
-- follows; with no limit, the whole log (its CSV file). Bodies as stored: the worker removed
-- document links from them once sent.
select m.id, m.created_at, m.direction, m.channel, m.kind, m.purpose, m.status,
       m.blocked_reason, m.failure, m.to_address, m.from_address, m.subject, m.body,
       m.sent_at, m.delivered_at, c.id as customer_id, c.display_name as customer_name,
       m.campaign_id
from public.messages m
left join public.conversations v on v.tenant_id = m.tenant_id and v.id = m.conversation_id
-- The message's customer, or its conversation's (a text received before the number was known).
left join public.customers c
  on c.tenant_id = m.tenant_id and c.id = coalesce(m.customer_id, v.customer_id)
where m.tenant_id = %(tenant_id)s
  and (%(channel)s::text is null or m.channel = %(channel)s)
  and (%(kind)s::text is null or m.kind = %(kind)s)
  and (%(status)s::text is null or m.status = %(status)s)
  and (%(starts)s::date is null
       or m.created_at >= (%(starts)s::date::timestamp at time zone %(zone)s))
  and (%(ends)s::date is null
       or m.created_at < ((%(ends)s::date + 1)::timestamp at time zone %(zone)s))
  and (%(pattern)s::text is null
       or lower(m.to_address) like %(pattern)s or lower(m.from_address) like %(pattern)s
       or lower(m.subject) like %(pattern)s or lower(m.body) like %(pattern)s
       or c.search_text like %(pattern)s)
order by m.created_at desc, m.id desc
limit %(limit)s offset %(offset)s

-- name: for_customer
-- The customer page's timeline: each message to or from the customer (or in a conversation
-- attached to them), at when it was made.
select m.id, m.direction, m.channel, m.kind, m.status, m.blocked_reason, m.subject,
       left(m.body, 160) as snippet, length(m.body) > 160 as cut, m.created_at as at
from public.messages m
where m.tenant_id = %(tenant_id)s
  and (m.customer_id = %(customer_id)s
       or m.conversation_id in (select v.id from public.conversations v
                                where v.tenant_id = %(tenant_id)s
                                  and v.customer_id = %(customer_id)s))
order by m.created_at desc
limit 50
