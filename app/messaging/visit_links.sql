-- name: link_place
select tenant_id, visit_id from app.visit_link_place(%(token)s)

-- name: by_link
select app.visit_by_link(%(token)s) as document
