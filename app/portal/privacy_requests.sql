-- The homeowner's privacy requests (app/portal/privacy_requests.py): read through their own
-- policy, filed through app.portal_file_privacy_request (P-10).

-- name: my_privacy_requests
select id, kind, status, details, answer, due_on, created_at, answered_at
  from public.privacy_requests
 where tenant_id = %(tenant_id)s and customer_id = %(customer_id)s
 order by created_at desc, id
 limit 50

-- name: file_request
select app.portal_file_privacy_request(%(kind)s, %(details)s) as id
