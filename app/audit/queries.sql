-- name: companies_with_a_log
select tenant_id from audit.chain_heads
union select distinct tenant_id from audit.changes
union select distinct tenant_id from audit.checkpoints order by 1

-- name: verify_chain
select seq, txid::text as txid, problem from audit.verify(%(tenant)s)

-- name: chain_length
select coalesce(seq - start_seq + 1, 0) as links from audit.chain_heads
where tenant_id = %(tenant)s

-- name: retained_start
select start_seq - 1 as start from audit.chain_heads where tenant_id = %(tenant)s
