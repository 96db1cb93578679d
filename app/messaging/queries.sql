-- name: outbox_page
select id, channel, kind, to_address, subject, created_at from outbox.messages
where tenant_id = %(tenant_id)s order by created_at desc, id
limit %(limit)s offset %(offset)s

-- name: outbox_message
select id, channel, kind, to_address, subject, body_text, created_at from outbox.messages
where tenant_id = %(tenant_id)s and id = %(id)s
