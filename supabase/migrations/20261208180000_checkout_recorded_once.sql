-- A Checkout session is recorded on its attempt once, by whoever may pay that document.
--
-- Until now a member could call app.checkout_opened with any open attempt of the company and any
-- URL, and so replace the page a later "Pay" would reuse (a homeowner's second click) with one of
-- their choosing. Now the session and its URL are written only while the attempt has none (the
-- app writes them in the transaction that made the attempt, which no other transaction sees
-- before it commits), and app.checkout_opened accepts only an attempt on an invoice the caller
-- may see (office staff, or the technician of its job), as app.begin_invoice_checkout does.

create or replace function app.record_checkout(
  p_tenant uuid, p_attempt uuid, p_session text, p_url text
) returns void
language sql security definer set search_path = ''
as $$
  update public.payment_attempts a
     set checkout_session_id = left(p_session, 255), checkout_url = left(p_url, 2000)
   where a.tenant_id = p_tenant and a.id = p_attempt and a.status = 'open'
     and a.checkout_session_id is null
$$;
revoke all on function app.record_checkout(uuid, uuid, text, text) from public;

create or replace function app.checkout_opened(p_attempt uuid, p_session text, p_url text)
returns void
language sql security definer set search_path = ''
as $$
  select app.record_checkout(a.tenant_id, a.id, p_session, p_url)
  from public.payment_attempts a
  where a.tenant_id = app.tenant_id() and a.id = p_attempt and a.kind = 'invoice'
    and (app.is_office_staff() or a.invoice_id = any (app.technician_invoice_ids()))
$$;
revoke all on function app.checkout_opened(uuid, text, text) from public;
grant execute on function app.checkout_opened(uuid, text, text) to authenticated;
