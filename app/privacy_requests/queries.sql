-- The office's privacy requests (P-10): the open ones by due date, the answered ones, one
-- request, recording one from a call or an email, and answering.

-- name: list_open
-- Open requests, soonest due first (overdue ones first of all).
select r.id, r.kind, r.source, r.status, r.due_on, r.created_at, r.customer_id,
       coalesce(c.display_name, 'Erased customer') as customer_name
  from public.privacy_requests r
  left join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
 where r.tenant_id = %(tenant_id)s and r.status = 'open'
 order by r.due_on, r.created_at, r.id
 limit %(limit)s offset %(offset)s

-- name: list_answered
select r.id, r.kind, r.source, r.status, r.due_on, r.created_at, r.answered_at, r.customer_id,
       coalesce(c.display_name, 'Erased customer') as customer_name
  from public.privacy_requests r
  left join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
 where r.tenant_id = %(tenant_id)s and r.status <> 'open'
 order by r.answered_at desc, r.id
 limit %(limit)s offset %(offset)s

-- name: open_count
select count(*) from public.privacy_requests
 where tenant_id = %(tenant_id)s and status = 'open'

-- name: get_request
select r.*, coalesce(c.display_name, 'Erased customer') as customer_name,
       c.restrict_processing, c.legal_hold,
       m.full_name as answered_by_name, rec.full_name as recorded_by_name
  from public.privacy_requests r
  left join public.customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
  left join public.memberships m on m.tenant_id = r.tenant_id and m.account_id = r.answered_by
  left join public.memberships rec on rec.tenant_id = r.tenant_id and rec.account_id = r.recorded_by
 where r.tenant_id = %(tenant_id)s and r.id = %(id)s

-- name: record_request
-- A request the office took by phone or email; the due date and who recorded it are the
-- database's. Nothing when the customer is not the company's.
insert into public.privacy_requests (tenant_id, customer_id, kind, details, source)
select c.tenant_id, c.id, %(kind)s, %(details)s, %(source)s
  from public.customers c
 where c.tenant_id = %(tenant_id)s and c.id = %(customer_id)s
returning id

-- name: answer
-- Done or refused, with the answer; answered_by is stamped by the database (any value set
-- becomes the member's own).
update public.privacy_requests
   set status = %(status)s, answer = %(answer)s, answered_at = now(),
       answered_by = (select auth.uid()), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'open'
returning id
