-- The statements of flask db (app/migrations.py), run as the database owner.

-- name: take_migration_lock
select pg_advisory_lock(%(key)s)

-- name: release_migration_lock
select pg_advisory_unlock(%(key)s)

-- name: history_table_present
select to_regclass('supabase_migrations.schema_migrations') is not null as present

-- name: applied_versions
select version
from supabase_migrations.schema_migrations

-- name: digests_table_present
select to_regclass('supabase_migrations.file_digests') is not null as present

-- name: recorded_digests
select d.version, d.sha256, m.name
from supabase_migrations.file_digests d
left join supabase_migrations.schema_migrations m using (version)
order by 1

-- name: drop_managed_policies
-- Every policy of our schemas goes before those of supabase/policies/ are created: a policy
-- deleted from the files disappears.
do $$
declare
  existing record;
begin
  for existing in
    select schemaname, tablename, policyname from pg_policies where schemaname = any ({schemas})
  loop
    execute format(
      'drop policy %I on %I.%I', existing.policyname, existing.schemaname, existing.tablename
    );
  end loop;
end
$$

-- name: audit_triggers_present
select to_regprocedure('audit.attach_triggers(text[])') is not null as present

-- name: attach_audit_triggers
select audit.attach_triggers({schemas}) as attached

-- name: read_only_triggers_present
select to_regprocedure('app.attach_read_only_triggers(text[], text[])') is not null as present

-- name: attach_read_only_triggers
select app.attach_read_only_triggers({schemas}, {exempt}) as attached

-- name: record_migration
insert into supabase_migrations.schema_migrations (version, name)
values (%(version)s, %(name)s)

-- name: record_digest
insert into supabase_migrations.file_digests (version, sha256)
values (%(version)s, %(sha256)s)
on conflict (version) do nothing
