-- Restriction of processing, enforced by the database (P-10): a restricted customer is kept but
-- gets no message of any kind from the company, whichever way it is written.
--   * public.messages: the guard already blocked messages naming a restricted customer; it now
--     also blocks those that name no customer but go to a restricted customer's email or number
--     (a text typed to a number, a message queued before the number was on file). A portal
--     sign-in code is the homeowner's own request to see their data, and the law's answer to a
--     STOP ('compliance') is owed to everyone: those two still go.
--   * outbox.messages (mail the database writes itself, such as an estimate's approval
--     confirmation): a message to a restricted customer's address is not written at all.
-- And an erased homeowner's STOP (app.number_digest) still holds back texts to that number.

-- Why: whether an address is a restricted customer's, in one company: their own email or mobile
-- number, or one of their contacts'. No grant: only the messaging guard and the outbox's
-- trigger (definers, running as their owner) call it.
create function app.restricted_address(p_tenant uuid, p_address text) returns boolean
language sql stable set search_path = ''
as $$
  select btrim(coalesce(p_address, '')) <> '' and (
    exists (select from public.customers c
             where c.tenant_id = p_tenant and c.restrict_processing
               and (lower(c.email) = lower(btrim(p_address)) or c.phone = btrim(p_address)))
    or exists (select from public.customer_contacts x
                 join public.customers c on c.tenant_id = x.tenant_id and c.id = x.customer_id
                where x.tenant_id = p_tenant and c.restrict_processing
                  and (lower(x.email) = lower(btrim(p_address)) or x.phone = btrim(p_address))))
$$;
revoke execute on function app.restricted_address(uuid, text) from public;
-- Why: it runs for every message and outbox mail; restricted customers are few, so it starts
-- from them instead of reading the company's every customer.
create index customers_restricted_idx on public.customers (tenant_id, id)
  where restrict_processing;

-- Why: the messaging guard's reasons (as in 20261210140200_portal_details.sql), with a STOP
-- recognised by its digest once the number was erased, and restriction applied to the address
-- as well as to the customer named.
create or replace function app.message_refusal(m public.messages) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select reason from (
      select 1 as rank, 'The number texted STOP.' as reason
       where m.channel = 'sms' and m.purpose <> 'compliance'
         and (exists (select from public.sms_opt_outs o
                       where o.tenant_id = m.tenant_id and o.phone = m.to_address)
              or exists (select from public.sms_opt_outs o
                          where o.tenant_id = m.tenant_id and o.phone_digest is not null
                            and o.phone_digest = app.number_digest(m.tenant_id, m.to_address)))
      union all
      select 2, 'Processing of this customer is restricted.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.restrict_processing
         and m.purpose <> 'compliance'
      union all
      select 2, 'Processing of this customer is restricted.'
       where m.customer_id is null and m.purpose <> 'compliance'
         and m.kind <> 'portal_sign_in' and app.restricted_address(m.tenant_id, m.to_address)
      union all
      select 3, 'The customer asked not to be contacted.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.do_not_contact
         and m.purpose in ('transactional', 'marketing')
      union all
      select 4, 'The customer has not consented to marketing.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and not c.marketing_consent
         and m.purpose = 'marketing'
      union all
      select 4, 'The customer wants no marketing by ' || case m.channel when 'sms' then 'text'
                                                                    else 'email' end || '.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and m.purpose = 'marketing'
         and ((m.channel = 'sms' and not c.marketing_by_sms)
              or (m.channel = 'email' and not c.marketing_by_email))
      union all
      select 4, 'Marketing goes only to customers who consented.'
       where m.purpose = 'marketing' and m.customer_id is null
      union all
      select 4, 'Add the company''s postal address before sending marketing email.'
        from public.tenants t
       where t.id = m.tenant_id and m.purpose = 'marketing' and m.channel = 'email'
         and btrim(t.address) = ''
      union all
      select 5, 'The customer turned off messages about visits and bills.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and not c.transactional_messages
         and m.purpose = 'transactional'
    ) refusals order by rank limit 1), '')
$$;

-- Why: the outbox's mail to a restricted customer is never written (the statement that wrote
-- it goes on: an approval is still recorded, only its confirmation is not sent). Mail to the
-- company's own members (sign-in links, invitations, reminders) is not a customer's and goes.
-- A definer, since whoever writes to the outbox (a definer, the worker) reads customers here.
create function app.outbox_restricted_skip() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.tenant_id is not null and app.restricted_address(new.tenant_id, new.to_address)
     and not exists (select from public.memberships m
                      where m.tenant_id = new.tenant_id
                        and lower(m.email) = lower(btrim(new.to_address))) then
    return null;
  end if;
  return new;
end
$$;
revoke execute on function app.outbox_restricted_skip() from public;

create trigger outbox_restricted_skip before insert on outbox.messages
  for each row execute function app.outbox_restricted_skip();
