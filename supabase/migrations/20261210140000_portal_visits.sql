-- The homeowner's visits in the portal: what they may see of a visit (the technician's first
-- name, which lives with the staff member and is not the homeowner's to read), and moving or
-- canceling it within the company's rules. Every function takes the customer from the portal
-- session (app.portal_session()), never from an argument.

-- Why: how close to a visit's arrival window the homeowner may still move or cancel it online.
-- A constant for now; the company's setting (online booking settings) replaces it.
create function app.portal_change_cutoff() returns interval
language sql immutable set search_path = ''
as $$ select interval '24 hours' $$;
revoke execute on function app.portal_change_cutoff() from public;

-- Why: the signed-in customer's visits as the portal shows them: the window in the property's
-- time zone (else the company's), the first technician's first name only, and whether it can
-- still be moved or canceled online. Nothing for anyone who is not a signed-in homeowner.
create function app.portal_visits()
returns table (
  id uuid, job_id uuid, property_id uuid, status text,
  window_starts_at timestamptz, window_ends_at timestamptz, time_zone text,
  job_kind text, job_summary text, street text, city text,
  technician text, changeable boolean, change_closes_at timestamptz
)
language sql stable security definer set search_path = ''
as $$
  with me as (select s.tenant_id, s.customer_id from app.portal_session() s
               where s.id is not null)
  select v.id, v.job_id, j.property_id, v.status, v.window_starts_at, v.window_ends_at,
         coalesce(p.time_zone, t.time_zone), j.kind, j.summary, p.street, p.city,
         (select nullif(split_part(btrim(m.full_name), ' ', 1), '')
            from public.visit_assignments a
            join public.memberships m
              on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
           where a.tenant_id = v.tenant_id and a.visit_id = v.id
           order by a.created_at, a.id limit 1),
         v.status in ('scheduled', 'dispatched')
           and v.window_starts_at - app.portal_change_cutoff() > now(),
         v.window_starts_at - app.portal_change_cutoff()
    from me
    join public.jobs j on j.tenant_id = me.tenant_id and j.customer_id = me.customer_id
    join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
    join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
    join public.tenants t on t.id = j.tenant_id
$$;
revoke execute on function app.portal_visits() from public;
grant execute on function app.portal_visits() to authenticated;

-- Why: the visit a homeowner asks to change, locked, when it is theirs and may still change
-- online; otherwise a refusal that says why (another customer's visit reads as unknown).
create function app.portal_changeable_visit(p_visit uuid) returns public.visits
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
  found public.visits;
begin
  select v.* into found
    from public.visits v
    join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
   where me.id is not null and v.tenant_id = me.tenant_id and v.id = p_visit
     and j.customer_id = me.customer_id
     for update of v;
  if found.id is null then
    raise exception 'no such visit of this customer'
      using errcode = 'check_violation', constraint = 'portal_visits_own_only';
  end if;
  if found.status not in ('scheduled', 'dispatched') then
    raise exception 'the visit is no longer open to change online'
      using errcode = 'check_violation', constraint = 'portal_visits_open_only';
  end if;
  if found.window_starts_at - app.portal_change_cutoff() <= now() then
    raise exception 'the visit is too close to change online'
      using errcode = 'check_violation', constraint = 'portal_visits_change_cutoff';
  end if;
  return found;
end
$$;
revoke execute on function app.portal_changeable_visit(uuid) from public;

-- Why: the homeowner moves their visit to another arrival window of the same length. The
-- booking trigger re-checks the technician's working hours and time off, and the exclusion
-- constraint refuses a time that is already taken; the audit log records the change with the
-- portal session as the actor.
create function app.portal_reschedule_visit(p_visit uuid, p_window_starts_at timestamptz)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  found public.visits := app.portal_changeable_visit(p_visit);
begin
  if p_window_starts_at is null
     or p_window_starts_at - app.portal_change_cutoff() <= now() then
    raise exception 'the new time is too close'
      using errcode = 'check_violation', constraint = 'portal_visits_new_time_ahead';
  end if;
  update public.visits v
     set window_starts_at = p_window_starts_at,
         window_ends_at = p_window_starts_at + (found.window_ends_at - found.window_starts_at),
         updated_at = now()
   where v.tenant_id = found.tenant_id and v.id = found.id;
end
$$;
revoke execute on function app.portal_reschedule_visit(uuid, timestamptz) from public;
grant execute on function app.portal_reschedule_visit(uuid, timestamptz) to authenticated;

-- Why: the homeowner cancels their visit (the reason is theirs, or says it was canceled
-- online); its technician's time is freed by the booking trigger; audited like any change.
create function app.portal_cancel_visit(p_visit uuid, p_reason text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  found public.visits := app.portal_changeable_visit(p_visit);
begin
  update public.visits v
     set status = 'canceled', canceled_at = now(), updated_at = now(),
         cancel_reason = coalesce(nullif(btrim(p_reason), ''), 'Canceled by the customer online.')
   where v.tenant_id = found.tenant_id and v.id = found.id;
end
$$;
revoke execute on function app.portal_cancel_visit(uuid, text) from public;
grant execute on function app.portal_cancel_visit(uuid, text) to authenticated;
