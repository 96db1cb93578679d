-- An open attempt to pay is reused for a day at most. Stripe closes a Checkout session 24 hours
-- after it is made, so a homeowner who comes back the next day to pay was sent to a page that no
-- longer takes payment. An open attempt older than 23 hours is now replaced, as one of another
-- amount already was, and the payer gets a new session (a new attempt, a new idempotency key).
-- A payment Stripe still reports for the replaced attempt is applied as before.

create or replace function app.checkout_attempt(
  p_tenant uuid, p_kind text, p_document uuid, p_number integer, p_amount numeric,
  p_currency text
) returns app.checkout_start
language plpgsql security definer set search_path = ''
as $$
declare
  v_account public.stripe_accounts;
  v_attempt public.payment_attempts;
begin
  select s.* into v_account from public.stripe_accounts s
   where s.tenant_id = p_tenant and s.secret_key_encrypted <> '';
  if not found or p_amount is null or p_amount <= 0 then
    return null;
  end if;
  -- Of two clicks at once, the second waits here for the first's attempt, then reuses it.
  perform pg_advisory_xact_lock(hashtextextended(p_kind || ':' || p_document::text, 7));
  select a.* into v_attempt from public.payment_attempts a
   where a.tenant_id = p_tenant and a.kind = p_kind and a.status = 'open'
     and coalesce(a.invoice_id, a.estimate_id) = p_document;
  if found and (v_attempt.amount <> p_amount or v_attempt.currency <> p_currency
                or v_attempt.created_at < now() - interval '23 hours') then
    update public.payment_attempts a set status = 'replaced'
     where a.tenant_id = p_tenant and a.id = v_attempt.id;
    v_attempt := null;
  end if;
  if v_attempt.id is null then
    insert into public.payment_attempts (tenant_id, kind, invoice_id, estimate_id, amount, currency)
    values (p_tenant, p_kind, case when p_kind = 'invoice' then p_document end,
            case when p_kind = 'deposit' then p_document end, p_amount, p_currency)
    returning * into v_attempt;
  end if;
  return row(v_attempt.id, p_tenant, v_account.id, v_account.endpoint_id,
             v_account.secret_key_encrypted, p_kind, p_document, p_number, v_attempt.amount,
             v_attempt.currency, v_attempt.checkout_session_id, v_attempt.checkout_url);
end
$$;
revoke all on function app.checkout_attempt(uuid, text, uuid, integer, numeric, text) from public;
