-- name: company_templates
select kind, enabled, sms_body, email_subject, email_body from public.message_templates
where tenant_id = %(tenant_id)s

-- name: save_template
insert into public.message_templates (tenant_id, kind, sms_body, email_subject, email_body)
values (%(tenant_id)s, %(kind)s, %(sms_body)s, %(email_subject)s, %(email_body)s)
on conflict (tenant_id, kind) do update
  set sms_body = excluded.sms_body, email_subject = excluded.email_subject,
      email_body = excluded.email_body, updated_at = now()
returning id

-- name: set_enabled
-- A company that turns a kind off before rewording it keeps the built-in wording in its row.
insert into public.message_templates
  (tenant_id, kind, enabled, sms_body, email_subject, email_body)
values (%(tenant_id)s, %(kind)s, %(enabled)s, %(sms_body)s, %(email_subject)s, %(email_body)s)
on conflict (tenant_id, kind) do update set enabled = excluded.enabled, updated_at = now()
returning id
