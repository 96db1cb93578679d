-- Signed checkpoints of the audit chain: signed and receipted by the worker (as service_role,
-- across companies), checked by `flask audit verify` (as the database owner).

-- name: due_heads
-- Companies whose head moved since their last checkpoint, at least `every` ago (database clock);
-- a head behind its last checkpoint is never signed (verify reports it).
select h.tenant_id, h.seq, h.chain_hash, app.now() as signed_at
  from audit.chain_heads h
  left join lateral (
    select c.seq, c.signed_at from audit.checkpoints c
     where c.tenant_id = h.tenant_id
     order by c.seq desc
     limit 1
  ) last on true
 where last.seq is null
    or (h.seq > last.seq and last.signed_at <= app.now() - %(every)s::interval)
 order by h.tenant_id
 limit %(batch)s;

-- name: insert_checkpoint
insert into audit.checkpoints (tenant_id, seq, chain_hash, signed_at, key_id, signature)
values (%(tenant_id)s, %(seq)s, %(chain_hash)s, %(signed_at)s, %(key_id)s, %(signature)s)
on conflict do nothing;

-- name: due_receipts
-- Companies whose newest checkpoint has not been receipted, and no receipt yet today (UTC).
select c.tenant_id, c.seq, c.chain_hash, c.signed_at, c.key_id, c.signature,
       (app.now() at time zone 'UTC')::date as day
  from audit.chain_heads h
  cross join lateral (
    select * from audit.checkpoints c
     where c.tenant_id = h.tenant_id
     order by c.seq desc
     limit 1
  ) c
 where not exists (
   select from audit.receipts r
    where r.tenant_id = c.tenant_id
      and (r.day = (app.now() at time zone 'UTC')::date or r.seq >= c.seq)
 )
 order by c.tenant_id
 limit %(batch)s;

-- name: record_receipt
insert into audit.receipts (tenant_id, day, seq)
values (%(tenant_id)s, %(day)s, %(seq)s)
on conflict do nothing
returning seq;

-- name: receipt_recipients
select m.account_id, m.email, m.full_name, t.name as company_name
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
 where m.tenant_id = %(tenant_id)s and m.role = 'owner' and m.status = 'active'
 order by m.created_at, m.account_id;

-- name: checkpoints_of
select tenant_id, seq, chain_hash, signed_at, key_id, signature
  from audit.checkpoints
 where tenant_id = %(tenant_id)s
 order by seq;

-- name: recomputed_hashes
select r.seq, r.chain_hash
  from audit.recomputed_chain(%(tenant_id)s) r
 where r.seq = any(%(seqs)s::bigint[]);
