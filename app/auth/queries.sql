-- name: session_state
-- The signed-in account, if this browser's session is still open, and the companies it is an
-- active member of, in one round trip.
select a.id, a.email, a.full_name, a.session_version,
       a.totp_enabled_at is not null as mfa_enabled,
       coalesce(
         (select json_agg(json_build_object('tenant_id', c.tenant_id, 'name', c.name, 'role', c.role)
                          order by c.name)
          from iam.my_companies() c),
         '[]'::json
       ) as companies
from iam.accounts a
where a.id = auth.uid()
  and exists (
    select from iam.sessions s
    where s.id = %(session)s and s.account_id = a.id and s.ended_at is null
      and s.expires_at > now()
  )

-- name: open_session
insert into iam.sessions (id, account_id, expires_at, user_agent)
values (%(session)s, auth.uid(), now() + %(lifetime)s, left(%(user_agent)s, 300))

-- name: end_session
update iam.sessions set ended_at = now()
 where id = %(session)s and account_id = auth.uid() and ended_at is null

-- name: end_other_sessions
update iam.sessions set ended_at = now()
 where account_id = auth.uid() and id <> %(session)s and ended_at is null
   and expires_at > now()
returning id

-- name: open_sessions
select id = %(session)s as current, created_at, user_agent
from iam.sessions
where account_id = auth.uid() and ended_at is null and expires_at > now()
order by created_at desc
limit 50

-- name: own_account
select id, totp_secret, totp_enabled_at
from iam.accounts
where id = auth.uid()

-- name: upgrade_password_hash
select iam.upgrade_password_hash(%(current)s, %(password_hash)s) as upgraded

-- name: change_password
select iam.change_password(%(attempt)s, %(candidate)s, %(password_hash)s) as session_version

-- name: turn_off_second_factor
select iam.turn_off_second_factor(%(attempt)s, %(candidate)s) as done

-- name: set_pending_totp_secret
update iam.accounts set totp_secret = %(secret)s
 where id = auth.uid() and totp_enabled_at is null

-- name: enable_totp
update iam.accounts set totp_enabled_at = now(), totp_last_step = %(step)s
 where id = auth.uid() and totp_enabled_at is null

-- name: delete_recovery_codes
delete from iam.recovery_codes where account_id = auth.uid()

-- name: insert_recovery_code
insert into iam.recovery_codes (account_id, code_hash) values (auth.uid(), %(code_hash)s)

-- name: unused_recovery_codes
select count(*) as remaining from iam.recovery_codes
 where account_id = auth.uid() and used_at is null
