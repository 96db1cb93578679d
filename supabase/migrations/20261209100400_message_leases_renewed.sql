-- A worker's claim is a lease it renews while it sends (a heartbeat, jobs/messages.py), so the
-- lease can be short: a dead worker's messages are taken again within a minute, a slow provider
-- does not make a live worker's messages look abandoned. A message keeps the moment it was
-- first claimed, which is how far back the worker asks Twilio about a text in doubt.
alter table public.messages add column claimed_at timestamptz;

-- Why: as before (20261209100000_messages.sql), with `claimed_from` the first claim's moment.
create or replace function app.claim_messages(p_limit integer, p_lease interval)
returns table (tenant_id uuid, id uuid, channel text, kind text, purpose text, to_address text,
               subject text, body text, attempts integer, in_doubt boolean,
               claimed_from timestamptz)
language plpgsql volatile security invoker set search_path = ''
as $$
#variable_conflict use_column
declare
  v_now timestamptz := app.now();
begin
  update public.messages m
     set not_before = app.permitted_from(m.time_zone, v_now)
   where m.status = 'queued' and m.not_before <= v_now and not m.urgent
     and app.permitted_from(m.time_zone, v_now) > v_now;

  return query
  with due as (
    select m.tenant_id, m.id, m.channel, m.status as was,
           row_number() over (partition by m.tenant_id, m.channel
                              order by m.not_before, m.created_at) as place
      from public.messages m
     where (m.status = 'queued' and m.not_before <= v_now)
        or (m.status = 'sending' and m.lease_until < v_now)
  ), senders as (
    select d.tenant_id, d.channel,
           greatest(1, floor(coalesce(case when d.channel = 'sms' then a.sms_per_second end,
                                      100)))::integer as burst,
           coalesce(case when d.channel = 'sms' then a.sms_per_second end, 100) as rate
      from (select distinct due.tenant_id, due.channel from due) d
      left join public.messaging_accounts a on a.tenant_id = d.tenant_id
      left join app.message_senders s on s.tenant_id = d.tenant_id and s.channel = d.channel
     where s.next_at is null or s.next_at <= v_now
  ), picked as (
    select m.tenant_id, m.id, due.was
      from due
      join senders using (tenant_id, channel)
      join public.messages m on m.tenant_id = due.tenant_id and m.id = due.id
     where due.place <= senders.burst
     order by due.place, m.not_before
     limit p_limit
       for update of m skip locked
  ), taken as (
    update public.messages m
       set status = 'sending', lease_until = v_now + p_lease, attempts = m.attempts + 1,
           claimed_at = coalesce(m.claimed_at, v_now)
      from picked
     where m.tenant_id = picked.tenant_id and m.id = picked.id
    returning m.tenant_id, m.id, m.channel, m.kind, m.purpose, m.to_address, m.subject,
              m.body, m.attempts, m.status, picked.was, m.claimed_at
  ), paced as (
    insert into app.message_senders as s (tenant_id, channel, next_at)
    select t.tenant_id, t.channel,
           v_now + make_interval(secs => count(*) / max(senders.rate))
      from taken t join senders using (tenant_id, channel)
     group by t.tenant_id, t.channel
    on conflict (tenant_id, channel) do update set next_at = excluded.next_at
  )
  select t.tenant_id, t.id, t.channel, t.kind, t.purpose, t.to_address, t.subject, t.body,
         t.attempts, t.was = 'sending', t.claimed_at
    from taken t
   where t.status = 'sending';
end
$$;
revoke execute on function app.claim_messages(integer, interval) from public;
grant execute on function app.claim_messages(integer, interval) to service_role;

-- Why: the worker's heartbeat: the leases of the messages it is still sending, renewed.
create function app.renew_message_leases(p_tenants uuid[], p_ids uuid[], p_lease interval)
returns void
language sql volatile security invoker set search_path = ''
as $$
  update public.messages m set lease_until = app.now() + p_lease
    from unnest(p_tenants, p_ids) as held (tenant_id, id)
   where m.tenant_id = held.tenant_id and m.id = held.id and m.status = 'sending'
$$;
revoke execute on function app.renew_message_leases(uuid[], uuid[], interval) from public;
grant execute on function app.renew_message_leases(uuid[], uuid[], interval) to service_role;
