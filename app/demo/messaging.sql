-- name: messaging_account
-- No keys: the demo company's messages land in the outbox.
insert into public.messaging_accounts (tenant_id, review_url, reminder_time)
values (%(t)s, 'https://g.page/r/acme-heating-and-air/review', '17:30')
on conflict (tenant_id) do nothing
returning id

-- name: own_template
insert into public.message_templates (tenant_id, kind, sms_body, email_subject, email_body)
values (%(t)s, %(kind)s, %(sms)s, %(subject)s, %(body)s)
on conflict (tenant_id, kind) do nothing
