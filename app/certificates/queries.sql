-- The deletion certificate's link (app/certificates/routes.py), read as the token holder.

-- name: certificate_by_link
select app.certificate_by_link(%(token)s) as document
