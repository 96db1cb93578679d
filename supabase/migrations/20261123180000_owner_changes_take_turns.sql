-- A company must keep an active owner even when two owners step down at the same moment: each
-- transaction still sees the other as an owner, so the check alone lets both through.

-- Why: owner changes of one company take turns on the company's row; the second waits, then sees
-- the first one's change and is refused.
create or replace function app.ensure_company_keeps_an_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform from public.tenants t where t.id = old.tenant_id for no key update;
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
