-- A worker's claim on a message lives in `app.message_claims`, not in the message: the lease
-- is renewed while the worker sends (a heartbeat, jobs/messages.py), so a slow provider does not
-- make a live worker's messages look abandoned, and neither the claim nor its renewals fill the
-- audit log (a message's row changes when it is queued, sent, delivered, failed or refused).
-- A claim names its worker, which holds an advisory lock (namespace 7341, its own key) on a
-- connection of its own for as long as it lives: a worker that dies, even by SIGKILL, loses the
-- connection and the lock with it, so its messages are due again at once, not when their lease
-- runs out. A claim keeps the moment of the first: how far back the worker asks Twilio about a
-- text in doubt.

-- Why: the worker's bookkeeping of messages in flight (service role only). A message with a
-- claim whose lease is null waits for a retry; `attempts` counts the claims.
create table app.message_claims (
  tenant_id uuid not null,
  message_id uuid not null,
  worker integer,
  lease_until timestamptz,
  claimed_at timestamptz not null,
  attempts integer not null default 1,
  primary key (tenant_id, message_id),
  foreign key (tenant_id, message_id) references public.messages (tenant_id, id)
    on delete cascade
);
revoke all on app.message_claims from anon, authenticated;
grant select, insert, update, delete on app.message_claims to service_role;
alter table app.message_claims enable row level security;

-- Why: the worker's claim, across companies (service role only), for worker `p_worker`: up to
-- `p_limit` due messages are taken, none that is not urgent in a zone in its quiet hours now (a
-- message due at 8:55pm but reached at 9:05pm waits for 8am), each company's sender only when
-- it is free and no more than its rate allows, skipping those a live worker holds. Each is checked again (a STOP, a withdrawn consent
-- since it was queued): a refused one is blocked, not claimed. A message claimed before whose
-- worker died (or whose lease ran out) comes back `in_doubt`, with its first claim's moment.
-- Times are the database clock's (app.now()), which tests set.
create function app.claim_messages(p_limit integer, p_lease interval, p_worker integer)
returns table (tenant_id uuid, id uuid, channel text, kind text, purpose text, to_address text,
               subject text, body text, attempts integer, in_doubt boolean,
               claimed_from timestamptz)
language plpgsql volatile security invoker set search_path = ''
as $$
#variable_conflict use_column
declare
  v_now timestamptz := app.now();
begin
  return query
  with alive as (
    select l.objid::bigint as worker from pg_catalog.pg_locks l
     where l.locktype = 'advisory' and l.classid = 7341 and l.objsubid = 2 and l.granted
       and l.database = (select d.oid from pg_catalog.pg_database d
                          where d.datname = pg_catalog.current_database())
  ), held as (
    select c.tenant_id, c.message_id from app.message_claims c
     where c.lease_until >= v_now and c.worker in (select worker from alive)
  ), quiet as (
    select z.name from app.time_zones z where app.permitted_from(z.name, v_now) > v_now
  ), due as (
    select m.tenant_id, m.id, m.channel,
           row_number() over (partition by m.tenant_id, m.channel
                              order by m.not_before, m.created_at) as place
      from public.messages m
     where m.status = 'queued' and m.not_before <= v_now
       and (m.urgent or m.time_zone not in (select q.name from quiet q))
       and not exists (select from held h
                        where h.tenant_id = m.tenant_id and h.message_id = m.id)
  ), senders as (
    -- A Twilio number's pace is the company's; email and the outbox go at 100 a second.
    select d.tenant_id, d.channel, greatest(1, floor(pace.rate))::integer as burst, pace.rate
      from (select distinct due.tenant_id, due.channel from due) d
      left join public.messaging_accounts a on a.tenant_id = d.tenant_id
      left join app.message_senders s on s.tenant_id = d.tenant_id and s.channel = d.channel
      cross join lateral (
        select coalesce(case when d.channel = 'sms' and a.twilio_account_sid <> ''
                             then a.sms_per_second end, 100) as rate) pace
     where s.next_at is null or s.next_at <= v_now
  ), picked as (
    select m.tenant_id, m.id, m.channel, app.message_refusal(m) as refusal
      from due
      join senders using (tenant_id, channel)
      join public.messages m on m.tenant_id = due.tenant_id and m.id = due.id
     where due.place <= senders.burst
     order by due.place, m.not_before
     limit p_limit
       for update of m skip locked
  ), refused as (
    update public.messages m set status = 'blocked', blocked_reason = p.refusal
      from picked p
     where m.tenant_id = p.tenant_id and m.id = p.id and p.refusal <> ''
  ), prior as (
    select c.tenant_id, c.message_id, c.lease_until is not null as in_flight
      from app.message_claims c
      join picked p on p.tenant_id = c.tenant_id and p.id = c.message_id
  ), claimed as (
    insert into app.message_claims as c (tenant_id, message_id, worker, lease_until, claimed_at)
    select p.tenant_id, p.id, p_worker, v_now + p_lease, v_now
      from picked p where p.refusal = ''
    on conflict (tenant_id, message_id) do update
      set worker = excluded.worker, lease_until = excluded.lease_until,
          attempts = c.attempts + 1
    returning c.tenant_id, c.message_id, c.attempts, c.claimed_at
  ), paced as (
    insert into app.message_senders as s (tenant_id, channel, next_at)
    select p.tenant_id, p.channel,
           v_now + make_interval(secs => count(*) / max(senders.rate))
      from picked p join senders using (tenant_id, channel)
     group by p.tenant_id, p.channel
    on conflict (tenant_id, channel) do update set next_at = excluded.next_at
  )
  select m.tenant_id, m.id, m.channel, m.kind, m.purpose, m.to_address, m.subject, m.body,
         c.attempts, coalesce(prior.in_flight, false), c.claimed_at
    from claimed c
    join public.messages m on m.tenant_id = c.tenant_id and m.id = c.message_id
    left join prior on prior.tenant_id = c.tenant_id and prior.message_id = c.message_id;
end
$$;
grant select on app.time_zones to service_role;
revoke execute on function app.claim_messages(integer, interval, integer) from public;
grant execute on function app.claim_messages(integer, interval, integer) to service_role;

-- Why: the worker's heartbeat: the leases of the messages it is still sending, renewed.
create function app.renew_message_leases(p_worker integer, p_lease interval)
returns void
language sql volatile security invoker set search_path = ''
as $$
  update app.message_claims c set lease_until = app.now() + p_lease
   where c.worker = p_worker and c.lease_until is not null
$$;
revoke execute on function app.renew_message_leases(integer, interval) from public;
grant execute on function app.renew_message_leases(integer, interval) to service_role;
