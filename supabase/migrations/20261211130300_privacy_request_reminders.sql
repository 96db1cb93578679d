-- Reminders before a privacy request is due (P-10: answered within 30 days): the company's
-- owners and admins get an email 7 days and 1 day before the due date, each once, by the
-- database's clock (app.now(), in the company's time zone).

-- Why: when each reminder went, so that each goes once (a worker run twice, or two workers,
-- send nothing more). Set by the reminders job only (no grant to members).
alter table public.privacy_requests
  add column reminded_week_at timestamptz,
  add column reminded_day_at timestamptz;

-- Why: the due requests' reminders in one statement per batch, claimed with `skip locked`:
-- the week's reminder from 7 days before the due date, the last one from the day before (a
-- request first found then gets that one only; both are marked sent). One email per owner and
-- admin of the company, through the outbox (the embedded email port of staff mail), naming the
-- kind of request and its due date, never the homeowner. Returns how many requests were
-- reminded. Service role only (the reminders job); a definer, for the platform's public address
-- (iam.public_url), and it takes nothing from its caller but the batch size.
create function app.remind_privacy_requests(p_batch integer) returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_count integer;
begin
  with due as (
    select r.tenant_id, r.id, r.kind, r.due_on, t.today
      from public.privacy_requests r
      cross join lateral (select (app.now() at time zone app.company_time_zone(r.tenant_id))::date
                            as today) t
      join public.tenants c on c.id = r.tenant_id and c.status = 'active'  -- a closed one answers none
     where r.status = 'open'
       and ((r.reminded_week_at is null and r.due_on - 7 <= t.today)
            or (r.reminded_day_at is null and r.due_on - 1 <= t.today))
     order by r.due_on, r.tenant_id, r.id
     limit p_batch
       for update of r skip locked
  ), marked as (
    update public.privacy_requests r
       set reminded_week_at = coalesce(r.reminded_week_at, app.now()),
           reminded_day_at = case when d.due_on - 1 <= d.today then app.now()
                                  else r.reminded_day_at end
      from due d
     where r.tenant_id = d.tenant_id and r.id = d.id
    returning r.tenant_id, r.id, r.kind, r.due_on, d.today
  ), mailed as (
    insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
    select m.tenant_id, 'email', 'privacy_request_due', mb.email,
           case when m.due_on < m.today then 'A privacy request is overdue'
                when m.due_on = m.today then 'A privacy request is due today'
                when m.due_on = m.today + 1 then 'A privacy request is due tomorrow'
                else format('A privacy request is due in %s days', m.due_on - m.today) end,
           format(E'Hello %s,\n\nA homeowner asked %s. The company must answer by %s.\n\n'
                  'Open the request: %s/privacy-requests/%s\n',
                  regexp_replace(mb.full_name, '[[:cntrl:]]+', ' ', 'g'),
                  case m.kind when 'access' then 'to see their data'
                              when 'correction' then 'to correct their data'
                              when 'deletion' then 'to delete their data'
                              else 'to restrict how their data is used' end,
                  to_char(m.due_on, 'FMMonth FMDD, YYYY'), iam.public_url(), m.id)
      from marked m
      join public.memberships mb on mb.tenant_id = m.tenant_id
     where mb.role in ('owner', 'admin') and mb.status = 'active' and mb.email <> ''
    returning 1
  )
  select count(*) into v_count from marked;
  return v_count;
end
$$;
revoke execute on function app.remind_privacy_requests(integer) from public;
grant execute on function app.remind_privacy_requests(integer) to service_role;
