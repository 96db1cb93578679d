-- name: account
-- The company's messaging settings as the page shows them: whether each key is set, never the
-- key (owners and admins only: the policy).
select id, endpoint_id, twilio_account_sid, twilio_auth_token_encrypted <> '' as has_auth_token,
       twilio_from_number, twilio_messaging_service_sid, sms_per_second,
       sendgrid_api_key_encrypted <> '' as has_api_key, sendgrid_from_email, sendgrid_from_name,
       reminder_time, estimate_follow_up_days, invoice_overdue_days, review_url,
       review_every_months, review_delay_hours
from public.messaging_accounts
where tenant_id = %(tenant_id)s

-- name: create_account
insert into public.messaging_accounts (tenant_id) values (%(tenant_id)s)
on conflict (tenant_id) do nothing

-- name: save_account
update public.messaging_accounts
   set twilio_account_sid = %(twilio_account_sid)s, twilio_from_number = %(twilio_from_number)s,
       twilio_messaging_service_sid = %(twilio_messaging_service_sid)s,
       sms_per_second = %(sms_per_second)s, sendgrid_from_email = %(sendgrid_from_email)s,
       sendgrid_from_name = %(sendgrid_from_name)s, reminder_time = %(reminder_time)s,
       estimate_follow_up_days = %(estimate_follow_up_days)s,
       invoice_overdue_days = %(invoice_overdue_days)s, review_url = %(review_url)s,
       review_every_months = %(review_every_months)s,
       review_delay_hours = %(review_delay_hours)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_auth_token
update public.messaging_accounts set twilio_auth_token_encrypted = %(sealed)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_api_key
update public.messaging_accounts set sendgrid_api_key_encrypted = %(sealed)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s
returning id
