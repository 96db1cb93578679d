-- The calendar feed is read by whoever holds its link, like the emailed links: the functions
-- take the token itself and hash it here (a stored hash opens nothing), and only the role of
-- token holders may call them, never `anon`.

drop function app.calendar_feed_visits(bytea);
drop function app.calendar_feed_is_open(bytea);

-- Why: the feed a token names: its hash must match an open feed of an active member of an
-- active company. The two functions below use it (no role may call it directly).
create function app.calendar_feed(p_token text)
returns table (tenant_id uuid, id uuid, technician_id uuid)
language sql stable set search_path = ''
as $$
  select f.tenant_id, f.id, f.technician_id
    from public.calendar_feeds f
    join public.memberships m
      on m.tenant_id = f.tenant_id and m.account_id = f.technician_id and m.status = 'active'
    join public.tenants t on t.id = f.tenant_id and t.status = 'active'
   where f.token_hash = iam.token_hash(p_token) and f.revoked_at is null
$$;
revoke execute on function app.calendar_feed(text) from public;

-- Why: the feed URL is the only credential (app.calendar_feed); only that technician's visits
-- from 30 days back to 90 ahead come out (kind, city, times: the feed lives in a calendar
-- provider's cloud), and the read is recorded in the company's log, since no member is signed
-- in to record it (once per quarter hour: calendar apps poll).
create function app.calendar_feed_visits(p_token text)
returns table (visit_id uuid, status text, window_starts_at timestamptz,
               window_ends_at timestamptz, duration_minutes integer, job_kind text,
               city text, updated_at timestamptz, time_zone text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_feed record;
begin
  select * into v_feed from app.calendar_feed(p_token);
  if v_feed.id is null then
    return;
  end if;
  return query
  select v.id, v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes, j.kind,
         p.city, v.updated_at, t.time_zone
    from public.visit_assignments a
    join public.tenants t on t.id = a.tenant_id
    join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
    join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
   where a.tenant_id = v_feed.tenant_id and a.technician_id = v_feed.technician_id
     and v.status <> 'canceled' and v.window_starts_at is not null
     and v.window_starts_at between now() - interval '30 days' and now() + interval '90 days'
   order by v.window_starts_at;
  -- Calendar apps poll every few minutes: one entry per feed per quarter hour is the record,
  -- and whoever holds the link cannot flood the company's append-only log.
  if not exists (
    select from audit.changes c
    where c.tenant_id = v_feed.tenant_id and c.table_name = 'public.calendar_feeds'
      and c.row_key = v_feed.id::text and c.operation = 'access'
      and c.changed_at > now() - interval '15 minutes'
  ) then
    perform audit.append(v_feed.tenant_id, 'public.calendar_feeds', v_feed.id::text, 'access',
      null, jsonb_build_object('view', 'calendar feed', 'technician_id', v_feed.technician_id));
  end if;
end
$$;

-- Why: an open feed with no visits in its window is an empty calendar, not an unknown link.
create function app.calendar_feed_is_open(p_token text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select from app.calendar_feed(p_token))
$$;

-- Why: token holders reach the two feed functions of `app`, and nothing else of it.
grant usage on schema app to plenum_signin;
revoke execute on function
  app.calendar_feed_visits(text), app.calendar_feed_is_open(text)
  from public, anon, authenticated;
grant execute on function
  app.calendar_feed_visits(text), app.calendar_feed_is_open(text)
  to plenum_signin;
