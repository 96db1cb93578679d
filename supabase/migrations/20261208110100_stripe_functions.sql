-- What starts a Checkout, what Stripe's webhook may do, and what a refund changes.
--
-- Who may call what:
-- - app.stripe_key(), app.begin_invoice_checkout(invoice), app.checkout_opened(attempt, …):
--   members of the company (authenticated), for their own company (app.tenant_id()), and for
--   an invoice only when they may see it (office staff, or the technician of its job).
-- - app.begin_deposit_checkout(token), app.deposit_checkout_opened(token, …): the holder of an
--   estimate link (plenum_signin); the token is hashed inside, as the estimate's page does.
-- - app.stripe_endpoint(endpoint), app.apply_stripe_event(endpoint, event): the webhook
--   (plenum_signin, held only by the web's login role). The company is found from the
--   unguessable endpoint id of its URL, never passed. The app has verified the event's
--   Stripe-Signature with the company's endpoint secret before it calls apply; the function
--   still accepts an event only for an attempt of that company whose Stripe ids agree, and
--   marks paid only an amount and currency equal to the attempt's.

-- Why: a company's sealed secret key, for starting a Checkout or a refund as a member. The
-- app opens it; the database never holds it in clear.
create function app.stripe_key()
returns table (tenant_id uuid, account_id uuid, endpoint_id text, secret_key text)
language sql stable security definer set search_path = ''
as $$
  select s.tenant_id, s.id, s.endpoint_id, s.secret_key_encrypted
  from public.stripe_accounts s
  where s.tenant_id = app.tenant_id() and s.secret_key_encrypted <> ''
$$;
revoke all on function app.stripe_key() from public;
grant execute on function app.stripe_key() to authenticated;

-- Why: one shape for "pay this document": the attempt to use (an open one of the same amount
-- is reused; one of another amount is replaced), with the company's sealed key.
create type app.checkout_start as (
  attempt_id uuid, tenant_id uuid, account_id uuid, endpoint_id text, secret_key text,
  kind text, document_id uuid, document_number integer, amount numeric, currency text,
  checkout_session_id text, checkout_url text
);

-- Why: the attempt for a document of a company, shared by the two callers below. Takes the
-- company from its callers, which found it from the caller's claims or link; not executable.
create function app.checkout_attempt(
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
  if found and (v_attempt.amount <> p_amount or v_attempt.currency <> p_currency) then
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

-- Why: paying an invoice's balance online, started by someone who may see the invoice (office
-- staff, or the technician of its job: the invoice is read under the caller's policies). Null
-- when the company takes no online payments or the invoice has nothing to pay.
create function app.begin_invoice_checkout(p_invoice uuid) returns app.checkout_start
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_invoice public.invoices;
  v_balance numeric;
begin
  if v_tenant is null or not (app.is_office_staff()
                              or p_invoice = any (app.technician_invoice_ids())) then
    return null;
  end if;
  select i.* into v_invoice from public.invoices i
   where i.tenant_id = v_tenant and i.id = p_invoice and i.status in ('sent', 'partly_paid');
  if not found then
    return null;
  end if;
  select t.balance into v_balance from public.invoice_totals t
   where t.tenant_id = v_tenant and t.invoice_id = p_invoice;
  return app.checkout_attempt(v_tenant, 'invoice', p_invoice, v_invoice.number, v_balance,
                              v_invoice.currency);
end
$$;
revoke all on function app.begin_invoice_checkout(uuid) from public;
grant execute on function app.begin_invoice_checkout(uuid) to authenticated;

-- Why: the deposit of an estimate the link's holder approved: the company's percentage of the
-- approved option's total, rounded half-up to the cent, once (null when none is due, or paid).
create function app.begin_deposit_checkout(p_token text) returns app.checkout_start
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
  v_percent numeric;
  v_total numeric;
begin
  if v_e.id is null or v_e.status <> 'approved' then
    return null;
  end if;
  if exists (select from public.payment_attempts a
              where a.tenant_id = v_e.tenant_id and a.estimate_id = v_e.id
                and a.status in ('paid', 'mismatch')) then
    return null;
  end if;
  select s.deposit_percent into v_percent from public.stripe_accounts s
   where s.tenant_id = v_e.tenant_id;
  select t.total into v_total from public.estimate_option_totals t
   where t.tenant_id = v_e.tenant_id and t.option_id = v_e.approved_option_id;
  return app.checkout_attempt(v_e.tenant_id, 'deposit', v_e.id, v_e.number,
                              round(coalesce(v_total, 0) * coalesce(v_percent, 0) / 100, 2),
                              v_e.currency);
end
$$;
revoke all on function app.begin_deposit_checkout(text) from public;
grant execute on function app.begin_deposit_checkout(text) to plenum_signin;

-- Why: what a deposit would be, for the homeowner's page to offer it (no attempt is made).
create function app.deposit_due(p_token text) returns numeric
language sql stable security definer set search_path = ''
as $$
  select round(t.total * s.deposit_percent / 100, 2)
  from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  join public.stripe_accounts s on s.tenant_id = e.tenant_id
  join public.estimate_option_totals t
    on t.tenant_id = e.tenant_id and t.option_id = e.approved_option_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and e.status = 'approved' and s.secret_key_encrypted <> '' and s.deposit_percent > 0
    and not exists (select from public.payment_attempts a
                     where a.tenant_id = e.tenant_id and a.estimate_id = e.id
                       and a.status in ('paid', 'mismatch'))
$$;
revoke all on function app.deposit_due(text) from public;
grant execute on function app.deposit_due(text) to plenum_signin;

-- Why: the Checkout session Stripe made for an attempt, kept so a second click reuses it.
create function app.record_checkout(p_tenant uuid, p_attempt uuid, p_session text, p_url text)
returns void
language sql security definer set search_path = ''
as $$
  update public.payment_attempts a
     set checkout_session_id = left(p_session, 255), checkout_url = left(p_url, 2000)
   where a.tenant_id = p_tenant and a.id = p_attempt and a.status = 'open'
$$;
revoke all on function app.record_checkout(uuid, uuid, text, text) from public;

create function app.checkout_opened(p_attempt uuid, p_session text, p_url text) returns void
language sql security definer set search_path = ''
as $$
  select app.record_checkout(app.tenant_id(), p_attempt, p_session, p_url)
  where app.tenant_id() is not null
$$;
revoke all on function app.checkout_opened(uuid, text, text) from public;
grant execute on function app.checkout_opened(uuid, text, text) to authenticated;

create function app.deposit_checkout_opened(p_token text, p_attempt uuid, p_session text, p_url text)
returns void
language sql security definer set search_path = ''
as $$
  select app.record_checkout(l.tenant_id, p_attempt, p_session, p_url)
  from public.estimate_links l
  join public.payment_attempts a
    on a.tenant_id = l.tenant_id and a.estimate_id = l.estimate_id and a.id = p_attempt
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
$$;
revoke all on function app.deposit_checkout_opened(text, uuid, text, text) from public;
grant execute on function app.deposit_checkout_opened(text, uuid, text, text) to plenum_signin;

-- Why: the webhook finds its company's endpoint secret (sealed; the app opens it and checks
-- the signature) from the URL's endpoint id alone.
create function app.stripe_endpoint(p_endpoint text)
returns table (tenant_id uuid, account_id uuid, webhook_secret text)
language sql stable security definer set search_path = ''
as $$
  select s.tenant_id, s.id, s.webhook_secret_encrypted from public.stripe_accounts s
  where s.endpoint_id = p_endpoint and s.webhook_secret_encrypted <> ''
$$;
revoke all on function app.stripe_endpoint(text) from public;
grant execute on function app.stripe_endpoint(text) to plenum_signin;
