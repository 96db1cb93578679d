-- Messages about documents and finished work go the way every message to a homeowner goes
-- (20261209100000_messages.sql): an estimate or invoice the office sends, an unviewed estimate's
-- follow-up, an unpaid invoice's reminders and the note that a visit is done are rows of
-- public.messages, by text or email as the customer prefers, in the company's wording, refused
-- by the database's rules (STOP, do-not-contact, restriction, turned-off messages) and held for
-- quiet hours like any other. Before, the sending definers wrote an email into the outbox.
--
-- The link is still minted here (iam.new_token: 256 bits, only the hash kept in the link table).
-- The app writes the text from the company's template with the link's place left as
-- `{estimate_link}` or `{invoice_link}`, and the database puts the new link there: the app
-- never holds a token it did not ask to show. The text holds the link until the worker has sent
-- it (jobs/messages.py keeps the text without it afterwards); the audit log only a digest.
--
-- Who may do what:
-- - app.send_estimate, app.send_invoice: as before, office staff or the technician of the
--   document's job, in the caller's company; now with the message's channel, address and text
--   (a technician sends only to the customer's own email or mobile number).
-- - app.queue_message_with_link: the worker alone (service_role): the follow-up, the reminders
--   and the completed visit's note, each with a fresh link that leaves the earlier ones open.
-- - app.message_template: any member, the company's own wording of one kind (a technician sends
--   invoices too, and may not read public.message_templates).

-- An invoice's link may now go to a mobile number.
alter table public.invoice_links drop constraint invoice_links_sent_to_format;
alter table public.invoice_links add constraint invoice_links_sent_to_format check (
  sent_to = '' or sent_to ~ '^\+[1-9][0-9]{6,14}$'
  or length(sent_to) <= 254
     and sent_to ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$'
);

-- Why: the worker's sweeps (jobs/document_messages.py) look across companies for estimates
-- awaiting a look and invoices awaiting payment (visits just completed: visits_completed_idx of
-- 20261209110000_visit_notices.sql).
create index estimates_awaiting_a_look_idx on public.estimates (sent_at) where status = 'sent';
create index invoices_awaiting_payment_idx on public.invoices (due_on)
  where status in ('sent', 'partly_paid');

-- Why: a message that will never leave (blocked by the rules, or canceled because its
-- document no longer needs it) keeps no usable link in its text, as a sent one does not
-- (jobs/messages.py): "https://…/invoice/<token>" becomes "https://…/invoice/[link]". Fires
-- after app.messages_guard (triggers go in name order), which may block it.
create function app.messages_unsent_keep_no_links() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status in ('blocked', 'canceled') then
    new.body := app.without_document_links(new.body);
  end if;
  return new;
end
$$;
revoke all on function app.messages_unsent_keep_no_links() from public;
create trigger messages_unsent_keep_no_links before insert or update of status
  on public.messages for each row execute function app.messages_unsent_keep_no_links();

drop function app.send_estimate(uuid, text);
drop function app.send_invoice(uuid, text);
drop function app.queue_link_email(uuid, text, text, text, text, text);

-- Why: where a message goes, checked the one way: an email address (lower-cased) or a mobile
-- number in E.164. `p_refusal` names the constraint the caller's form knows.
create function app.message_address(p_channel text, p_to text, p_refusal text) returns text
language plpgsql immutable set search_path = ''
as $$
declare
  v_to text := btrim(coalesce(p_to, ''));
begin
  if p_channel = 'email' then
    v_to := lower(v_to);
    if length(v_to) <= 254
       and v_to ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$' then
      return v_to;
    end if;
  elsif p_channel = 'sms' then
    if v_to ~ '^\+[1-9][0-9]{6,14}$' then
      return v_to;
    end if;
  end if;
  raise exception 'not an email address or a mobile number'
    using errcode = 'check_violation', constraint = p_refusal;
end
$$;
revoke all on function app.message_address(text, text, text) from public;

-- Why: a new link to an estimate or invoice (`p_document`), its token returned once and only its
-- hash kept; the office's sending withdraws the earlier links (`p_revoke`), a reminder does not
-- (the first message's link keeps working). For the definers below; no grant.
create function app.new_document_link(
  p_document text, p_tenant uuid, p_id uuid, p_sent_to text, p_revoke boolean
) returns table (link_id uuid, token text)
language plpgsql volatile set search_path = ''
as $$
#variable_conflict use_column
declare
  v_token record;
  v_link uuid;
begin
  select * into v_token from iam.new_token();
  if p_document = 'estimate' then
    if p_revoke then
      update public.estimate_links l set revoked_at = now()
       where l.tenant_id = p_tenant and l.estimate_id = p_id and l.revoked_at is null;
    end if;
    insert into public.estimate_links (tenant_id, estimate_id, token_hash, sent_to, created_by)
    values (p_tenant, p_id, v_token.token_hash, p_sent_to, auth.uid())
    returning id into v_link;
  elsif p_document = 'invoice' then
    if p_revoke then
      update public.invoice_links l set revoked_at = now()
       where l.tenant_id = p_tenant and l.invoice_id = p_id and l.revoked_at is null;
    end if;
    insert into public.invoice_links (tenant_id, invoice_id, token_hash, sent_to, created_by)
    values (p_tenant, p_id, v_token.token_hash, p_sent_to, auth.uid())
    returning id into v_link;
  else
    raise exception 'no link is made to %', p_document using errcode = 'invalid_parameter_value';
  end if;
  return query select v_link, v_token.token;
end
$$;
revoke all on function app.new_document_link(text, uuid, uuid, text, boolean) from public;

-- Why: the message that carries a document's link, queued as every message is (the guard
-- decides whether and when it goes). The link takes the place of `{<p_place>}` in the text, or
-- ends it when the company's wording left it out; a subject never holds it. For the definers
-- below; no grant.
create function app.queue_document_message(
  p_tenant uuid, p_kind text, p_channel text, p_to text, p_subject text, p_body text,
  p_customer uuid, p_property uuid, p_subject_id uuid, p_occasion text, p_place text,
  p_link text
) returns public.messages
language plpgsql volatile set search_path = ''
as $$
declare
  v_mark text := '{' || p_place || '}';
  v_body text := btrim(coalesce(p_body, ''));
  v_message public.messages;
begin
  v_body := case
    when strpos(v_body, v_mark) > 0 then replace(v_body, v_mark, p_link)
    when v_body = '' then p_link
    else v_body || case when p_channel = 'email' then E'\n\n' else ' ' end || p_link
  end;
  insert into public.messages
    (tenant_id, channel, kind, purpose, subject_id, occasion, customer_id, property_id,
     to_address, subject, body, created_by)
  values
    (p_tenant, p_channel, p_kind, 'transactional', p_subject_id, p_occasion, p_customer,
     p_property, p_to,
     case when p_channel = 'email'
          then left(btrim(app.email_line(replace(coalesce(p_subject, ''), v_mark, ''))), 300)
          else '' end,
     v_body, auth.uid())
  returning * into v_message;
  return v_message;
end
$$;
revoke all on function app.queue_document_message(
  uuid, text, text, text, text, text, uuid, uuid, uuid, text, text, text) from public;

-- Why: what sending an estimate or an invoice (`p_document`) shares once its definer has found
-- the document and checked that it may go: the address checked (a technician's only to the
-- customer: their email or mobile number, or `p_also`, the invoice's billing email; the office
-- may choose any, as it may queue any message), a new link with the earlier ones withdrawn, and,
-- given a channel, the `<document>_sent` message with the link in place of `{<document>_link}`.
-- Returns the token (shown once to the sender) and what became of the message (queued, or
-- blocked with the database's reason). For the two definers below; no grant.
create function app.send_document_link(
  p_document text, p_tenant uuid, p_id uuid, p_customer uuid, p_property uuid, p_also text,
  p_channel text, p_to text, p_subject text, p_body text
) returns table (token text, message_id uuid, message_status text, refusal text)
language plpgsql volatile set search_path = ''
as $$
#variable_conflict use_column
declare
  v_to text := '';
  v_link record;
  v_message public.messages;
begin
  if p_channel is not null then
    v_to := app.message_address(p_channel, p_to,
      case p_document when 'estimate' then 'estimate_links_sent_to_format'
                      else 'invoice_links_sent_to_format' end);
    if not (app.is_office_staff() or v_to = nullif(p_also, '') or exists (
      select from public.customers c
       where c.tenant_id = p_tenant and c.id = p_customer and v_to in (c.email, c.phone)))
    then
      raise exception 'a technician sends to the customer''s own email or mobile number'
        using errcode = 'check_violation',
              constraint = case p_document
                             when 'estimate' then 'estimate_links_sent_to_the_customer'
                             else 'invoice_links_sent_to_the_customer' end;
    end if;
  end if;
  select * into v_link from app.new_document_link(p_document, p_tenant, p_id, v_to, true);
  if p_channel is not null then
    v_message := app.queue_document_message(
      p_tenant, p_document || '_sent', p_channel, v_to, p_subject, p_body, p_customer,
      p_property, p_id, v_link.link_id::text, p_document || '_link',
      iam.public_url() || '/' || p_document || '/' || v_link.token);
  end if;
  return query select v_link.token, v_message.id, v_message.status, v_message.blocked_reason;
end
$$;
revoke all on function app.send_document_link(
  text, uuid, uuid, uuid, uuid, text, text, text, text, text) from public;

-- Why: sending is the one way an estimate's link is made (app.send_document_link): a draft
-- becomes sent, and given a channel the `estimate_sent` message goes with the new link.
create function app.send_estimate(
  p_estimate uuid, p_channel text, p_to text, p_subject text, p_body text
) returns table (token text, message_id uuid, message_status text, refusal text)
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_estimate public.estimates;
begin
  if v_tenant is null then
    raise exception 'estimates are sent by a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  select e.* into v_estimate from public.estimates e
   where e.tenant_id = v_tenant and e.id = p_estimate
     and (app.is_office_staff() or e.job_id = any (app.technician_job_ids()))
   for update;
  if not found then
    raise exception 'no such estimate' using errcode = 'no_data_found';
  end if;
  if v_estimate.status not in ('draft', 'sent', 'viewed') then
    raise exception 'only a draft or an unanswered estimate is sent'
      using errcode = 'check_violation', constraint = 'estimates_sendable';
  end if;
  if not exists (select from public.estimate_lines l
                  where l.tenant_id = v_tenant and l.estimate_id = p_estimate) then
    raise exception 'an estimate is sent with at least one line'
      using errcode = 'check_violation', constraint = 'estimates_sent_with_lines';
  end if;
  if v_estimate.status = 'draft' then
    update public.estimates e set status = 'sent', sent_at = now(), updated_at = now()
     where e.tenant_id = v_tenant and e.id = p_estimate;
  end if;
  return query select * from app.send_document_link(
    'estimate', v_tenant, p_estimate, v_estimate.customer_id, v_estimate.property_id, '',
    p_channel, p_to, p_subject, p_body);
end
$$;
revoke all on function app.send_estimate(uuid, text, text, text, text) from public;
grant execute on function app.send_estimate(uuid, text, text, text, text) to authenticated;

-- Why: sending is the one way an invoice's link is made (app.send_document_link): a draft
-- becomes sent, and given a channel the `invoice_sent` message goes with the new link. A void
-- invoice is not sent; a paid one may be (the homeowner keeps it as a receipt).
create function app.send_invoice(
  p_invoice uuid, p_channel text, p_to text, p_subject text, p_body text
) returns table (token text, message_id uuid, message_status text, refusal text)
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_invoice public.invoices;
begin
  if v_tenant is null then
    raise exception 'invoices are sent by a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  select i.* into v_invoice from public.invoices i
   where i.tenant_id = v_tenant and i.id = p_invoice
     and (app.is_office_staff() or i.job_id = any (app.technician_job_ids()))
   for update;
  if not found then
    raise exception 'no such invoice' using errcode = 'no_data_found';
  end if;
  if v_invoice.status = 'void' then
    raise exception 'a void invoice is not sent'
      using errcode = 'check_violation', constraint = 'invoices_sendable';
  end if;
  if not exists (select from public.invoice_lines l
                  where l.tenant_id = v_tenant and l.invoice_id = p_invoice) then
    raise exception 'an invoice is sent with at least one line'
      using errcode = 'check_violation', constraint = 'invoices_sent_with_lines';
  end if;
  if v_invoice.status = 'draft' then
    update public.invoices i set status = 'sent', sent_at = now(), updated_at = now()
     where i.tenant_id = v_tenant and i.id = p_invoice;
  end if;
  return query select * from app.send_document_link(
    'invoice', v_tenant, p_invoice, v_invoice.customer_id, v_invoice.property_id,
    v_invoice.bill_to_email, p_channel, p_to, p_subject, p_body);
end
$$;
revoke all on function app.send_invoice(uuid, text, text, text, text) from public;
grant execute on function app.send_invoice(uuid, text, text, text, text) to authenticated;

-- Why: the worker's messages that carry a fresh link (service role only, across companies):
-- an unviewed estimate's follow-up (`estimate_follow_up`, the estimate still sent and not
-- viewed), an unpaid invoice's reminder (`invoice_overdue`, the invoice still sent or partly
-- paid) and a completed visit's note with its invoice (`visit_completed`, subject the visit).
-- The document is checked again here, so a payment or a look since the sweep chose it queues
-- nothing. Returns the message's id, or null when nothing was queued (no longer due, or that
-- occasion was queued already: then no link is left behind either).
create function app.queue_message_with_link(
  p_tenant uuid, p_kind text, p_document uuid, p_subject_id uuid, p_occasion text,
  p_channel text, p_to text, p_subject text, p_body text
) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_document text := case p_kind when 'estimate_follow_up' then 'estimate'
                                 when 'invoice_overdue' then 'invoice'
                                 when 'visit_completed' then 'invoice' end;
  v_to text := app.message_address(p_channel, p_to, 'messages_to_length');
  v_customer uuid;
  v_property uuid;
  v_link record;
  v_message public.messages;
begin
  if v_document = 'estimate' then
    select e.customer_id, e.property_id into v_customer, v_property from public.estimates e
     where e.tenant_id = p_tenant and e.id = p_document and e.status = 'sent'
     for update;
  elsif p_kind = 'invoice_overdue' then
    select i.customer_id, i.property_id into v_customer, v_property from public.invoices i
     where i.tenant_id = p_tenant and i.id = p_document and i.status in ('sent', 'partly_paid')
     for update;
  elsif p_kind = 'visit_completed' then
    select i.customer_id, i.property_id into v_customer, v_property from public.invoices i
     join public.visits v on v.tenant_id = i.tenant_id and v.id = p_subject_id
     where i.tenant_id = p_tenant and i.id = p_document
       and i.status in ('sent', 'partly_paid', 'paid') and v.status = 'completed'
       and (i.visit_id = v.id or i.job_id = v.job_id);
  else
    raise exception 'no link goes with % messages', p_kind
      using errcode = 'invalid_parameter_value';
  end if;
  if v_customer is null then
    return null;
  end if;
  begin
    select * into v_link from app.new_document_link(v_document, p_tenant, p_document, v_to, false);
    v_message := app.queue_document_message(
      p_tenant, p_kind, p_channel, v_to, p_subject, p_body, v_customer, v_property,
      p_subject_id, p_occasion, v_document || '_link',
      iam.public_url() || '/' || v_document || '/' || v_link.token);
  exception when unique_violation then
    return null;  -- queued already by another worker; the link made here is undone with it
  end;
  return v_message.id;
end
$$;
revoke all on function app.queue_message_with_link(
  uuid, text, uuid, uuid, text, text, text, text, text) from public;
grant execute on function app.queue_message_with_link(
  uuid, text, uuid, uuid, text, text, text, text, text) to service_role;

-- Why: the company's own wording of one kind of message (no row: the built-in wording), for
-- any member who sends one; a technician may not read public.message_templates itself.
create function app.message_template(p_kind text)
returns table (enabled boolean, sms_body text, email_subject text, email_body text)
language sql stable security definer set search_path = ''
as $$
  select t.enabled, t.sms_body, t.email_subject, t.email_body from public.message_templates t
  where t.tenant_id = app.tenant_id() and t.kind = p_kind
$$;
revoke all on function app.message_template(text) from public;
grant execute on function app.message_template(text) to authenticated;
