-- Why: canceling a campaign cancels the messages not yet sent, but not one a worker is sending
-- at that moment (app.message_claims): it may already be with Twilio, and the worker records
-- what became of it. As 20261209130000_campaigns.sql, with that one condition more.
create or replace function app.cancel_campaign(p_campaign uuid)
returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_canceled integer;
begin
  if v_tenant is null or not app.is_manager() then
    return null;
  end if;
  update public.campaigns c set status = 'canceled', updated_at = now()
   where c.tenant_id = v_tenant and c.id = p_campaign
     and c.status in ('draft', 'scheduled', 'sending');
  if not found then
    return null;
  end if;
  update public.messages m set status = 'canceled'
   where m.tenant_id = v_tenant and m.campaign_id = p_campaign and m.status = 'queued'
     and not exists (select from app.message_claims c
                      where c.tenant_id = m.tenant_id and c.message_id = m.id
                        and c.lease_until is not null);
  get diagnostics v_canceled = row_count;
  return v_canceled;
end
$$;
