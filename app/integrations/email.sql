-- name: queue_email
insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
values (%(tenant_id)s, 'email', %(kind)s, %(to)s, %(subject)s, %(text)s)
