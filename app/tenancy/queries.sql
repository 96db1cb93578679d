-- name: list_members
select id, account_id, full_name, email, role, created_at
from public.memberships
where tenant_id = %(tenant_id)s and status = 'active'
order by full_name, email
limit %(limit)s offset %(offset)s

-- name: count_members
select count(*) from public.memberships where tenant_id = %(tenant_id)s and status = 'active'

-- name: member
select id, account_id, full_name, email, role
from public.memberships
where tenant_id = %(tenant_id)s and id = %(id)s and status = 'active'

-- name: change_role
update public.memberships
   set role = %(role)s, updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'active'
   and role <> %(role)s
returning id

-- name: remove_member
update public.memberships
   set status = 'removed', removed_at = now(), updated_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and status = 'active'
returning id

-- name: list_open_invitations
select id, email, role, created_at, expires_at, expires_at <= now() as expired
from public.invitations
where tenant_id = %(tenant_id)s and accepted_at is null and revoked_at is null
order by created_at desc

-- name: active_member_with_email
select 1 from public.memberships
where tenant_id = %(tenant_id)s and email = %(email)s and status = 'active'

-- name: revoke_invitation
update public.invitations set revoked_at = now()
 where tenant_id = %(tenant_id)s and id = %(id)s and accepted_at is null and revoked_at is null
returning id

-- name: invite
select iam.invite(%(email)s, %(role)s) as id

-- name: resend_invitation
select iam.resend_invitation(%(id)s) as id

-- name: invitation_by_token
select id, tenant_id, company_name, email, role, state, account_exists
from iam.invitation(%(token)s)

-- name: my_invitation
select id, tenant_id, company_name, email, role, state from iam.my_invitation(%(id)s)

-- name: accept_my_invitation
select iam.accept_my_invitation(%(id)s) as tenant_id

-- name: accept_invitation_with_new_account
select account_id, tenant_id
from iam.accept_invitation_with_new_account(%(token)s, %(full_name)s, %(password_hash)s)

-- name: company_settings
-- The company's row as its settings page edits it.
select id, name, time_zone, currency, licence_number, address, phone, logo_key, brand_colour
from public.tenants
where id = %(tenant_id)s

-- name: update_company
-- Only when something changed, so that saving the page as it was adds nothing to the audit log.
update public.tenants
   set name = %(name)s, time_zone = %(time_zone)s, currency = %(currency)s,
       licence_number = %(licence_number)s, address = %(address)s, phone = %(phone)s,
       brand_colour = coalesce(%(brand_colour)s, brand_colour)
 where id = %(tenant_id)s
   and (name, time_zone, currency, licence_number, address, phone, brand_colour)
       is distinct from (%(name)s, %(time_zone)s, %(currency)s, %(licence_number)s,
                         %(address)s, %(phone)s, coalesce(%(brand_colour)s, brand_colour))
returning id

-- name: set_logo
-- The company's logo (a key, or null for none), and the key it replaces, whose file is removed
-- once this commits.
update public.tenants t set logo_key = %(logo_key)s
  from (select id, logo_key from public.tenants where id = %(tenant_id)s for update) old
 where t.id = old.id
returning old.logo_key as replaced
