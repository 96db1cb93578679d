-- name: queue_messages
-- Many drafts in one statement (the audit log's insert trigger runs once for all of them); as
-- for one, an occasion queued before is left alone. Returns the rows queued.
insert into public.messages
  (tenant_id, channel, kind, purpose, urgent, subject_id, occasion, customer_id, property_id,
   conversation_id, campaign_id, to_address, subject, body, not_before)
select d.tenant_id, d.channel, d.kind, d.purpose, d.urgent, d.subject_id, d.occasion,
       d.customer_id, d.property_id, d.conversation_id, d.campaign_id, d."to", d.subject, d.body,
       coalesce(d.not_before, app.now())
  from jsonb_to_recordset(%(drafts)s::jsonb) as d
       (tenant_id uuid, channel text, kind text, purpose text, urgent boolean, subject_id uuid,
        occasion text, customer_id uuid, property_id uuid, conversation_id uuid,
        campaign_id uuid, "to" text, subject text, body text, not_before timestamptz)
on conflict (tenant_id, kind, channel, subject_id, occasion)
  where direction = 'out' and occasion is not null
  do nothing
returning id, status, blocked_reason, not_before
