-- name: record_access
select audit.record_access(%(table)s, %(row_key)s, %(details)s::jsonb)
