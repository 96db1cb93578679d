-- The homeowner's own details in the portal: names, phone, email, how they like to be reached
-- and what they agree to receive, marketing per channel, which messaging respects.

-- Why: marketing consent per channel. `marketing_consent` stays the consent itself (with its
-- time and source); these narrow it to the channels the customer chose. Both on by default,
-- so a consent recorded before them keeps meaning what it meant.
alter table public.customers
  add column marketing_by_sms boolean not null default true,
  add column marketing_by_email boolean not null default true;

-- Why: the messaging guard's reasons, now also refusing marketing on a channel the customer
-- turned off (the rest as before).
create or replace function app.message_refusal(m public.messages) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select reason from (
      select 1 as rank, 'The number texted STOP.' as reason
       where m.channel = 'sms' and m.purpose <> 'compliance'
         and exists (select from public.sms_opt_outs o
                      where o.tenant_id = m.tenant_id and o.phone = m.to_address)
      union all
      select 2, 'Processing of this customer is restricted.'
        from public.customers c
       where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.restrict_processing
         and m.purpose <> 'compliance'
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

-- Why: the homeowner changes their own details: only these columns of the signed-in customer
-- (never notes, tags, flags or the office's records), checked by the table's constraints, so
-- bad input saves nothing. Marketing consent given here is recorded with the source 'portal'
-- and the time; turning both channels off withdraws it. Audited like any change.
create function app.portal_update_details(
  p_first_name text, p_last_name text, p_email text, p_phone text, p_preferred_contact text,
  p_transactional_messages boolean, p_marketing_by_sms boolean, p_marketing_by_email boolean
) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
  v_consent boolean := coalesce(p_marketing_by_sms, false) or coalesce(p_marketing_by_email, false);
begin
  if me.id is null then
    raise exception 'only a signed-in homeowner changes their details'
      using errcode = 'insufficient_privilege';
  end if;
  update public.customers c
     set first_name = btrim(coalesce(p_first_name, '')),
         last_name = btrim(coalesce(p_last_name, '')),
         email = lower(btrim(coalesce(p_email, ''))),
         phone = btrim(coalesce(p_phone, '')),
         preferred_contact = p_preferred_contact,
         transactional_messages = coalesce(p_transactional_messages, true),
         marketing_consent = v_consent,
         marketing_by_sms = case when v_consent then coalesce(p_marketing_by_sms, false)
                                 else c.marketing_by_sms end,
         marketing_by_email = case when v_consent then coalesce(p_marketing_by_email, false)
                                   else c.marketing_by_email end,
         marketing_consent_at = case
           when v_consent and (not c.marketing_consent
                               or c.marketing_by_sms <> coalesce(p_marketing_by_sms, false)
                               or c.marketing_by_email <> coalesce(p_marketing_by_email, false))
             then now()
           else c.marketing_consent_at end,
         marketing_consent_source = case
           when v_consent and (not c.marketing_consent
                               or c.marketing_by_sms <> coalesce(p_marketing_by_sms, false)
                               or c.marketing_by_email <> coalesce(p_marketing_by_email, false))
             then 'portal'
           else c.marketing_consent_source end,
         updated_at = now()
   where c.tenant_id = me.tenant_id and c.id = me.customer_id;
end
$$;
revoke execute on function app.portal_update_details(text, text, text, text, text, boolean,
  boolean, boolean) from public;
grant execute on function app.portal_update_details(text, text, text, text, text, boolean,
  boolean, boolean) to authenticated;
