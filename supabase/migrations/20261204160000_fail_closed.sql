-- Fail closed, whoever deploys the migrations.
--
-- Why: policies live in supabase/policies/ and reach the database through `flask db up` (or the
-- production deploy path). Applied alone, e.g. by `supabase db push`, the migrations used to
-- leave every public table with row-level security off while `authenticated` keeps its table
-- privileges: any Supabase Auth token would read every company's rows through the Data API.
-- With row-level security on and no policy, a table denies every API role by default until its
-- policies arrive. From this migration on, `flask db check` requires every migration that
-- creates a table to enable row-level security on it in the same file.

-- Why: every table that exists by now, including those of migrations that predate the rule.
do $$
declare
  target regclass;
begin
  for target in
    select c.oid::regclass
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relrowsecurity
      and n.nspname in ('public', 'iam', 'outbox', 'app', 'audit')
  loop
    execute format('alter table %s enable row level security', target);
  end loop;
end
$$;
