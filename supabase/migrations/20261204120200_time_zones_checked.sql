-- Issue 10: a company's time zone is checked by the database, not only by the sign-up form:
-- an unknown name made every page that turns times into local days fail.

-- Why: the zone names a company may use: the IANA names PostgreSQL knows, copied once here
-- (reading pg_timezone_names takes ~50 ms, too slow for a check on every write). A later
-- tz database that adds a zone needs a migration that inserts it.
create table app.time_zones (
  name text primary key
);
alter table app.time_zones enable row level security;
revoke all on app.time_zones from anon, authenticated, service_role;
insert into app.time_zones (name)
select z.name from pg_catalog.pg_timezone_names z
 where z.name !~ '^(posixrules|localtime|Factory)$' and z.name !~ '^posix/|^right/';

-- Why: every time zone column names a known zone; existing rows are checked as it is added.
alter table public.tenants
  add constraint tenants_time_zone_known foreign key (time_zone) references app.time_zones (name);
