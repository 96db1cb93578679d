-- name: request_password_reset
select iam.request_password_reset(%(email)s)

-- name: password_reset_is_open
select iam.password_reset_is_open(%(token)s) as open

-- name: finish_password_reset
select iam.finish_password_reset(%(token)s, %(password_hash)s) as done

-- name: request_sign_in_unlock
select iam.request_sign_in_unlock(%(email)s)

-- name: sign_in_unlock_is_open
select iam.sign_in_unlock_is_open(%(token)s) as open

-- name: use_sign_in_unlock
select iam.use_sign_in_unlock(%(token)s) as done

-- name: start_sign_up
select iam.start_sign_up(
  %(email)s, %(full_name)s, %(password_hash)s, %(company_name)s, %(time_zone)s
)

-- name: resend_sign_up
select iam.resend_sign_up(%(email)s)

-- name: sign_up_to_confirm
select email, company_name from iam.sign_up_to_confirm(%(token)s)

-- name: finish_sign_up
select account_id, tenant_id from iam.finish_sign_up(%(token)s)

-- name: store_public_url
update iam.settings set public_url = %(public_url)s
