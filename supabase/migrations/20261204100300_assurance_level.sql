-- Half-signed-in is not signed in. Claims carry an `aal` (authenticator assurance level, as on
-- Supabase): "aal2" once a session has passed the second factor. For an account with a second
-- factor, claims without "aal2" name no account and no company, whatever their `sub` says.

-- Why: the signed-in account of the claims, or null while an account with a second factor has
-- not proved it. Own-row policies and the helpers below use this instead of `auth.uid()`.
create function app.account_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select a.id
          from iam.accounts a
          where a.id = auth.uid()
            and (a.totp_enabled_at is null or auth.jwt() ->> 'aal' = 'aal2'));
end
$$;
revoke execute on function app.account_id() from public, anon;
grant execute on function app.account_id() to authenticated, service_role;

-- Why: the company of the request, only while the caller's membership is active and, for an
-- account with a second factor, only once it has been proved (the rule of app.account_id()).
-- Policies call it once per statement, as `(select app.tenant_id())`.
create or replace function app.tenant_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select m.tenant_id
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = app.account_id()
    and m.status = 'active');
end
$$;

-- Why: the role check of write policies follows the same rule as the company.
create or replace function app.member_role() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select m.role
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = app.account_id()
    and m.status = 'active');
end
$$;

-- Why: the company switcher's list follows it too.
create or replace function iam.my_companies()
returns table (tenant_id uuid, name text, role text)
language sql stable security definer set search_path = ''
as $$
  select t.id, t.name, m.role
  from public.memberships m
  join public.tenants t on t.id = m.tenant_id
  where m.account_id = app.account_id() and m.status = 'active'
$$;

-- Why: the old pre-sign-in functions handed out password hashes (iam.credentials) and let
-- anyone lock, unlock or probe any account (the failure counters). Sign-in counts its attempts
-- in iam.sign_in_attempts now; a pause is lifted by iam.lift_sign_in_pause.
drop function iam.credentials(text);
drop function iam.clear_sign_in_failures(text);
drop function iam.recent_sign_in_failures(text, interval);
drop function iam.record_sign_in_failure(text[]);
drop table iam.sign_in_failures;
