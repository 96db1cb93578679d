-- Policy helpers in PL/pgSQL instead of SQL: a security-definer SQL function cannot be inlined and
-- is planned again on every call, while PL/pgSQL keeps its plans for the session. Measured with
-- bench/rls_team.py: the team list's policy cost per statement went from ~5x to ~2.8x the floor.

create or replace function app.tenant_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select m.tenant_id
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = auth.uid()
    and m.status = 'active');
end
$$;
create or replace function app.member_role() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select m.role
  from public.memberships m
  where m.tenant_id = nullif(auth.jwt() ->> 'tenant_id', '')::uuid
    and m.account_id = auth.uid()
    and m.status = 'active');
end
$$;
create or replace function app.has_role(variadic roles text[]) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(app.member_role() = any (roles), false);
end
$$;
