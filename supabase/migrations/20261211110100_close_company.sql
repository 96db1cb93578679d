-- Closing and reopening a company (P-11). An owner closes their company, or the platform
-- terminates it: at once it is read-only for everyone (20261211110000_company_read_only.sql),
-- its export keeps working, and it can be reopened for 30 days (purge_after). After them the
-- purge deletes or anonymises its data within the next 30 days. Every active owner is emailed
-- the dates, on closing and on reopening.

-- Why: one wording of a moment in an email, in the company's time zone.
create function app.lifecycle_moment(p_at timestamptz, p_zone text) returns text
language sql stable set search_path = ''
as $$
  select to_char(p_at at time zone p_zone, 'FMMonth FMDD, YYYY "at" FMHH12:MI AM')
         || ' (' || p_zone || ')'
$$;
revoke all on function app.lifecycle_moment(timestamptz, text) from public;

-- Why: the owners hear of a closing or reopening from Plenum itself, with the dates; the text
-- is fixed here, so no caller chooses what is sent from Plenum's address.
create function app.queue_lifecycle_emails(p_tenant uuid, p_kind text) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_company record;
  v_subject text;
  v_body text;
  v_count integer;
begin
  select t.name, t.time_zone, t.closed_at, t.purge_after into v_company
  from public.tenants t where t.id = p_tenant;
  if p_kind = 'company_closed' then
    v_subject := format('%s is closed on Plenum', v_company.name);
    v_body := format(
      E'Hello,\n\n%s was closed on Plenum on %s.\n\n'
      'Read-only from: %s. Your team can still sign in and read every record, but nothing can '
      'be changed, no messages are sent, and no bookings are taken.\n'
      'Export available until: %s. Download all of your company''s data (CSV and JSON) from '
      'the Company page until then.\n'
      'Can be reopened until: %s. An owner can reopen the company from the Company page; '
      'everything is then as it was.\n'
      'Data deleted by: %s. After the reopening period the company''s data is deleted, except '
      'financial records the law requires us to keep, which are anonymised.\n\n'
      'If you did not expect this, sign in and reopen the company, or reply to this email.\n',
      v_company.name, app.lifecycle_moment(v_company.closed_at, v_company.time_zone),
      app.lifecycle_moment(v_company.closed_at, v_company.time_zone),
      app.lifecycle_moment(v_company.purge_after, v_company.time_zone),
      app.lifecycle_moment(v_company.purge_after, v_company.time_zone),
      app.lifecycle_moment(v_company.purge_after + interval '30 days', v_company.time_zone));
  elsif p_kind = 'company_reopened' then
    v_subject := format('%s is open again on Plenum', v_company.name);
    v_body := format(
      E'Hello,\n\n%s was reopened on Plenum on %s. Your team can work in it as before; '
      'nothing will be deleted.\n\nIf you did not expect this, sign in and check your team on '
      'the Team page.\n',
      v_company.name, app.lifecycle_moment(app.now(), v_company.time_zone));
  else
    raise exception 'unknown lifecycle email %', p_kind;
  end if;
  insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
  select p_tenant, 'email', p_kind, a.email, v_subject, v_body
  from public.memberships m
  join iam.accounts a on a.id = m.account_id
  where m.tenant_id = p_tenant and m.role = 'owner' and m.status = 'active';
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke all on function app.queue_lifecycle_emails(uuid, text) from public;

-- Why: what closing does, whoever asks (an owner, or the platform): nothing is left queued to
-- go out in a closed company's name (queued messages and scheduled campaigns are canceled
-- first, while it may still change them), then it is closed for 30 days and its owners told.
create function app.close_company_now(p_tenant uuid, p_reason text) returns timestamptz
language plpgsql set search_path = ''
as $$
declare
  v_status text;
  v_purge_after timestamptz;
begin
  select t.status into v_status from public.tenants t where t.id = p_tenant for update;
  if not found then
    raise exception 'No such company.' using errcode = 'P0002';
  end if;
  if v_status <> 'active' then
    raise exception 'This company is already closed.' using errcode = 'PT423';
  end if;
  update public.messages m set status = 'canceled'
   where m.tenant_id = p_tenant and m.status = 'queued';
  update public.campaigns c set status = 'canceled', updated_at = now()
   where c.tenant_id = p_tenant and c.status in ('scheduled', 'sending');
  update public.tenants t
     set status = 'closed', closed_at = app.now(), purge_after = app.now() + interval '30 days',
         closed_reason = nullif(btrim(coalesce(p_reason, '')), '')
   where t.id = p_tenant
  returning t.purge_after into v_purge_after;
  perform app.queue_lifecycle_emails(p_tenant, 'company_closed');
  return v_purge_after;
end
$$;
revoke all on function app.close_company_now(uuid, text) from public;

-- Why: reopening, whoever asks: only a closed company, and only before purge_after; then it
-- is as it was and its owners are told.
create function app.reopen_company_now(p_tenant uuid) returns void
language plpgsql set search_path = ''
as $$
declare
  v_company record;
begin
  select t.status, t.purge_after into v_company
  from public.tenants t where t.id = p_tenant for update;
  if not found then
    raise exception 'No such company.' using errcode = 'P0002';
  end if;
  if v_company.status = 'active' then
    raise exception 'This company is open: there is nothing to reopen.' using errcode = 'PT423';
  end if;
  if v_company.status <> 'closed' or app.now() >= v_company.purge_after then
    raise exception 'This company can no longer be reopened: the 30 days after its closing have '
      'passed, and its data is being deleted.' using errcode = 'PT423';
  end if;
  update public.tenants t
     set status = 'active', closed_at = null, purge_after = null, closed_reason = null
   where t.id = p_tenant;
  perform app.queue_lifecycle_emails(p_tenant, 'company_reopened');
end
$$;
revoke all on function app.reopen_company_now(uuid) from public;

-- Why: an owner closes their own company (never one named by the caller: app.tenant_id()),
-- confirming by typing its name. Returns when it can be reopened until (purge_after).
create function app.close_company(p_company_name text) returns timestamptz
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null or not app.has_role('owner') then
    raise exception 'Only an owner of the company can close it.' using errcode = '42501';
  end if;
  if btrim(coalesce(p_company_name, '')) is distinct from
     (select btrim(t.name) from public.tenants t where t.id = v_tenant) then
    raise exception 'Type the company''s name exactly as it is shown to confirm.'
      using errcode = 'P0001';
  end if;
  return app.close_company_now(v_tenant, null);
end
$$;
revoke all on function app.close_company(text) from public;
grant execute on function app.close_company(text) to authenticated;

-- Why: an owner reopens their own closed company within its 30 days.
create function app.reopen_company() returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
begin
  if v_tenant is null or not app.has_role('owner') then
    raise exception 'Only an owner of the company can reopen it.' using errcode = '42501';
  end if;
  perform app.reopen_company_now(v_tenant);
end
$$;
revoke all on function app.reopen_company() from public;
grant execute on function app.reopen_company() to authenticated;

-- Why: the platform terminates a company, or reopens one, by its id (`flask company close`,
-- `flask company reopen`): only service_role may, and the audit log names the command's
-- system actor.
create function app.close_company_for_platform(p_company uuid, p_reason text)
returns timestamptz
language plpgsql security definer set search_path = ''
as $$
begin
  return app.close_company_now(p_company, p_reason);
end
$$;
revoke all on function app.close_company_for_platform(uuid, text) from public;
grant execute on function app.close_company_for_platform(uuid, text) to service_role;

create function app.reopen_company_for_platform(p_company uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform app.reopen_company_now(p_company);
end
$$;
revoke all on function app.reopen_company_for_platform(uuid) from public;
grant execute on function app.reopen_company_for_platform(uuid) to service_role;
