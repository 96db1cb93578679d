-- A technician's calendar link is minted by the database like every other link: the token is
-- drawn here, only its SHA-256 is stored, and the caller gets the token once, to show it. No
-- session can open a feed under a token hash of its own choosing any more.

-- Why: "new link" on the calendar page: the member's open link (if any) is revoked and a new
-- one opened, for the member of the request in the company of the request, nobody else.
create function app.open_calendar_feed() returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_member uuid := app.account_id();
  v_token record;
begin
  if v_tenant is null or v_member is null then
    raise exception 'a calendar link is for a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  update public.calendar_feeds f set revoked_at = now()
   where f.tenant_id = v_tenant and f.technician_id = v_member and f.revoked_at is null;
  select * into v_token from iam.new_token();
  insert into public.calendar_feeds (tenant_id, technician_id, token_hash)
  values (v_tenant, v_member, v_token.token_hash);
  return v_token.token;
end
$$;

revoke execute on function app.open_calendar_feed() from public, anon;
grant execute on function app.open_calendar_feed() to authenticated;

-- Why: rows are made only by the function above.
revoke insert on public.calendar_feeds from authenticated;
