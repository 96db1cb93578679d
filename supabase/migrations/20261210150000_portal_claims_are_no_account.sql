-- A request is a homeowner's or a staff member's, never both.
--
-- A homeowner's claims carry "portal": true and their portal session's id as `sub`. Were a
-- portal claim ever to carry a staff account's id as `sub` (a forged or mis-minted claim), the
-- staff policies must not answer to it: `app.account_id()`, from which `app.tenant_id()`,
-- `app.member_role()` and every staff helper follow, is null for any claims with the portal's
-- flag. The homeowner policies key on the portal session alone (`app.portal_session()`).

-- Why: the signed-in account of the claims, or null while an account with a second factor has
-- not proved it, and null for a portal request (a homeowner is no account).
create or replace function app.account_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if coalesce(auth.jwt() ->> 'portal', '') = 'true' then
    return null;
  end if;
  return (select a.id
          from iam.accounts a
          where a.id = auth.uid()
            and (a.totp_enabled_at is null or auth.jwt() ->> 'aal' = 'aal2'));
end
$$;
