-- name: open_feed
select id, created_at
from public.calendar_feeds
where tenant_id = %(tenant_id)s and technician_id = %(technician_id)s and revoked_at is null

-- name: revoke_feeds
update public.calendar_feeds
set revoked_at = now()
where tenant_id = %(tenant_id)s and technician_id = %(technician_id)s and revoked_at is null
returning id

-- name: open_new_feed
select app.open_calendar_feed() as token

-- name: feed_visits
-- Runs as a token holder (plenum_signin): the security definer function hashes the token,
-- checks it and returns no street or name.
select visit_id, status, window_starts_at, window_ends_at, duration_minutes, job_kind,
       city, updated_at, time_zone
from app.calendar_feed_visits(%(token)s)

-- name: feed_is_open
select app.calendar_feed_is_open(%(token)s)
