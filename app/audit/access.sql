-- name: record_access
select audit.record_access(%(table)s, %(row_key)s, %(details)s::jsonb)

-- name: changes_for_privacy_request
-- The rest of this request's changes are written to the log as made for a homeowner's open
-- correction request of this customer (its id joins the request id of every entry); nothing
-- when the request is not one of the company's open corrections of that customer.
select set_config('plenum.request_id',
                  concat_ws(' ', nullif(current_setting('plenum.request_id', true), ''),
                            'privacy-request:' || r.id::text), true) as request_id
  from public.privacy_requests r
 where r.tenant_id = %(tenant_id)s and r.id = %(request_id)s
   and r.customer_id = %(customer_id)s and r.kind = 'correction' and r.status = 'open'
