-- A cheaper commit for audited writes (measured in bench/audit.py).
--
-- Before, the first change of a company in a transaction inserted a pending link into
-- audit.transactions, and at commit that link was digested with a query over the rows and then
-- updated (a second tuple with its index entries, through the guard trigger). Now each row's
-- digest is folded into a running digest as the row is written (a transaction-local setting, so
-- a rolled-back savepoint takes its rows' share with it), the row that opens the company's part of
-- the transaction is marked, and a deferred constraint trigger on that one row inserts the
-- finished link at commit. Links are written once and never updated.
--
-- The transaction digest becomes a fold, sha256(previous || row digest) from 32 zero bytes, in
-- row order (it was one sha256 over the concatenated row digests). No audit history exists
-- outside development and test databases yet; such a database is re-created with
-- `flask db reset`.

alter table audit.changes add column opens_link boolean not null default false;

-- Why: the viewer's "Action" filter (e.g. deletions by one person) walks an index in time order
-- instead of every entry of the company.
create index changes_tenant_operation_idx
  on audit.changes (tenant_id, operation, changed_at desc, id desc);

-- Why: the fold that append computes as rows are written, recomputed from the stored rows.
create or replace function audit.transaction_digest(p_tenant uuid, p_txid xid8) returns bytea
language plpgsql stable set search_path = ''
as $$
declare
  v_digest bytea := decode(repeat('00', 32), 'hex');
  v_row bytea;
begin
  for v_row in
    select audit.row_digest(c) from audit.changes c
    where c.tenant_id = p_tenant and c.txid = p_txid
    order by c.id
  loop
    v_digest := sha256(v_digest || v_row);
  end loop;
  return v_digest;
end
$$;

create or replace function audit.append(
  p_tenant uuid, p_table text, p_row_key text, p_operation text, p_old jsonb, p_new jsonb
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
  v_running_name text := 'audit.digest_' || replace(p_tenant::text, '-', '');
  v_running text := coalesce(current_setting(v_running_name, true), '');
  v_row audit.changes;
begin
  insert into audit.changes (
    tenant_id, txid, table_name, row_key, operation, old_values, new_values,
    actor_id, actor_label, request_id, client_addr, opens_link
  ) values (
    p_tenant, pg_current_xact_id(), p_table, p_row_key, p_operation, p_old, p_new,
    nullif(v_claims ->> 'sub', '')::uuid,
    coalesce(v_claims ->> 'actor', v_claims ->> 'role', session_user),
    nullif(current_setting('plenum.request_id', true), ''),
    nullif(current_setting('plenum.client_addr', true), ''),
    v_running = ''
  )
  returning * into v_row;
  -- The expression of audit.row_digest, written out: a function with its own search_path is
  -- called, not inlined, and that call cost more than the rest of this function.
  perform set_config(
    v_running_name,
    encode(sha256(
      coalesce(decode(nullif(v_running, ''), 'hex'), decode(repeat('00', 32), 'hex'))
      || sha256(convert_to(jsonb_build_array(
           v_row.id, v_row.tenant_id, v_row.txid::text, v_row.table_name, v_row.row_key,
           v_row.operation, v_row.old_values, v_row.new_values, v_row.actor_id,
           v_row.actor_label, v_row.request_id, v_row.client_addr,
           extract(epoch from v_row.changed_at)
         )::text, 'UTF8'))
    ), 'hex'),
    true
  );
end
$$;

-- Why: at commit, link the company's part of this transaction to the company's chain. The
-- head's row lock is taken only now and released by the commit a moment later.
create function audit.seal_link() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_running text := current_setting('audit.digest_' || replace(new.tenant_id::text, '-', ''), true);
  v_digest bytea;
  v_head audit.chain_heads;
begin
  v_digest := case when coalesce(v_running, '') = ''
                   then audit.transaction_digest(new.tenant_id, new.txid)
                   else decode(v_running, 'hex') end;
  perform set_config('audit.sealing', 'yes', true);
  insert into audit.chain_heads as h (tenant_id, seq, chain_hash)
  values (new.tenant_id, 1, sha256(decode(repeat('00', 32), 'hex') || v_digest))
  on conflict (tenant_id) do update
    set seq = h.seq + 1, chain_hash = sha256(h.chain_hash || v_digest)
  returning * into v_head;
  perform set_config('audit.sealing', '', true);
  insert into audit.transactions (tenant_id, txid, seq, digest, chain_hash, sealed_at)
  values (new.tenant_id, new.txid, v_head.seq, v_digest, v_head.chain_hash, clock_timestamp());
  return null;
end
$$;

drop trigger transactions_seal_at_commit on audit.transactions;
drop function audit.seal_transaction();

create constraint trigger changes_seal_at_commit
  after insert on audit.changes
  deferrable initially deferred
  for each row when (new.opens_link)
  execute function audit.seal_link();

-- Why: links are no longer updated, so only the chain head may change (while sealing).
create or replace function audit.refuse_changes() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and current_setting('audit.retention', true) = 'yes' then
    return old;
  end if;
  if tg_op = 'UPDATE' and tg_table_name = 'chain_heads'
     and current_setting('audit.sealing', true) = 'yes' then
    return new;
  end if;
  raise exception 'the audit log is append-only'
    using errcode = 'insufficient_privilege', constraint = 'audit_log_is_append_only';
end
$$;
