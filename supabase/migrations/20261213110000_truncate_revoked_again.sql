-- Issue 17: `flask db up` applied supabase/local/00_roles.sql on every run, and with it the
-- default privileges Supabase gives the API roles on new tables in `public`, TRUNCATE included:
-- a database migrated more than once gave the tables of later migrations the TRUNCATE that
-- 20261123235000_retention_cutoff_checked revoked (a database migrated once, or by `supabase db
-- push`, did not). The file now grants them only where a database has none yet.

-- Why: TRUNCATE skips row triggers, so a truncated company table would leave no audit record;
-- the app never truncates. Taken back wherever a later `flask db up` had given it.
revoke truncate on all tables in schema public from anon, authenticated, service_role;
alter default privileges in schema public revoke truncate on tables
  from anon, authenticated, service_role;
