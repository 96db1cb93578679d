-- Policy helpers. Policies call them wrapped as `(select app.tenant_id())`, so they run once per
-- statement (an init plan), never once per row.

-- Why: the company of the request, from the claims, but only while the caller's membership is
-- active. A removed member's still-valid claims resolve to no company and so see nothing.
create function app.tenant_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select m.tenant_id
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = auth.uid()
    and m.status = 'active'
$$;

-- Why: the caller's role in the company of the request (null when not an active member).
create function app.member_role() returns text
language sql stable security definer set search_path = ''
as $$
  select m.role
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = auth.uid()
    and m.status = 'active'
$$;

-- Why: write policies check the role; one call per statement, whatever the number of rows.
create function app.has_role(variadic roles text[]) returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(app.member_role() = any (roles), false)
$$;

grant execute on function app.tenant_id(), app.member_role(), app.has_role(text[])
  to authenticated, service_role;

-- Why: a company must always keep at least one active owner, whoever edits its memberships.
create function app.ensure_company_keeps_an_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (
    select from public.memberships m
    where m.tenant_id = old.tenant_id and m.role = 'owner' and m.status = 'active'
  ) then
    raise exception 'a company must keep at least one active owner'
      using errcode = 'check_violation', constraint = 'memberships_company_keeps_an_owner';
  end if;
  return null;
end
$$;

create trigger memberships_company_keeps_an_owner
  after update of role, status on public.memberships
  for each row
  when (old.role = 'owner' and old.status = 'active')
  execute function app.ensure_company_keeps_an_owner();

-- Why: the copy of name and email on memberships follows the account.
create function iam.copy_profile_to_memberships() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.memberships
     set full_name = new.full_name, email = new.email
   where account_id = new.id;
  return null;
end
$$;

create trigger accounts_copy_profile_to_memberships
  after update of full_name, email on iam.accounts
  for each row
  when (old.full_name is distinct from new.full_name or old.email is distinct from new.email)
  execute function iam.copy_profile_to_memberships();
