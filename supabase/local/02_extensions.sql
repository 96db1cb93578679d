-- Supabase installs extensions into their own schema, `extensions`; create it where missing so
-- that migrations can say `with schema extensions` on both.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
