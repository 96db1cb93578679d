-- Fixes that the audit log's tests (tests/audit) found.

-- Why: `alter default privileges in schema … revoke execute on functions from public` cannot take
-- anything away: per-schema defaults are added to the global ones, and globally PUBLIC may execute
-- every new function. So every function of these schemas was executable by anyone with usage on
-- the schema, among them audit.append (any signed-in request could write into any company's log,
-- correctly chained, so undetectably) and audit.delete_expired (called with a far-future cutoff,
-- it emptied every company's log). Each function keeps only the grants its migration made.
revoke execute on all functions in schema audit, app, iam, outbox from public;

-- Why: what the earlier per-schema lines meant: a function is executable by nobody but its owner
-- until a migration grants it (PostgREST roles still get `public` functions, as on Supabase).
alter default privileges revoke execute on functions from public;

-- Why: the sealing time follows the chain's order. now() is the transaction's start, so a long
-- transaction sealed after a short one got the earlier time, and the retention sweep, which
-- deletes a prefix of the chain up to the last link sealed before its cutoff, took the short
-- one with it before its time. clock_timestamp() is read after the head's lock is taken.
create or replace function audit.seal_transaction() returns trigger
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
     set seq = v_head.seq, digest = v_digest, chain_hash = v_head.chain_hash,
         sealed_at = clock_timestamp()
   where t.tenant_id = new.tenant_id and t.txid = new.txid;
  perform set_config('audit.sealing', '', true);
  return null;
end
$$;

-- Why: rows that belong to no sealed link were reported only below the oldest running
-- transaction's id, so a row forged with a higher (or future) txid was never reported. A
-- committed transaction's rows and its sealed link become visible together, so the only rows
-- that may lawfully lack a link are the caller's own, not yet committed.
create or replace function audit.verify(p_tenant uuid)
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
      and c.txid is distinct from pg_current_xact_id_if_assigned()
    group by c.txid;
end
$$;
