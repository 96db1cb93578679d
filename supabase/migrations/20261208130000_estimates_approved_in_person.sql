-- A technician shows an estimate to the homeowner on the phone in their hand: the homeowner
-- picks an option, types their name and signs on the screen. The approval is recorded as given
-- in person (who recorded it, when) and has the consequences of an approval by link, by the
-- same code: once only (two taps make one approval), the job's next step an unscheduled visit
-- for the chosen work, the office told by email.
--
-- Who may do what:
-- - app.approve_estimate_in_person: office staff, or the technician of the estimate's job (the
--   jobs of their own visits, app.technician_job_ids()); the caller's company only.
-- - A technician answers an estimate only that way. By a plain update they may mark their own
--   draft sent (shown to the homeowner) and nothing else of its status: approving without a
--   signature (an answer given by phone), declining and revising are the office's, as voiding
--   an invoice is.

-- Who recorded an approval given in person (null for one given on the link).
alter table public.estimates add column approval_recorded_by uuid;
create trigger stamp_approval_recorded_by before insert or update on public.estimates
  for each row execute function app.stamp_author('approval_recorded_by', 'when set');

-- Why: what an approval does, wherever it is given: on the link (the token holder) or in person
-- (a member, who is named as the one who recorded it). Once: a second approval finds it
-- approved and answers 'already' without changing anything; an estimate declined, expired, not
-- sent or revised answers 'closed'. Not a definer and executable by no API role: only the
-- definers below call it, with an estimate they have locked.
create function app.record_estimate_approval(
  p_e public.estimates, p_option uuid, p_signed_by text, p_signature_key text,
  p_recorded_by uuid
) returns text
language plpgsql set search_path = ''
as $$
declare
  v_option public.estimate_options;
  v_job uuid;
  v_visit uuid;
  v_name text := regexp_replace(btrim(coalesce(p_signed_by, '')), '[[:cntrl:]]+', ' ', 'g');
  v_where text := case when p_recorded_by is null then 'on the link we sent'
                       else 'in person' end;
begin
  if p_e.status = 'approved' then
    return 'already';
  end if;
  if p_e.status not in ('sent', 'viewed') or p_e.valid_until < app.company_today(p_e.tenant_id)
  then
    return 'closed';
  end if;
  select o.* into v_option from public.estimate_options o
   where o.tenant_id = p_e.tenant_id and o.estimate_id = p_e.id and o.id = p_option;
  if not found then
    raise exception 'choose one of the estimate''s options'
      using errcode = 'check_violation', constraint = 'estimates_approved_option_fkey';
  end if;
  if length(v_name) not between 1 and 200 then
    raise exception 'type your name to sign'
      using errcode = 'check_violation', constraint = 'estimates_approved_by_name_length';
  end if;
  if p_signature_key is null
     or p_signature_key !~ ('^' || p_e.tenant_id::text || '/estimates/' || p_e.id::text
                            || '/[0-9a-f-]{36}\.png$') then
    raise exception 'a drawn signature is needed'
      using errcode = 'check_violation', constraint = 'estimates_signature_key_format';
  end if;
  v_job := p_e.job_id;
  if v_job is null then
    insert into public.jobs (tenant_id, customer_id, property_id, kind, priority, summary)
    values (p_e.tenant_id, p_e.customer_id, p_e.property_id, 'install', 'normal',
            left(p_e.title || ' (' || v_option.name || ')', 200))
    returning id into v_job;
  end if;
  insert into public.visits (tenant_id, job_id, status)
  values (p_e.tenant_id, v_job, 'unscheduled')
  returning id into v_visit;
  update public.estimates e
     set status = 'approved', approved_option_id = v_option.id, approved_at = now(),
         approved_by_name = v_name,
         approved_from = left(coalesce(nullif(current_setting('plenum.client_addr', true), ''),
                                       'unknown'), 100),
         signature_key = p_signature_key, approved_visit_id = v_visit,
         approval_recorded_by = p_recorded_by, job_id = v_job, updated_at = now()
   where e.tenant_id = p_e.tenant_id and e.id = p_e.id;
  insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
  select p_e.tenant_id, 'email', 'estimate_approved', a.email,
         format('Estimate EST-%s approved: %s', p_e.number, v_option.name),
         format(E'%s approved estimate EST-%s (%s), option "%s", %s.\n\n'
                'A visit for the work is waiting to be scheduled:\n\n%s/dispatch\n',
                v_name, p_e.number, regexp_replace(p_e.title, '[[:cntrl:]]+', ' ', 'g'),
                v_option.name, v_where, iam.public_url())
  from public.memberships m
  join iam.accounts a on a.id = m.account_id
  where m.tenant_id = p_e.tenant_id and m.status = 'active'
    and m.role in ('owner', 'admin', 'dispatcher', 'office');
  return 'approved';
end
$$;
revoke all on function app.record_estimate_approval(public.estimates, uuid, text, text, uuid)
  from public;

-- Why: the homeowner's approval on the link, now through the shared approval above (same
-- arguments, same grant, same answers).
create or replace function app.approve_estimate_by_link(
  p_token text, p_option uuid, p_signed_by text, p_signature_key text
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
begin
  if v_e.id is null then
    return 'closed';
  end if;
  return app.record_estimate_approval(v_e, p_option, p_signed_by, p_signature_key, null);
end
$$;
revoke all on function app.approve_estimate_by_link(text, uuid, text, text) from public;
grant execute on function app.approve_estimate_by_link(text, uuid, text, text) to plenum_signin;

-- Why: the homeowner's approval given in person, on the phone of the technician of the
-- estimate's job (or recorded by office staff), with their typed name and drawn signature. A
-- definer because the approval makes the job's next visit, which a technician may not make
-- themselves; the estimate is found only as the caller may see it, in their own company.
create function app.approve_estimate_in_person(
  p_estimate uuid, p_option uuid, p_signed_by text, p_signature_key text
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_e public.estimates;
begin
  if v_tenant is null or auth.uid() is null then
    raise exception 'an approval in person is recorded by a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  select e.* into v_e from public.estimates e
   where e.tenant_id = v_tenant and e.id = p_estimate
     and (app.is_office_staff() or e.job_id = any (app.technician_job_ids()))
   for update;
  if not found then
    raise exception 'no such estimate' using errcode = 'no_data_found';
  end if;
  return app.record_estimate_approval(v_e, p_option, p_signed_by, p_signature_key, auth.uid());
end
$$;
revoke all on function app.approve_estimate_in_person(uuid, uuid, text, text) from public;
grant execute on function app.approve_estimate_in_person(uuid, uuid, text, text)
  to authenticated;

-- Why: a technician's own update may show their draft (mark it sent) but gives no other answer:
-- an approval in person goes through app.approve_estimate_in_person (a signature, the job's
-- next visit), and declining, revising or approving by phone are the office's. Statements run
-- by the definers above (current_user is their owner) are theirs to check.
create function app.estimates_answered_by_office() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.status is distinct from old.status and current_user = 'authenticated'
     and not app.is_office_staff() and not (old.status = 'draft' and new.status = 'sent')
  then
    raise exception 'a technician records an answer only in person, with a signature'
      using errcode = 'check_violation', constraint = 'estimates_answered_by_office';
  end if;
  return new;
end
$$;
revoke all on function app.estimates_answered_by_office() from public;

create trigger estimates_answered_by_office
  before update on public.estimates
  for each row execute function app.estimates_answered_by_office();

-- Why: voiding an invoice is the office's: a technician makes, sends and takes payment on the
-- invoices of their own jobs, but never voids one.
create function app.invoices_voided_by_office() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.status = 'void' and old.status <> 'void' and current_user = 'authenticated'
     and not app.is_office_staff()
  then
    raise exception 'only office staff void an invoice'
      using errcode = 'check_violation', constraint = 'invoices_voided_by_office';
  end if;
  return new;
end
$$;
revoke all on function app.invoices_voided_by_office() from public;

create trigger invoices_voided_by_office
  before update on public.invoices
  for each row execute function app.invoices_voided_by_office();

-- Why: a customer with an active service agreement gets member prices on the lines copied
-- from the price book, whoever builds the estimate or invoice. Technicians see no agreements
-- (least privilege: the plans are the office's), so this answers only yes or no, and only for
-- a customer the caller may see (office staff: any of their company's; a technician: those of
-- their own visits). Another company's or an unseen customer is no.
create function app.customer_has_plan(p_customer uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from public.service_agreements a
    where a.tenant_id = (select app.tenant_id()) and a.customer_id = p_customer
      and a.status = 'active' and a.starts_on <= current_date
      and (a.ends_on is null or a.ends_on >= current_date)
      and ((select app.is_office_staff())
           or p_customer = any ((select app.technician_customer_ids())::uuid[]))
  )
$$;
revoke all on function app.customer_has_plan(uuid) from public;
grant execute on function app.customer_has_plan(uuid) to authenticated;
