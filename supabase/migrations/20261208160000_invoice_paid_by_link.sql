-- The homeowner pays an invoice's balance from its link, through Stripe Checkout.
--
-- Who may call what: the holder of an invoice link (plenum_signin). Each function is given the
-- token and hashes it inside (app.invoice_of_link: the link open, within its year); the company
-- is the link's, never passed. The checks are app.begin_invoice_checkout's: the invoice sent or
-- partly paid, a balance above zero, the company's Stripe secret key saved.

-- Why: what the homeowner's page offers to pay online now (the balance), or null when the
-- company takes no online payments or nothing is due (no attempt is made).
create function app.invoice_payable_online(p_token text) returns numeric
language sql stable security definer set search_path = ''
as $$
  select (i.total - i.paid)::numeric(14, 2)
  from app.invoice_of_link(p_token) i
  join public.stripe_accounts s on s.tenant_id = i.tenant_id
  where i.id is not null and i.status in ('sent', 'partly_paid') and i.total - i.paid > 0
    and s.secret_key_encrypted <> ''
$$;
revoke all on function app.invoice_payable_online(text) from public;
grant execute on function app.invoice_payable_online(text) to plenum_signin;

-- Why: the attempt that pays the balance of the invoice behind a link (an open one of the same
-- amount reused: a second click), with the company's sealed key; null when nothing is payable.
create function app.begin_invoice_checkout_by_link(p_token text) returns app.checkout_start
language plpgsql security definer set search_path = ''
as $$
declare
  v_i public.invoices := app.invoice_of_link(p_token);
begin
  if v_i.id is null or v_i.status not in ('sent', 'partly_paid') then
    return null;
  end if;
  return app.checkout_attempt(v_i.tenant_id, 'invoice', v_i.id, v_i.number,
                              (v_i.total - v_i.paid)::numeric(14, 2), v_i.currency);
end
$$;
revoke all on function app.begin_invoice_checkout_by_link(text) from public;
grant execute on function app.begin_invoice_checkout_by_link(text) to plenum_signin;

-- Why: the Checkout session Stripe made for the link's attempt, kept so a second click reuses
-- it; only an attempt on the invoice the link opens.
create function app.invoice_checkout_opened(
  p_token text, p_attempt uuid, p_session text, p_url text
) returns void
language sql security definer set search_path = ''
as $$
  select app.record_checkout(i.tenant_id, p_attempt, p_session, p_url)
  from app.invoice_of_link(p_token) i
  join public.payment_attempts a
    on a.tenant_id = i.tenant_id and a.invoice_id = i.id and a.id = p_attempt
  where i.id is not null
$$;
revoke all on function app.invoice_checkout_opened(text, uuid, text, text) from public;
grant execute on function app.invoice_checkout_opened(text, uuid, text, text) to plenum_signin;
