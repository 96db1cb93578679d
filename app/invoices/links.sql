-- Invoices' links: the office's sending, list and revocation (under the member's policies), and
-- the token holder's reads (definers of 20261208100000_invoice_links.sql that hash the token).

-- name: send
-- A new link (earlier ones revoked), a draft marked sent, the message queued with the link in
-- it when a channel is given: app.send_invoice. The token comes back once.
select token, message_id, message_status, refusal
from app.send_invoice(%(id)s, %(channel)s, %(to)s, %(subject)s, %(body)s)

-- name: links
select l.id, l.sent_to, l.created_at, l.revoked_at, m.full_name as created_by_name
from public.invoice_links l
left join public.memberships m on m.tenant_id = l.tenant_id and m.account_id = l.created_by
where l.tenant_id = %(tenant_id)s and l.invoice_id = %(invoice_id)s
order by l.created_at desc

-- name: revoke_link
update public.invoice_links set revoked_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and revoked_at is null
returning invoice_id

-- name: link_place
-- As the token holder: which company's invoice a link opens (nothing when it is closed).
select tenant_id, invoice_id from app.invoice_link_place(%(token)s)

-- name: by_link
select app.invoice_by_link(%(token)s) as document
