-- Issue 10 (P-07): a calendar feed read is a read of the technician's schedule by whoever holds
-- the link, with no signed-in member to record it, so the function that reads the feed records
-- it in the company's log: the feed, the technician and the visits it returned.

-- Why: as before (the feed's hash must match an open feed of an active member; only that
-- technician's visits from 30 days back to 90 ahead, kind, city and times), and now volatile,
-- since it writes the access row.
create or replace function app.calendar_feed_visits(p_token_hash bytea)
returns table (visit_id uuid, status text, window_starts_at timestamptz,
               window_ends_at timestamptz, duration_minutes integer, job_kind text,
               city text, updated_at timestamptz, time_zone text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_feed record;
begin
  select f.tenant_id, f.id, f.technician_id into v_feed
    from public.calendar_feeds f
    join public.memberships m
      on m.tenant_id = f.tenant_id and m.account_id = f.technician_id and m.status = 'active'
    join public.tenants t on t.id = f.tenant_id and t.status = 'active'
   where f.token_hash = p_token_hash and f.revoked_at is null;
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
  perform audit.append(v_feed.tenant_id, 'public.calendar_feeds', v_feed.id::text, 'access', null,
    jsonb_build_object('view', 'calendar feed', 'technician_id', v_feed.technician_id));
end
$$;
