-- /readyz answers 200 only when the database is reachable and migrated: the newest migration
-- the deployment ships is applied. The web's login role reads that itself, as nothing else it
-- does: it may read one column, the versions, of the migrations' record (no definer, no
-- function taking arguments, nothing `anon` or `authenticated` may see).

-- Why: the readiness check of the web process (app/db.py applied_migration).
grant usage on schema supabase_migrations to plenum_web;
grant select (version) on supabase_migrations.schema_migrations to plenum_web;
