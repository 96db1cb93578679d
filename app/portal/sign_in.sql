-- name: request
select app.request_portal_sign_in(%(address)s) as handle

-- name: with_code
select verdict, session_token, choice_token
from app.portal_sign_in_with_code(%(handle)s, %(code)s)

-- name: link_is_open
select app.portal_sign_in_link_is_open(%(token)s) as open

-- name: with_link
select verdict, session_token, choice_token from app.portal_sign_in_with_link(%(token)s)

-- name: choices
select customer_id, company_name, customer_name from app.portal_sign_in_choices(%(choice)s)

-- name: choose
select app.portal_sign_in_choose(%(choice)s, %(customer_id)s) as session_token

-- name: send
select app.send_portal_sign_in(%(handle)s)
