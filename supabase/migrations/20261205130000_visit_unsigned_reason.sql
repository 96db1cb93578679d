-- A visit completed without the customer's signature says why ("nobody home", "tenant at
-- work"): the office sees the reason on the job page. The technician's completion form asks
-- for it (older visits, and visits the office closes, have none).

-- Why: the technician's word for a missing signature; personal (it can name people).
alter table public.visits
  add column unsigned_reason text not null default ''
    constraint visits_unsigned_reason_length check (length(unsigned_reason) <= 500);
grant update (unsigned_reason) on public.visits to authenticated;

insert into audit.personal_columns (table_name, column_name)
values ('public.visits', 'unsigned_reason');

-- Why: as before (illegal changes refused, status times stamped, technicians only move their
-- own visit along); the reason why nobody signed is written only as the visit is completed
-- and, like the signer's name, is final once it is finished.
create or replace function app.visits_status_machine() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  completing boolean;
begin
  if tg_op = 'INSERT' then
    if new.status not in ('unscheduled', 'scheduled') then
      raise exception 'a new visit is unscheduled or scheduled'
        using errcode = 'check_violation', constraint = 'visits_status_transition';
    end if;
    if new.status = 'scheduled' then
      new.scheduled_at := now();
    end if;
    return new;
  end if;
  completing := old.status = 'on_site' and new.status = 'completed';
  if old.status in ('completed', 'canceled') and new.status = old.status and (
       new.completion_notes <> old.completion_notes or new.signed_by <> old.signed_by
       or new.unsigned_reason <> old.unsigned_reason
       or new.cancel_reason <> old.cancel_reason) then
    raise exception 'a finished visit cannot be changed'
      using errcode = 'check_violation', constraint = 'visits_finished_is_final';
  end if;
  if app.member_role() = 'technician' and (
       new.job_id <> old.job_id
       or new.window_starts_at is distinct from old.window_starts_at
       or new.window_ends_at is distinct from old.window_ends_at
       or new.duration_minutes <> old.duration_minutes
       or new.status not in ('en_route', 'on_site', 'completed')
       or new.cancel_reason <> old.cancel_reason
       or (not completing and (new.completion_notes <> old.completion_notes
                               or new.signed_by <> old.signed_by
                               or new.unsigned_reason <> old.unsigned_reason))) then
    raise exception 'technicians can only move their visit along'
      using errcode = 'insufficient_privilege', constraint = 'visits_technician_progress_only';
  end if;
  if new.status is distinct from old.status then
    if not app.visit_status_allowed(old.status, new.status) then
      raise exception 'a visit cannot go from % to %', old.status, new.status
        using errcode = 'check_violation', constraint = 'visits_status_transition';
    end if;
    if new.status in ('dispatched', 'en_route') and not exists (
         select from public.visit_assignments a
         where a.tenant_id = new.tenant_id and a.visit_id = new.id) then
      raise exception 'a visit needs a technician before it is dispatched'
        using errcode = 'check_violation', constraint = 'visits_dispatch_needs_technician';
    end if;
    case new.status
      when 'unscheduled' then
        new.window_starts_at := null;
        new.window_ends_at := null;
      when 'scheduled' then new.scheduled_at := now();
      when 'dispatched' then new.dispatched_at := now();
      when 'en_route' then new.en_route_at := now();
      when 'on_site' then new.arrived_at := now();
      when 'completed' then new.completed_at := now();
      when 'canceled' then new.canceled_at := now();
    end case;
  elsif old.status in ('en_route', 'on_site', 'completed', 'canceled') and (
       new.window_starts_at is distinct from old.window_starts_at
       or new.duration_minutes <> old.duration_minutes) then
    raise exception 'a visit under way or finished cannot be rescheduled'
      using errcode = 'check_violation', constraint = 'visits_status_transition';
  end if;
  new.updated_at := now();
  return new;
end
$$;
