-- The audit log (PROMISES.md P-07, P-08): every change to a company's rows, and every read of
-- sensitive data, recorded by the database itself, append-only and hash-chained per company.
--
-- How the chain works without making a company's writers queue behind each other:
--  * A trigger appends one row to audit.changes per changed row, with the transaction's id
--    (xid8). Nothing is locked and no hash is computed while the transaction runs.
--  * The first change of a company in a transaction also adds a pending row to
--    audit.transactions. A constraint trigger on it is deferred to COMMIT: only then does it
--    digest that transaction's rows (in id order), take the company's chain head
--    (audit.chain_heads, one row per company, row-locked), and link the digest to it:
--    chain_hash = sha256(previous chain_hash || digest). The lock is held from that moment to the
--    end of the commit, a few milliseconds, so concurrent transactions of one company only
--    queue for their commit, and the chain order is the commit order.
--  * `flask audit verify` recomputes every digest and link and names the first broken one.
-- Nobody the app or jobs use can insert, update or delete here directly: the triggers and the
-- few functions below are security definers; a guard trigger refuses every update and delete
-- except the sealing of a pending transaction and the retention sweep's deletions.

create schema audit;
grant usage on schema audit to authenticated, service_role;
alter default privileges in schema audit revoke execute on functions from public;

-- Why: one row per changed row (and per recorded read of sensitive data).
create table audit.changes (
  id bigint generated always as identity,
  tenant_id uuid not null,
  txid xid8 not null,
  table_name text not null,
  row_key text not null,
  -- insert/update/delete for changes; access for a recorded read of sensitive data.
  operation text not null constraint changes_operation_check
    check (operation in ('insert', 'update', 'delete', 'access')),
  -- On update, only the columns that changed (old and new); the full row follows from its history.
  old_values jsonb,
  new_values jsonb,
  actor_id uuid,
  actor_label text,
  request_id text,
  client_addr text,
  changed_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id)
);
-- Why: the viewer lists a company's log newest first, by date range, actor, table or record.
create index changes_tenant_time_idx on audit.changes (tenant_id, changed_at desc, id desc);
create index changes_tenant_actor_idx on audit.changes (tenant_id, actor_id, changed_at desc);
create index changes_tenant_table_idx on audit.changes (tenant_id, table_name, changed_at desc);
create index changes_tenant_record_idx on audit.changes (tenant_id, table_name, row_key, id);
-- Why: sealing digests one transaction's rows of one company.
create index changes_tenant_txid_idx on audit.changes (tenant_id, txid, id);
revoke all on audit.changes from anon, authenticated, service_role;
grant select on audit.changes to authenticated;

-- Why: one row per company per committed transaction: the links of the company's chain.
create table audit.transactions (
  tenant_id uuid not null,
  txid xid8 not null,
  seq bigint,
  digest bytea,
  chain_hash bytea,
  sealed_at timestamptz,
  primary key (tenant_id, txid),
  constraint transactions_seq_key unique (tenant_id, seq)
);
revoke all on audit.transactions from anon, authenticated, service_role;
grant select on audit.transactions to authenticated;

-- Why: the end of each company's chain; the row lock taken at commit orders the links.
create table audit.chain_heads (
  tenant_id uuid primary key,
  seq bigint not null,
  chain_hash bytea not null,
  -- Where the chain starts after the retention sweep removed its oldest links.
  start_seq bigint not null default 1,
  start_hash bytea not null default decode(repeat('00', 32), 'hex')
);
revoke all on audit.chain_heads from anon, authenticated, service_role;
grant select on audit.chain_heads to authenticated;

-- Why: the digest covers every field of a row; jsonb text is canonical (sorted keys) and the
-- time is taken as epoch seconds, so the result does not depend on session settings.
create function audit.row_digest(c audit.changes) returns bytea
language sql immutable set search_path = ''
as $$
  select sha256(convert_to(jsonb_build_array(
    c.id, c.tenant_id, c.txid::text, c.table_name, c.row_key, c.operation, c.old_values,
    c.new_values, c.actor_id, c.actor_label, c.request_id, c.client_addr,
    extract(epoch from c.changed_at)
  )::text, 'UTF8'))
$$;

-- Why: the digest of one company's rows written by one transaction, in the order written.
create function audit.transaction_digest(p_tenant uuid, p_txid xid8) returns bytea
language sql stable set search_path = ''
as $$
  select sha256(coalesce(string_agg(audit.row_digest(c), ''::bytea order by c.id), ''::bytea))
  from audit.changes c
  where c.tenant_id = p_tenant and c.txid = p_txid
$$;

-- Why: one place appends to the log, for changes and recorded reads alike.
create function audit.append(
  p_tenant uuid, p_table text, p_row_key text, p_operation text, p_old jsonb, p_new jsonb
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
  v_flag text := 'audit.pending_' || replace(p_tenant::text, '-', '');
begin
  insert into audit.changes (
    tenant_id, txid, table_name, row_key, operation, old_values, new_values,
    actor_id, actor_label, request_id, client_addr
  ) values (
    p_tenant, pg_current_xact_id(), p_table, p_row_key, p_operation, p_old, p_new,
    nullif(v_claims ->> 'sub', '')::uuid,
    coalesce(v_claims ->> 'actor', v_claims ->> 'role', session_user),
    nullif(current_setting('plenum.request_id', true), ''),
    nullif(current_setting('plenum.client_addr', true), '')
  );
  -- The first row of this company in this transaction adds the pending link sealed at commit.
  if current_setting(v_flag, true) is distinct from 'yes' then
    insert into audit.transactions (tenant_id, txid)
    values (p_tenant, pg_current_xact_id())
    on conflict do nothing;
    perform set_config(v_flag, 'yes', true);
  end if;
end
$$;

-- Why: the trigger on every company table. Arguments: the tenant column, then the key columns.
create function audit.record_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_tenant uuid;
  v_key text;
  v_table text := tg_table_schema || '.' || tg_table_name;
begin
  if tg_op <> 'INSERT' then v_old := to_jsonb(old); end if;
  if tg_op <> 'DELETE' then v_new := to_jsonb(new); end if;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> tg_argv[0])::uuid;
  if v_tenant is null then
    return null;  -- platform rows (e.g. an account's own email) belong to no company
  end if;
  select string_agg(v_row ->> k, ',' order by ord) into v_key
  from unnest(tg_argv[1:]) with ordinality as keys(k, ord);
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, n.value), jsonb_object_agg(n.key, v_old -> n.key)
      into v_new, v_old
    from jsonb_each(v_new) n
    where v_old -> n.key is distinct from n.value;
    if v_new is null then
      return null;  -- nothing changed
    end if;
  end if;
  perform audit.append(v_tenant, v_table, v_key, lower(tg_op), v_old, v_new);
  return null;
end
$$;

-- Why: at commit, link this transaction's rows of one company to the company's chain.
create function audit.seal_transaction() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_digest bytea := audit.transaction_digest(new.tenant_id, new.txid);
  v_head audit.chain_heads;
begin
  perform set_config('audit.sealing', 'yes', true);
  insert into audit.chain_heads as h (tenant_id, seq, chain_hash)
  values (new.tenant_id, 1, sha256(decode(repeat('00', 32), 'hex') || v_digest))
  on conflict (tenant_id) do update
    set seq = h.seq + 1, chain_hash = sha256(h.chain_hash || v_digest)
  returning * into v_head;
  update audit.transactions t
     set seq = v_head.seq, digest = v_digest, chain_hash = v_head.chain_hash, sealed_at = now()
   where t.tenant_id = new.tenant_id and t.txid = new.txid;
  perform set_config('audit.sealing', '', true);
  return null;
end
$$;

create constraint trigger transactions_seal_at_commit
  after insert on audit.transactions
  deferrable initially deferred
  for each row execute function audit.seal_transaction();

-- Why: append-only. Updates only while sealing a pending link; deletes only by the retention sweep.
create function audit.refuse_changes() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and current_setting('audit.retention', true) = 'yes' then
    return old;
  end if;
  if tg_op = 'UPDATE' and current_setting('audit.sealing', true) = 'yes' then
    if tg_table_name = 'chain_heads' then
      return new;
    elsif tg_table_name = 'transactions' and old.seq is null then
      return new;
    end if;
  end if;
  raise exception 'the audit log is append-only'
    using errcode = 'insufficient_privilege', constraint = 'audit_log_is_append_only';
end
$$;

create trigger changes_append_only before update or delete on audit.changes
  for each row execute function audit.refuse_changes();
create trigger transactions_append_only before update or delete on audit.transactions
  for each row execute function audit.refuse_changes();
create trigger chain_heads_append_only before update or delete on audit.chain_heads
  for each row execute function audit.refuse_changes();
-- Why: a statement that empties a table skips row triggers; refuse it outright.
create trigger changes_no_truncate before truncate on audit.changes
  for each statement execute function audit.refuse_changes();
create trigger transactions_no_truncate before truncate on audit.transactions
  for each statement execute function audit.refuse_changes();
create trigger chain_heads_no_truncate before truncate on audit.chain_heads
  for each statement execute function audit.refuse_changes();

-- Why: the app records reads of sensitive data (a customer record, an export, a portal sign-in)
-- through this one function, for the company of the request only.
create function audit.record_access(p_table text, p_row_key text, p_details jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null then
    raise exception 'access can only be recorded within a company'
      using errcode = 'insufficient_privilege';
  end if;
  perform audit.append(v_tenant, p_table, p_row_key, 'access', null, p_details);
end
$$;
grant execute on function audit.record_access(text, text, jsonb) to authenticated;

-- Why: attaching the trigger does not depend on anyone remembering it: `flask db up` calls this
-- after the migrations, and `flask db check` fails for a company table without the trigger.
create function audit.attach_triggers(p_schemas text[]) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_table record;
  v_keys text[];
  v_count integer := 0;
begin
  for v_table in
    select c.oid, n.nspname, c.relname,
           case when c.oid = 'public.tenants'::regclass then 'id' else 'tenant_id' end as tenant_col
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any(p_schemas)
      and (c.oid = 'public.tenants'::regclass
           or exists (select from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped))
      and not exists (select from pg_trigger t where t.tgrelid = c.oid
                      and t.tgname = 'audit_changes')
  loop
    -- The row key: the primary key's columns other than the tenant's.
    select array_agg(a.attname::text order by k.ord) into v_keys
    from pg_index i
    cross join unnest(i.indkey) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = v_table.oid and i.indisprimary
      and (a.attname <> v_table.tenant_col or v_table.tenant_col = 'id');
    execute format(
      'create trigger audit_changes after insert or update or delete on %I.%I'
      ' for each row execute function audit.record_change(%L%s)',
      v_table.nspname, v_table.relname, v_table.tenant_col,
      (select coalesce(string_agg(format(', %L', key), ''), '') from unnest(v_keys) key)
    );
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- Why: P-12, audit logs are kept 2 years. Whole transactions older than the cutoff go, oldest
-- first, and the chain's new start is remembered so that verification still holds.
create function audit.delete_expired(p_cutoff timestamptz) returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  v_deleted bigint := 0;
  v_rows bigint;
  v_link record;
begin
  perform set_config('audit.retention', 'yes', true);
  perform set_config('audit.sealing', 'yes', true);
  for v_link in
    select t.tenant_id, max(t.seq) as last_seq
    from audit.transactions t
    where t.sealed_at < p_cutoff
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
grant execute on function audit.delete_expired(timestamptz) to service_role;

-- Why: `flask audit verify`: recompute every digest and link of a company's chain in order and
-- report each problem; no rows means the chain is whole.
create function audit.verify(p_tenant uuid)
returns table (seq bigint, txid xid8, problem text)
language plpgsql stable set search_path = ''
as $$
declare
  v_head audit.chain_heads;
  v_link record;
  v_previous bytea;
  v_expected_seq bigint;
begin
  select * into v_head from audit.chain_heads h where h.tenant_id = p_tenant;
  v_previous := coalesce(v_head.start_hash, decode(repeat('00', 32), 'hex'));
  v_expected_seq := coalesce(v_head.start_seq, 1);
  for v_link in
    select t.* from audit.transactions t
    where t.tenant_id = p_tenant and t.seq is not null
    order by t.seq
  loop
    if v_link.seq <> v_expected_seq then
      return query select v_expected_seq, null::xid8,
        format('links %s to %s are missing', v_expected_seq, v_link.seq - 1);
    elsif v_link.digest is distinct from audit.transaction_digest(p_tenant, v_link.txid) then
      return query select v_link.seq, v_link.txid,
        'the rows of this transaction were changed, added or removed'::text;
    elsif v_link.chain_hash is distinct from sha256(v_previous || v_link.digest) then
      return query select v_link.seq, v_link.txid,
        'this link does not follow from the previous one'::text;
    end if;
    v_previous := v_link.chain_hash;
    v_expected_seq := v_link.seq + 1;
  end loop;
  if v_head.tenant_id is not null and (v_expected_seq - 1 <> v_head.seq
                                       or v_previous is distinct from v_head.chain_hash) then
    return query select v_head.seq, null::xid8,
      'the chain ends before its recorded head'::text;
  end if;
  return query
    select null::bigint, c.txid, format('%s row(s) belong to no sealed transaction', count(*))
    from audit.changes c
    where c.tenant_id = p_tenant
      and not exists (select from audit.transactions t
                      where t.tenant_id = c.tenant_id and t.txid = c.txid and t.seq is not null)
      and c.txid < pg_snapshot_xmin(pg_current_snapshot())
    group by c.txid;
end
$$;

select audit.attach_triggers(array['public', 'outbox']);
