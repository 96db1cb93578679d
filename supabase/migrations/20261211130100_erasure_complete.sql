-- A homeowner's erasure, complete (P-10): what app.erase_customer of
-- 20261207130200_erasure_keeps_invoices.sql left behind is removed too. The cascades already
-- took what carries the customer's key (contacts, notes, properties, equipment, agreements,
-- jobs, visits and their files, estimates, conversations and messages that name them, online
-- bookings, service requests with their photos, portal sessions); what stayed was what carries
-- their address or their words without their key:
--   * messages and conversations to or from their addresses that name no customer (a portal
--     sign-in code, a text from their number before it was on file), and the outbox's copies;
--   * the links of their invoices (the address each was sent to), the payers' references and
--     refund reasons of their invoices;
--   * the file of an estimate's signature;
--   * the answer of their privacy requests (the details already went: the request stays, as the
--     record that it was handled, without their words);
--   * their opt-out from texts: kept, since erasing the number would let texts reach a number
--     that said STOP, but as a keyed digest of the number instead of the number (see below);
--   * the platform's pending sign-in records for an address no customer has any more.
-- And the audit log keeps outgoing-mail addresses and opted-out numbers as digests from now on,
-- never in clear (those rows name no customer whose key could seal them).

-- Why: an opted-out number that is not kept in clear: an HMAC of the company and the number
-- under the platform's secret pepper (which no app role can read), so the stored value cannot be
-- reversed by trying every number, yet the same number always gives the same digest, for the
-- messaging guard to recognise a STOP after the number itself is gone. No grant: only the
-- database's own functions (definers, running as their owner) call it.
create function app.number_digest(p_tenant uuid, p_phone text) returns bytea
language sql stable set search_path = ''
as $$
  select extensions.hmac(convert_to(p_tenant::text || ':' || p_phone, 'UTF8'), p.pepper, 'sha256')
    from iam.sign_in_pepper p
$$;
revoke execute on function app.number_digest(uuid, text) from public;

-- Why: an erased homeowner's STOP stays in force without their number (above). The row keeps its
-- keyword and date; `phone` becomes a placeholder unique to the row.
alter table public.sms_opt_outs add column phone_digest bytea;
alter table public.sms_opt_outs drop constraint sms_opt_outs_phone_e164;
alter table public.sms_opt_outs add constraint sms_opt_outs_phone_e164 check (
  phone ~ '^\+[1-9][0-9]{6,14}$'
  or (phone_digest is not null and phone = 'erased:' || id::text));
create index sms_opt_outs_digest_idx on public.sms_opt_outs (tenant_id, phone_digest)
  where phone_digest is not null;

-- Why: addresses of outgoing mail and opted-out numbers name no customer, so the audit log could
-- not seal them under a customer's key: from now on it keeps their digests only.
comment on column outbox.messages.to_address is '@audit-digest';
comment on column outbox.messages.subject is '@audit-digest';
comment on column outbox.messages.body_html is '@audit-digest';
comment on column public.sms_opt_outs.phone is '@audit-digest';
select audit.attach_triggers(array['public', 'outbox']);

-- Why: the request stays after the erasure as the record that it was handled, without the
-- homeowner's words: app.privacy_requests_dates takes the details when the customer goes; an
-- answer already given is replaced here by a sentence saying so (an answered request keeps an
-- answer). Runs after that trigger (names sort), on the update the erasure's `set null` makes.
create function app.privacy_requests_erased_answer() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.customer_id is null and old.customer_id is not null and new.answer <> '' then
    new.answer := 'Answered. The homeowner has been erased since.';
  end if;
  return new;
end
$$;
revoke execute on function app.privacy_requests_erased_answer() from public;

create trigger privacy_requests_erased_answer before update on public.privacy_requests
  for each row execute function app.privacy_requests_erased_answer();

-- Why: everything that carries an erased homeowner's address or words without their key, in
-- their company (and the platform's pending sign-in records of an address no customer has any
-- more). Called by app.erase_customer before the customer goes; no grant.
create function app.erase_traces(p_tenant uuid, p_customer uuid) returns void
language plpgsql set search_path = ''
as $$
declare
  v_addresses text[];
  v_phones text[];
begin
  select array_agg(distinct lower(btrim(a))) filter (where btrim(coalesce(a, '')) <> '')
    into v_addresses
    from (select c.email as a from public.customers c
           where c.tenant_id = p_tenant and c.id = p_customer
          union all select c.phone from public.customers c
           where c.tenant_id = p_tenant and c.id = p_customer
          union all select x.email from public.customer_contacts x
           where x.tenant_id = p_tenant and x.customer_id = p_customer
          union all select x.phone from public.customer_contacts x
           where x.tenant_id = p_tenant and x.customer_id = p_customer
          union all select v.phone from public.conversations v
           where v.tenant_id = p_tenant and v.customer_id = p_customer
          union all select m.to_address from public.messages m
           where m.tenant_id = p_tenant and m.customer_id = p_customer and m.direction = 'out'
          union all select m.from_address from public.messages m
           where m.tenant_id = p_tenant and m.customer_id = p_customer and m.direction = 'in'
         ) found;
  v_addresses := coalesce(v_addresses, '{}');
  v_phones := array(select a from unnest(v_addresses) a where a ~ '^\+[0-9]');

  delete from public.messages m
   where m.tenant_id = p_tenant and m.customer_id is null
     and (lower(m.to_address) = any (v_addresses) or lower(m.from_address) = any (v_addresses));
  delete from public.conversations v
   where v.tenant_id = p_tenant and v.customer_id is null and v.phone = any (v_phones);
  delete from outbox.messages o
   where o.tenant_id = p_tenant and lower(o.to_address) = any (v_addresses);
  update public.sms_opt_outs o
     set phone_digest = app.number_digest(o.tenant_id, o.phone), phone = 'erased:' || o.id::text
   where o.tenant_id = p_tenant and o.phone = any (v_phones);

  -- Their invoices stay; the addresses they were sent to and the payers' words go.
  delete from public.invoice_links l
   using public.invoices i
   where l.tenant_id = p_tenant and i.tenant_id = l.tenant_id and i.id = l.invoice_id
     and i.customer_id = p_customer;
  update public.payments p set reference = ''
    from public.invoices i
   where p.tenant_id = p_tenant and i.tenant_id = p.tenant_id and i.id = p.invoice_id
     and i.customer_id = p_customer and p.reference <> '';
  update public.refunds r set reason = ''
    from public.invoices i
   where r.tenant_id = p_tenant and i.tenant_id = r.tenant_id and i.id = r.invoice_id
     and i.customer_id = p_customer and r.reason <> '';

  insert into app.discarded_files (storage_key)
  select e.signature_key from public.estimates e
   where e.tenant_id = p_tenant and e.customer_id = p_customer and e.signature_key is not null
  on conflict do nothing;

  -- The platform's sign-in records hold an address, not a company: they go once no customer of
  -- any company has it (another company's customer with the same address keeps theirs).
  v_addresses := array(
    select a from unnest(v_addresses) a
     where not exists (select from public.customers c
                        where (lower(c.email) = a or c.phone = a)
                          and not (c.tenant_id = p_tenant and c.id = p_customer)));
  delete from iam.portal_challenges c where lower(c.address) = any (v_addresses);
  delete from iam.portal_choices c where lower(c.address) = any (v_addresses);
  delete from iam.link_requests r
   where r.subject = any (array(select 'portal-code-address:' || a from unnest(v_addresses) a));
end
$$;
revoke execute on function app.erase_traces(uuid, uuid) from public;

-- Why: P-10 with P-12, a homeowner's erasure, in one transaction: refused while the customer is
-- under a legal hold (with its reason); the imports that mention them lose their file; the
-- traces that carry their address or words without their key go (app.erase_traces); their
-- invoices stay (financial records are kept 7 years) with their number, dates, amounts, lines
-- and payments, detached and billed to 'Erased customer'; then the customer goes with
-- everything that is theirs (the foreign keys cascade, and the files are queued for deletion);
-- their audit key is destroyed, so every value of theirs in the log becomes unreadable; and an
-- `erasure` entry without any personal value records that it happened. Owners and admins of the
-- customer's company only: the company is the caller's, never an argument.
create or replace function app.erase_customer(p_customer uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_hold text;
  v_imports integer;
begin
  if v_tenant is null or not app.has_role('owner', 'admin') then
    raise exception 'only owners and admins can erase a customer'
      using errcode = 'insufficient_privilege';
  end if;
  select c.legal_hold into v_hold from public.customers c
   where c.tenant_id = v_tenant and c.id = p_customer for update;
  if not found then
    raise exception 'no such customer' using errcode = 'no_data_found';
  end if;
  if v_hold <> '' then
    raise exception 'this customer is under a legal hold: %', v_hold
      using errcode = 'check_violation', constraint = 'customers_legal_hold_blocks_erasure';
  end if;
  v_imports := app.discard_imports_mentioning(v_tenant, p_customer);
  perform app.erase_traces(v_tenant, p_customer);
  -- Every reference at once, so that no key is left to find them (app.invoices_keep_their_word
  -- accepts this anonymised form of a sent invoice, and no other change to it).
  update public.invoices i
     set customer_id = null, property_id = null, job_id = null, visit_id = null,
         estimate_id = null, bill_to_name = 'Erased customer', bill_to_email = '',
         bill_to_address = '', note = '', updated_at = now()
   where i.tenant_id = v_tenant and i.customer_id = p_customer;
  delete from public.customers c where c.tenant_id = v_tenant and c.id = p_customer;
  insert into audit.subject_keys as k (tenant_id, subject_id, key, erased_at)
  values (v_tenant, p_customer, null, now())
  on conflict (tenant_id, subject_id) do update set key = null, erased_at = now();
  perform audit.append(v_tenant, 'public.customers', p_customer::text, 'erasure', null,
                       jsonb_build_object('imports_discarded', v_imports));
end
$$;
grant execute on function app.erase_customer(uuid) to authenticated;
