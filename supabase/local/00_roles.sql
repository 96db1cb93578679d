-- Recreates the roles Supabase provides, only where they are missing, so that the same
-- migrations and policies run unchanged on plain PostgreSQL and on Supabase.

do $$
begin
  -- Requests that carry no signed-in identity.
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  -- Requests of a signed-in person; row-level security decides what they see.
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  -- Trusted back-office work that must cross tenants; bypasses row-level security.
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  -- The login role of the app: owns nothing and can only switch into the three above.
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

grant usage on schema public to anon, authenticated, service_role;

-- Supabase grants the API roles every privilege on new objects in `public`; row-level security
-- is then the only boundary. Recreate that here so that local tests see what production sees,
-- in a database that has no default privileges in `public` yet: a migration narrows them (no
-- TRUNCATE), and applying this file again on the next `flask db up` must not widen them back.
do $$
begin
  if not exists (
    select from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace
    where n.nspname = 'public'
  ) then
    alter default privileges in schema public
      grant all on tables to anon, authenticated, service_role;
    alter default privileges in schema public
      grant all on sequences to anon, authenticated, service_role;
    alter default privileges in schema public
      grant all on functions to anon, authenticated, service_role;
  end if;
end
$$;
