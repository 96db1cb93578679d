-- Pre-sign-in steps (run as plenum_signin) and re-confirmations of a signed-in account (run as
-- authenticated), each in a short transaction of its own. See app/auth/checks.py.

-- name: begin_sign_in
select attempt, settings, hash_length from iam.begin_sign_in(%(email)s, %(address)s)

-- name: finish_sign_in
select account_id, session_version, challenge
from iam.finish_sign_in(%(attempt)s, %(candidate)s)

-- name: challenge_is_open
select iam.sign_in_challenge_is_open(%(challenge)s) as open

-- name: begin_second_factor
select state, attempt, totp_secret, totp_last_step, account_id
from iam.begin_second_factor(%(challenge)s)

-- name: finish_second_factor
select account_id, session_version, used_recovery
from iam.finish_second_factor(%(challenge)s, %(attempt)s, %(step)s, %(recovery)s)

-- name: begin_password_confirmation
select attempt, settings, hash_length from iam.begin_password_confirmation()

-- name: begin_code_confirmation
select attempt, totp_secret, totp_last_step from iam.begin_code_confirmation()

-- name: finish_code_confirmation
select iam.finish_code_confirmation(%(attempt)s, %(step)s) as confirmed
