-- Why: an open feed with no visits in its window is an empty calendar, not an unknown link;
-- app.calendar_feed_visits alone cannot tell the two apart.
create function app.calendar_feed_is_open(p_token_hash bytea) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select from public.calendar_feeds f
    join public.memberships m
      on m.tenant_id = f.tenant_id and m.account_id = f.technician_id and m.status = 'active'
    join public.tenants t on t.id = f.tenant_id and t.status = 'active'
    where f.token_hash = p_token_hash and f.revoked_at is null
  )
$$;
grant execute on function app.calendar_feed_is_open(bytea) to anon, authenticated;
