-- name: account
select id, endpoint_id, secret_key_encrypted <> '' as has_secret_key,
       webhook_secret_encrypted <> '' as has_webhook_secret, deposit_percent, updated_at
from public.stripe_accounts
where tenant_id = %(tenant_id)s

-- name: create_account
insert into public.stripe_accounts (tenant_id) values (%(tenant_id)s)
on conflict (tenant_id) do nothing

-- name: set_deposit_percent
update public.stripe_accounts set deposit_percent = %(deposit_percent)s, updated_at = now()
where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_secret_key
update public.stripe_accounts set secret_key_encrypted = %(sealed)s, updated_at = now()
where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: set_webhook_secret
update public.stripe_accounts set webhook_secret_encrypted = %(sealed)s, updated_at = now()
where tenant_id = %(tenant_id)s and id = %(id)s
returning id

-- name: stripe_key
select tenant_id, account_id, endpoint_id, secret_key from app.stripe_key()

-- name: begin_invoice_checkout
select * from app.begin_invoice_checkout(%(invoice_id)s) where attempt_id is not null

-- name: begin_deposit_checkout
select * from app.begin_deposit_checkout(%(token)s) where attempt_id is not null

-- name: checkout_opened
select app.checkout_opened(%(attempt_id)s, %(session_id)s, %(url)s)

-- name: deposit_checkout_opened
select app.deposit_checkout_opened(%(token)s, %(attempt_id)s, %(session_id)s, %(url)s)

-- name: begin_invoice_checkout_by_link
select * from app.begin_invoice_checkout_by_link(%(token)s) where attempt_id is not null

-- name: invoice_checkout_opened
select app.invoice_checkout_opened(%(token)s, %(attempt_id)s, %(session_id)s, %(url)s)

-- name: invoice_payable_online
select app.invoice_payable_online(%(token)s) as amount

-- name: deposit_due
select app.deposit_due(%(token)s) as amount

-- name: stripe_endpoint
select tenant_id, account_id, webhook_secret from app.stripe_endpoint(%(endpoint_id)s)

-- name: apply_stripe_event
select app.apply_stripe_event(%(endpoint_id)s, %(event)s::jsonb) as outcome

-- name: invoice_attempts
select a.id, a.status, a.amount, a.currency, a.paid_amount, a.refunded, a.card_brand,
       a.card_last4, a.failure, a.problem, a.created_at, a.paid_at, a.kind,
       a.payment_intent_id is not null as refundable
from public.payment_attempts a
where a.tenant_id = %(tenant_id)s
  and (a.invoice_id = %(invoice_id)s
       or a.payment_id in (select p.id from public.payments p
                            where p.tenant_id = %(tenant_id)s
                              and p.invoice_id = %(invoice_id)s))
  and a.status in ('paid', 'mismatch', 'open')
order by a.created_at

-- name: invoice_refunds
select r.id, r.amount, r.reason, r.created_at, r.stripe_refund_id is not null as through_stripe
from public.refunds r
where r.tenant_id = %(tenant_id)s and r.invoice_id = %(invoice_id)s
order by r.created_at

-- name: refundable_attempt
-- Two refunds of one payment at once take turns (the lock lasts until the request commits).
select a.id, a.payment_intent_id, a.currency, a.paid_amount - a.refunded as refundable
from (select pg_advisory_xact_lock(hashtextextended('refund:' || %(attempt_id)s::text, 7))) l,
     public.payment_attempts a
where a.tenant_id = %(tenant_id)s and a.id = %(attempt_id)s
  and a.paid_amount is not null and a.payment_intent_id is not null

-- name: record_refund
insert into public.refunds (tenant_id, attempt_id, amount, stripe_refund_id, reason)
values (%(tenant_id)s, %(attempt_id)s, %(amount)s, %(stripe_refund_id)s, %(reason)s)
on conflict (tenant_id, stripe_refund_id) do nothing
returning id

-- name: invoice_visible
-- Under the caller's policies: office staff, or the technician of the invoice's job.
select exists (select from public.invoices i
               where i.tenant_id = %(tenant_id)s and i.id = %(invoice_id)s) as visible
