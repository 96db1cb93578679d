-- The retention sweep trusted the cutoff it was given: the jobs' role could pass a date in the
-- future, delete every company's log, and leave a chain that still verified. The cutoff is now
-- at most two years before the database's clock.

-- Why: a clock the tests can set (as the database owner) to prove time-based rules, such as
-- retention, at their exact boundaries. No role the app or jobs use can read or write it; in
-- production it is empty and app.now() is now().
create table app.clock (
  singleton boolean primary key default true constraint clock_singleton check (singleton),
  at timestamptz not null
);
alter table app.clock enable row level security;
revoke all on app.clock from anon, authenticated, service_role;

create function app.now() returns timestamptz
language sql stable security definer set search_path = ''
as $$
  select coalesce((select c.at from app.clock c), now())
$$;
grant execute on function app.now() to authenticated, service_role;

create or replace function audit.delete_expired(p_cutoff timestamptz) returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  v_cutoff timestamptz := least(p_cutoff, app.now() - interval '2 years');
  v_deleted bigint := 0;
  v_rows bigint;
  v_link record;
begin
  perform set_config('audit.retention', 'yes', true);
  perform set_config('audit.sealing', 'yes', true);
  for v_link in
    select t.tenant_id, max(t.seq) as last_seq
    from audit.transactions t
    where t.sealed_at < v_cutoff
    group by t.tenant_id
  loop
    update audit.chain_heads h
       set start_seq = v_link.last_seq + 1,
           start_hash = (select t.chain_hash from audit.transactions t
                         where t.tenant_id = v_link.tenant_id and t.seq = v_link.last_seq)
     where h.tenant_id = v_link.tenant_id;
    delete from audit.changes c
     using audit.transactions t
     where t.tenant_id = v_link.tenant_id and t.seq <= v_link.last_seq
       and c.tenant_id = t.tenant_id and c.txid = t.txid;
    get diagnostics v_rows = row_count;
    v_deleted := v_deleted + v_rows;
    delete from audit.transactions t
     where t.tenant_id = v_link.tenant_id and t.seq <= v_link.last_seq;
  end loop;
  perform set_config('audit.retention', '', true);
  perform set_config('audit.sealing', '', true);
  return v_deleted;
end
$$;

-- Why: TRUNCATE skips row triggers, so a truncated company table would leave no audit record.
-- Supabase's default grants give the API roles every privilege on new tables in `public`; the
-- app never truncates.
revoke truncate on all tables in schema public from anon, authenticated, service_role;
alter default privileges in schema public revoke truncate on tables
  from anon, authenticated, service_role;
