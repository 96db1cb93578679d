-- name: unsubscribe_link_company
select app.unsubscribe_link_company(%(token)s) as company

-- name: unsubscribe_by_link
-- Withdraws the customer's marketing consent (and blocks their queued marketing).
select app.unsubscribe_by_link(%(token)s) as company
