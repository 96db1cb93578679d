-- Two login roles, one per process, so that the web process cannot become `service_role`.
-- Supabase's own `authenticator` may switch into `service_role` (PostgREST needs it); a bug or
-- an injected statement in the web app must not be able to turn off row-level security, so
-- the web logs in as `plenum_web` and only the jobs worker as `plenum_worker`. Both own
-- nothing and have no privilege of their own (noinherit): every statement runs after the
-- request's or job's `set_config('role', …)`. Passwords are set once per environment, outside
-- migrations (`alter role plenum_web password …`); the local cluster trusts 127.0.0.1.

do $$
begin
  -- Why: the web process; it may act only as an anonymous visitor or a signed-in person.
  if not exists (select from pg_roles where rolname = 'plenum_web') then
    create role plenum_web login noinherit;
  end if;
  -- Why: the jobs worker; also the few cross-company sweeps (retention, purge) that need
  -- `service_role`, in code that is easy to find (app/db.py service_role_transaction).
  if not exists (select from pg_roles where rolname = 'plenum_worker') then
    create role plenum_worker login noinherit;
  end if;
end
$$;

grant anon, authenticated to plenum_web;
grant anon, authenticated, service_role to plenum_worker;
