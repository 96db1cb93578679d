-- What Stripe's webhook events change, once each and in whatever order they come, what a
-- refund changes, and how a paid deposit reaches the estimate's invoice.
--
-- Order: every event that shows the money was taken (checkout.session.completed with
-- payment_status 'paid', payment_intent.succeeded, charge.succeeded, charge.refunded) marks the
-- attempt paid if it is not yet, so a refund that comes before the success is applied after
-- the success it implies; the later success finds the attempt paid and changes nothing. A
-- failure after a success changes nothing either.
--
-- Refunds: charge.refunded carries the charge's cumulative amount refunded; what the company
-- does not know of yet is recorded as one refund (so a refund made from the office, recorded
-- with Stripe's id when it is made, is not counted twice, and a replay adds nothing).

-- Why: an attempt paid, by an amount and currency Stripe reports (in minor units). The amount
-- must be the attempt's exactly: otherwise it is flagged for the office (status 'mismatch',
-- with the reason, shown on the invoice) and nothing is marked paid. For an invoice the payment
-- is recorded as method 'stripe' through app.payment_applied; an invoice that can no longer
-- take it (paid meanwhile, or void) flags the attempt instead. Internal: not executable.
create function app.stripe_attempt_paid(
  p_attempt public.payment_attempts, p_cents bigint, p_currency text, p_intent text
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_paid numeric(12, 2) := round(p_cents / 100.0, 2);
  v_payment uuid;
begin
  if p_attempt.status in ('paid', 'mismatch') then
    return 'already';
  end if;
  update public.payment_attempts a
     set paid_amount = v_paid, paid_at = now(),
         payment_intent_id = coalesce(a.payment_intent_id, left(p_intent, 255))
   where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id;
  if p_cents is null or upper(coalesce(p_currency, '')) <> p_attempt.currency
     or p_cents <> p_attempt.amount * 100 then
    update public.payment_attempts a
       set status = 'mismatch',
           problem = format('Stripe reported %s %s paid where %s %s was asked: check it in'
                            ' Stripe, then refund or record it by hand.',
                            coalesce(v_paid::text, 'no amount'), upper(coalesce(p_currency, '')),
                            p_attempt.amount, p_attempt.currency)
     where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id;
    return 'mismatch';
  end if;
  if p_attempt.kind = 'invoice' then
    begin
      insert into public.payments (tenant_id, invoice_id, amount, method, reference, received_on)
      values (p_attempt.tenant_id, p_attempt.invoice_id, v_paid, 'stripe',
              btrim(format('Stripe %s', coalesce((
                select a.card_brand || case when a.card_last4 <> ''
                                             then ' ending ' || a.card_last4 else '' end
                from public.payment_attempts a
                where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id), ''))),
              app.company_today(p_attempt.tenant_id))
      returning id into v_payment;
    exception when check_violation then
      update public.payment_attempts a
         set status = 'mismatch',
             problem = left(format('Paid %s %s through Stripe, but the invoice could not take'
                                   ' it (%s): refund it, or record it by hand.',
                                   v_paid, p_attempt.currency, sqlerrm), 500)
       where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id;
      return 'mismatch';
    end;
  end if;
  update public.payment_attempts a set status = 'paid', payment_id = v_payment
   where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id;
  if p_attempt.kind = 'deposit' then
    -- A deposit paid after the estimate's invoice was sent goes to that invoice at once.
    perform app.credit_deposits(i.tenant_id, i.id) from public.invoices i
     where i.tenant_id = p_attempt.tenant_id and i.estimate_id = p_attempt.estimate_id
       and i.status in ('sent', 'partly_paid');
  end if;
  return 'paid';
end
$$;
revoke all on function app.stripe_attempt_paid(public.payment_attempts, bigint, text, text)
  from public;

-- Why: a paid deposit counts towards the invoice made for its estimate's job: when that invoice
-- is sent (or at once, if it already was), each paid deposit not yet used is recorded on it as
-- a 'stripe' payment of what remains of the deposit after refunds, at most the balance. What
-- exceeds the balance stays with the deposit (the office refunds it). Internal: not executable.
create function app.credit_deposits(p_tenant uuid, p_invoice uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_attempt record;
  v_balance numeric;
  v_payment uuid;
begin
  for v_attempt in
    select a.id, a.paid_amount - a.refunded as available, e.number
    from public.invoices i
    join public.payment_attempts a on a.tenant_id = i.tenant_id and a.estimate_id = i.estimate_id
    join public.estimates e on e.tenant_id = a.tenant_id and e.id = a.estimate_id
    where i.tenant_id = p_tenant and i.id = p_invoice and a.kind = 'deposit'
      and a.status = 'paid' and a.payment_id is null and a.paid_amount > a.refunded
    order by a.paid_at
    for update of a
  loop
    select t.balance into v_balance from public.invoice_totals t
     where t.tenant_id = p_tenant and t.invoice_id = p_invoice;
    if v_balance is null or v_balance <= 0 then
      return;
    end if;
    insert into public.payments (tenant_id, invoice_id, amount, method, reference, received_on)
    values (p_tenant, p_invoice, least(v_attempt.available, v_balance), 'stripe',
            format('Deposit on EST-%s (Stripe)', v_attempt.number), app.company_today(p_tenant))
    returning id into v_payment;
    update public.payment_attempts a set payment_id = v_payment
     where a.tenant_id = p_tenant and a.id = v_attempt.id;
  end loop;
end
$$;
revoke all on function app.credit_deposits(uuid, uuid) from public;

-- Why: sending an invoice applies the deposits paid on its estimate (app.credit_deposits).
create function app.invoice_sent_takes_deposits() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.estimate_id is not null then
    perform app.credit_deposits(new.tenant_id, new.id);
  end if;
  return null;
end
$$;
revoke all on function app.invoice_sent_takes_deposits() from public;

create trigger invoices_sent_take_deposits
  after update of status on public.invoices
  for each row when (old.status = 'draft' and new.status = 'sent')
  execute function app.invoice_sent_takes_deposits();

-- Why: what a refund changes, whoever records it (the office through Stripe, or the webhook).
-- The attempt must have been paid; its `refunded` grows by the refund, never past what was
-- paid (payment_attempts_refunds_within_payment refuses it, nothing saved). The refund names
-- the invoice the money went to (the attempt's invoice, or the invoice its deposit was credited
-- to), and when the money had reached that invoice as a payment, the invoice's `refunded` grows
-- by the same amount. The invoice's status and balance are not changed: its payments stand,
-- and the refund is shown beside them ("Refunded"), so a refund never re-opens a balance or
-- asks the customer to pay again (the office voids or re-bills an invoice it no longer claims).
create function app.refund_names_invoice() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_attempt public.payment_attempts;
begin
  select a.* into v_attempt from public.payment_attempts a
   where a.tenant_id = new.tenant_id and a.id = new.attempt_id;
  -- An attempt of another company (or none) is left to the foreign key to refuse.
  if v_attempt.id is not null and v_attempt.paid_amount is null then
    raise exception 'only a payment taken can be refunded'
      using errcode = 'check_violation', constraint = 'refunds_of_payments_taken';
  end if;
  -- Clients cannot name it (no column grant); the database's own inserts leave it to this.
  new.invoice_id := coalesce(new.invoice_id, v_attempt.invoice_id, (
    select p.invoice_id from public.payments p
     where p.tenant_id = new.tenant_id and p.id = v_attempt.payment_id));
  return new;
end
$$;
revoke all on function app.refund_names_invoice() from public;

create trigger refunds_name_invoice
  before insert on public.refunds
  for each row execute function app.refund_names_invoice();

-- After the row is in (a refund already recorded, `on conflict do nothing`, changes nothing).
create function app.refund_applied() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_payment uuid;
begin
  update public.payment_attempts a set refunded = a.refunded + new.amount
   where a.tenant_id = new.tenant_id and a.id = new.attempt_id
  returning a.payment_id into v_payment;
  if v_payment is not null then
    update public.invoices i set refunded = i.refunded + new.amount
     where i.tenant_id = new.tenant_id and i.id = new.invoice_id;
  end if;
  return null;
end
$$;
revoke all on function app.refund_applied() from public;

create trigger refunds_applied
  after insert on public.refunds
  for each row execute function app.refund_applied();

-- Why: the card's brand and last four digits (P-16: nothing more) from a charge, when known.
create function app.stripe_card_seen(p_attempt public.payment_attempts, p_charge jsonb)
returns void
language sql security definer set search_path = ''
as $$
  update public.payment_attempts a
     set card_brand = coalesce(substring(lower(p_charge #>> '{payment_method_details,card,brand}')
                                         from '^[a-z_]{1,20}$'), a.card_brand),
         card_last4 = coalesce(substring(p_charge #>> '{payment_method_details,card,last4}'
                                         from '^[0-9]{4}$'), a.card_last4)
   where a.tenant_id = p_attempt.tenant_id and a.id = p_attempt.id
$$;
revoke all on function app.stripe_card_seen(public.payment_attempts, jsonb) from public;

-- Why: the attempt an event is about: named by its metadata (set on the Checkout session and
-- its payment intent when it was made) or by its payment intent, in the endpoint's company
-- only. A Checkout session must be the one the attempt opened. Locked for the event.
create function app.stripe_event_attempt(p_tenant uuid, p_object jsonb)
returns public.payment_attempts
language plpgsql security definer set search_path = ''
as $$
declare
  v_id uuid;
  v_intent text := case when p_object ->> 'object' = 'payment_intent' then p_object ->> 'id'
                        else p_object ->> 'payment_intent' end;
  v_attempt public.payment_attempts;
begin
  begin
    v_id := (p_object #>> '{metadata,attempt_id}')::uuid;
  exception when invalid_text_representation then
    v_id := null;
  end;
  select a.* into v_attempt from public.payment_attempts a
   where a.tenant_id = p_tenant and a.id = v_id for update;
  if v_attempt.id is null and v_intent is not null then
    select a.* into v_attempt from public.payment_attempts a
     where a.tenant_id = p_tenant and a.payment_intent_id = v_intent for update;
  end if;
  if v_attempt.id is null
     or v_intent is not null and v_attempt.payment_intent_id is not null
        and v_attempt.payment_intent_id <> v_intent
     or p_object ->> 'object' = 'checkout.session'
        and v_attempt.checkout_session_id is distinct from p_object ->> 'id' then
    return null;
  end if;
  return v_attempt;
end
$$;
revoke all on function app.stripe_event_attempt(uuid, jsonb) from public;

-- Why: a verified webhook event of the company whose endpoint id it came to, applied once
-- (see the top of this file). Returns what it did, recorded with the event.
create function app.apply_stripe_event(p_endpoint text, p_event jsonb) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid;
  v_type text := left(coalesce(p_event ->> 'type', ''), 100);
  v_object jsonb := p_event #> '{data,object}';
  v_attempt public.payment_attempts;
  v_outcome text;
  v_refunded bigint;
begin
  select s.tenant_id into v_tenant from public.stripe_accounts s
   where s.endpoint_id = p_endpoint and s.webhook_secret_encrypted <> '';
  if v_tenant is null or coalesce(p_event ->> 'id', '') = '' or jsonb_typeof(v_object) <> 'object'
  then
    return 'refused';
  end if;
  insert into public.stripe_events (tenant_id, event_id, type)
  values (v_tenant, left(p_event ->> 'id', 255), v_type)
  on conflict (tenant_id, event_id) do nothing;
  if not found then
    return 'duplicate';
  end if;
  v_attempt := app.stripe_event_attempt(v_tenant, v_object);
  if v_attempt.id is null then
    v_outcome := 'unmatched';
  elsif v_type = 'checkout.session.completed' then
    v_outcome := case when v_object ->> 'payment_status' = 'paid'
                      then app.stripe_attempt_paid(v_attempt,
                                                   (v_object ->> 'amount_total')::bigint,
                                                   v_object ->> 'currency',
                                                   v_object ->> 'payment_intent')
                      else 'waiting' end;
  elsif v_type = 'payment_intent.succeeded' then
    v_outcome := app.stripe_attempt_paid(v_attempt, (v_object ->> 'amount_received')::bigint,
                                         v_object ->> 'currency', v_object ->> 'id');
  elsif v_type = 'payment_intent.payment_failed' then
    update public.payment_attempts a
       set failure = left(coalesce(v_object #>> '{last_payment_error,message}', 'declined'), 300)
     where a.tenant_id = v_tenant and a.id = v_attempt.id and a.status = 'open';
    v_outcome := 'failed';
  elsif v_type in ('charge.succeeded', 'charge.refunded') then
    perform app.stripe_card_seen(v_attempt, v_object);
    v_outcome := case when v_object ->> 'status' = 'succeeded'
                      then app.stripe_attempt_paid(v_attempt, (v_object ->> 'amount')::bigint,
                                                   v_object ->> 'currency',
                                                   v_object ->> 'payment_intent')
                      else 'waiting' end;
    if v_type = 'charge.refunded' then
      select a.* into v_attempt from public.payment_attempts a
       where a.tenant_id = v_tenant and a.id = v_attempt.id;
      v_refunded := (v_object ->> 'amount_refunded')::bigint - v_attempt.refunded * 100;
      if v_attempt.paid_amount is not null and v_refunded > 0 then
        insert into public.refunds (tenant_id, attempt_id, amount, reason)
        values (v_tenant, v_attempt.id, least(v_refunded / 100.0,
                                              v_attempt.paid_amount - v_attempt.refunded),
                'Refunded in Stripe');
        v_outcome := 'refunded';
      end if;
    end if;
  else
    v_outcome := 'ignored';
  end if;
  update public.stripe_events e set outcome = v_outcome
   where e.tenant_id = v_tenant and e.event_id = left(p_event ->> 'id', 255);
  return v_outcome;
end
$$;
revoke all on function app.apply_stripe_event(text, jsonb) from public;
grant execute on function app.apply_stripe_event(text, jsonb) to plenum_signin;
