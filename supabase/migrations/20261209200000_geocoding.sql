-- Issue 13: the geocoding job places each property on the map (coordinates and time zone), and
-- says why when it cannot, so the office can correct the address or place the pin by hand.

-- Why: the reason a property could not be placed ("No place is known for ZIP 99999"), shown on
-- its page; while it is still pending, the last outage that held it back. Personal: it can
-- name the property's ZIP code.
alter table public.properties
  add column geocode_failure text constraint properties_geocode_failure_length
    check (length(geocode_failure) <= 300);

-- Why: an outage (Google Maps answering 500, a rate limit) keeps a property pending; it is
-- tried again after a wait that doubles with each attempt, so one troubled address does not
-- stall the queue and a long outage does not hammer the provider.
alter table public.properties
  add column geocode_attempts integer not null default 0
    constraint properties_geocode_attempts_range check (geocode_attempts >= 0),
  add column geocode_retry_at timestamptz;

insert into audit.personal_columns (table_name, column_name)
values ('public.properties', 'geocode_failure');

-- Why: the geocoding job (service_role) keeps a zone the database does not know out of
-- properties.time_zone by reading the list the foreign key checks against.
grant select on app.time_zones to service_role;
