-- Anchoring the audit chain outside the database (P-08). The hash chain shows that rows were
-- edited, unless whoever edits them (a superuser) also recomputes every later link and the head.
-- So the worker signs each company's chain head from time to time with an Ed25519 key that only
-- the worker's configuration holds (AUDIT_SIGNING_KEY), keeps the signed checkpoints here, and
-- emails the company's owners a daily receipt. `flask audit verify` checks each checkpoint's
-- signature and that the recomputed chain still has the signed hash at the signed position: a
-- rewritten history no longer matches, and a new signature cannot be made without the key.
--
-- These tables are not audited themselves (the audit schema has no audit trigger): writing a
-- checkpoint does not move the chain it signs.

-- Why: one signed statement "company T's chain had hash H at link N, at time S" per signing.
create table audit.checkpoints (
  tenant_id uuid not null,
  seq bigint not null,
  chain_hash bytea not null constraint checkpoints_chain_hash_length
    check (length(chain_hash) = 32),
  signed_at timestamptz not null,
  -- Which key signed (the start of the SHA-256 of its public key), so keys can be rotated.
  key_id text not null constraint checkpoints_key_id_format check (key_id ~ '^[0-9a-f]{16}$'),
  signature bytea not null constraint checkpoints_signature_length
    check (length(signature) = 64),
  primary key (tenant_id, seq)
);
alter table audit.checkpoints enable row level security;
revoke all on audit.checkpoints from anon, authenticated, service_role;
-- The worker (service_role) reads heads and appends checkpoints; nobody updates or deletes them.
grant select, insert on audit.checkpoints to service_role;
grant select on audit.checkpoints to authenticated;
-- Why: the worker reads every company's head to sign it (it bypasses row-level security).
grant select on audit.chain_heads to service_role;

-- Why: a checkpoint is evidence: even the table owner cannot edit or remove one through SQL
-- (the same guard as the rest of the log).
create trigger checkpoints_append_only before update or delete on audit.checkpoints
  for each row execute function audit.refuse_changes();
create trigger checkpoints_no_truncate before truncate on audit.checkpoints
  for each statement execute function audit.refuse_changes();

-- Why: the daily receipt emailed to a company's owners, at most one a day per company (the key
-- is the day, by the database clock in UTC); it names the checkpoint it carried.
create table audit.receipts (
  tenant_id uuid not null,
  day date not null,
  seq bigint not null,
  queued_at timestamptz not null default now(),
  primary key (tenant_id, day),
  constraint receipts_checkpoint_fkey foreign key (tenant_id, seq)
    references audit.checkpoints (tenant_id, seq)
);
alter table audit.receipts enable row level security;
revoke all on audit.receipts from anon, authenticated, service_role;
grant select, insert on audit.receipts to service_role;
grant select on audit.receipts to authenticated;

-- Why: `flask audit verify` compares each checkpoint with the chain recomputed from the rows
-- themselves, not with the stored links (whoever rewrites rows rewrites those too). The first row
-- is where the retained chain starts (position 0, or the last link the retention sweep removed).
create function audit.recomputed_chain(p_tenant uuid)
returns table (seq bigint, chain_hash bytea)
language plpgsql stable set search_path = ''
as $$
declare
  v_head audit.chain_heads;
  v_link record;
begin
  select * into v_head from audit.chain_heads h where h.tenant_id = p_tenant;
  if v_head.tenant_id is null then
    return;
  end if;
  seq := v_head.start_seq - 1;
  chain_hash := v_head.start_hash;
  return next;
  for v_link in
    select t.seq as link_seq, t.txid from audit.transactions t
    where t.tenant_id = p_tenant and t.seq is not null
    order by t.seq
  loop
    seq := v_link.link_seq;
    chain_hash := sha256(chain_hash || audit.transaction_digest(p_tenant, v_link.txid));
    return next;
  end loop;
end
$$;
revoke execute on function audit.recomputed_chain(uuid) from public;
