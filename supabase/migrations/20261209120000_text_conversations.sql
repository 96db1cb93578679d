-- Two-way texting: Twilio's inbound-text and status webhooks, STOP/START/HELP, and the
-- conversations of the office inbox. The app checks Twilio's signature with the company's auth
-- token (sealed, so it is opened in Python) and then hands the verified fields to one definer,
-- which finds the company from the webhook URL's endpoint id alone, never from the caller.

-- Why: the webhooks find their company's Twilio account (SID and sealed auth token, opened by
-- the app to check the signature) from the URL's endpoint id alone, before anyone signs in.
create function app.twilio_endpoint(p_endpoint text)
returns table (tenant_id uuid, account_id uuid, account_sid text, auth_token text)
language sql stable security definer set search_path = ''
as $$
  select a.tenant_id, a.id, a.twilio_account_sid, a.twilio_auth_token_encrypted
    from public.messaging_accounts a
   where a.endpoint_id = p_endpoint and a.twilio_account_sid <> ''
     and a.twilio_auth_token_encrypted <> ''
$$;
revoke all on function app.twilio_endpoint(text) from public;
grant execute on function app.twilio_endpoint(text) to plenum_signin;

-- Why: the carriers' keywords (CTIA): a text that is nothing but one of them, in any case and
-- with spaces or punctuation around it, is 'stop', 'start' or 'help'; anything else is null.
create function app.sms_keyword(p_body text)
returns text
language sql immutable parallel safe set search_path = ''
as $$
  select case upper(regexp_replace(coalesce(p_body, ''),
                                   '^[[:space:][:punct:]]+|[[:space:][:punct:]]+$', '', 'g'))
    when 'STOP' then 'stop' when 'STOPALL' then 'stop' when 'UNSUBSCRIBE' then 'stop'
    when 'CANCEL' then 'stop' when 'END' then 'stop' when 'QUIT' then 'stop'
    when 'START' then 'start' when 'UNSTOP' then 'start' when 'YES' then 'start'
    when 'HELP' then 'help' when 'INFO' then 'help'
  end
$$;
revoke execute on function app.sms_keyword(text) from public;

-- Why: a conversation is ordered by its latest message, whoever added it (an inbound text,
-- an office reply, a STOP confirmation): office staff may not write `last_message_at` itself.
create function app.touch_conversation()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_at = new.created_at
   where c.tenant_id = new.tenant_id and c.id = new.conversation_id
     and c.last_message_at < new.created_at;
  return null;
end
$$;
revoke execute on function app.touch_conversation() from public;
create trigger touch_conversation after insert on public.messages
  for each row when (new.conversation_id is not null)
  execute function app.touch_conversation();

-- Why: the law's answer to STOP, START or HELP, queued like any message (the worker sends it;
-- purpose 'compliance' goes even to an opted-out number), once per inbound text.
create function app.queue_keyword_answer(
  p_inbound public.messages, p_kind text, p_body text
) returns void
language sql volatile security definer set search_path = ''
as $$
  insert into public.messages
    (tenant_id, channel, kind, purpose, urgent, subject_id, occasion, customer_id,
     conversation_id, to_address, body, time_zone)
  values
    (p_inbound.tenant_id, 'sms', p_kind, 'compliance', true, p_inbound.id, 'answer',
     p_inbound.customer_id, p_inbound.conversation_id, p_inbound.from_address, p_body,
     p_inbound.time_zone)
  on conflict (tenant_id, kind, channel, subject_id, occasion)
    where direction = 'out' and occasion is not null
    do nothing
$$;
revoke execute on function app.queue_keyword_answer(public.messages, text, text) from public;

-- Why: a text a homeowner sent to the company's number, already verified by the app against
-- Twilio's signature with the auth token of the endpoint's company. Stored once per Twilio
-- MessageSid (a replay is 'duplicate' and changes nothing) in the conversation with that
-- number (started if new, with the customer whose phone it is when exactly one is). STOP and
-- its synonyms opt the number out at once (every SMS still waiting for it is blocked) and
-- queue one confirmation; START re-opts in; HELP answers with the company's name and phone.
create function app.receive_text(
  p_endpoint text, p_message_sid text, p_from text, p_to text, p_body text
) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid;
  v_company public.tenants;
  v_customer uuid;
  v_conversation public.conversations;
  v_message public.messages;
  v_keyword text := app.sms_keyword(p_body);
  v_removed integer;
begin
  select a.tenant_id into v_tenant from public.messaging_accounts a
   where a.endpoint_id = p_endpoint and a.twilio_account_sid <> ''
     and a.twilio_auth_token_encrypted <> '';
  if v_tenant is null or coalesce(p_message_sid, '') !~ '^(SM|MM)[0-9a-f]{32}$' then
    return 'refused';
  end if;
  if coalesce(p_from, '') !~ '^\+[1-9][0-9]{6,14}$' then
    return 'not a phone number';
  end if;
  select * into v_company from public.tenants t where t.id = v_tenant;
  select min(c.id::text)::uuid into v_customer from public.customers c
   where c.tenant_id = v_tenant and c.phone = p_from
  having count(*) = 1;

  insert into public.conversations (tenant_id, phone, customer_id)
  values (v_tenant, p_from, v_customer)
  on conflict (tenant_id, phone) do nothing;
  select * into v_conversation from public.conversations c
   where c.tenant_id = v_tenant and c.phone = p_from;

  insert into public.messages
    (tenant_id, direction, channel, kind, purpose, customer_id, conversation_id, to_address,
     from_address, body, time_zone, status, provider_id)
  values
    (v_tenant, 'in', 'sms', 'inbound', 'conversation',
     coalesce(v_conversation.customer_id, v_customer), v_conversation.id,
     left(coalesce(nullif(p_to, ''), 'unknown'), 320), p_from,
     left(coalesce(nullif(p_body, ''), '(no text)'), 20000), v_company.time_zone, 'received',
     p_message_sid)
  on conflict (tenant_id, channel, provider_id) where provider_id is not null do nothing
  returning * into v_message;
  if v_message.id is null then
    return 'duplicate';
  end if;
  if v_conversation.customer_id is null and v_customer is not null then
    update public.conversations c set customer_id = v_customer
     where c.tenant_id = v_tenant and c.id = v_conversation.id;
  end if;

  if v_keyword = 'stop' then
    insert into public.sms_opt_outs (tenant_id, phone, keyword)
    values (v_tenant, p_from, left(upper(btrim(p_body)), 40))
    on conflict (tenant_id, phone) do nothing;
    update public.messages m
       set status = 'blocked', blocked_reason = 'The number texted STOP.', lease_until = null
     where m.tenant_id = v_tenant and m.channel = 'sms' and m.direction = 'out'
       and m.to_address = p_from and m.status in ('queued', 'sending')
       and m.purpose <> 'compliance';
    perform app.queue_keyword_answer(v_message, 'opt_out',
      format('You have been unsubscribed from %s texts. No more messages will be sent. '
             'Reply START to resubscribe.', v_company.name));
    return 'opted out';
  elsif v_keyword = 'start' then
    delete from public.sms_opt_outs o where o.tenant_id = v_tenant and o.phone = p_from;
    get diagnostics v_removed = row_count;
    -- "YES" is also an everyday answer: it re-subscribes only a number that had opted out.
    if v_removed = 0 and upper(btrim(p_body, E' \t\r\n.!')) = 'YES' then
      return 'received';
    end if;
    perform app.queue_keyword_answer(v_message, 'opt_in',
      format('You have been resubscribed to %s texts. Reply HELP for help, STOP to '
             'unsubscribe.', v_company.name));
    return 'opted in';
  elsif v_keyword = 'help' then
    perform app.queue_keyword_answer(v_message, 'help',
      case when btrim(v_company.phone) <> ''
           then format('%s: for help call %s or reply to this text. Reply STOP to '
                       'unsubscribe.', v_company.name, btrim(v_company.phone))
           else format('%s: for help reply to this text and our office will answer. '
                       'Reply STOP to unsubscribe.', v_company.name)
      end);
    return 'help';
  end if;
  return 'received';
end
$$;
revoke all on function app.receive_text(text, text, text, text, text) from public;
grant execute on function app.receive_text(text, text, text, text, text) to plenum_signin;

-- Why: Twilio's status callback for a text the company sent, verified by the app. A status
-- only moves forward (sent, then delivered, undelivered or failed, which are final), so
-- callbacks that arrive out of order or twice change nothing. `p_failure` is the app's words
-- for Twilio's error code.
create function app.record_text_status(
  p_endpoint text, p_message_sid text, p_status text, p_failure text
) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid;
  v_rank integer := case p_status when 'sent' then 1
                                  when 'delivered' then 2 when 'undelivered' then 2
                                  when 'failed' then 2 else 0 end;
begin
  select a.tenant_id into v_tenant from public.messaging_accounts a
   where a.endpoint_id = p_endpoint and a.twilio_account_sid <> ''
     and a.twilio_auth_token_encrypted <> '';
  if v_tenant is null then
    return 'refused';
  end if;
  if v_rank = 0 then
    return 'ignored';
  end if;
  update public.messages m
     set status = p_status,
         delivered_at = case when p_status = 'delivered' then app.now() else m.delivered_at end,
         failure = case when p_status in ('undelivered', 'failed')
                        then left(coalesce(p_failure, ''), 300) else m.failure end
   where m.tenant_id = v_tenant and m.channel = 'sms' and m.direction = 'out'
     and m.provider_id = p_message_sid
     and (case m.status when 'sent' then 1 else 2 end) < v_rank;
  return case when found then 'updated' else 'unchanged' end;
end
$$;
revoke all on function app.record_text_status(text, text, text, text) from public;
grant execute on function app.record_text_status(text, text, text, text) to plenum_signin;
