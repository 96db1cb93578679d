-- Role sets, named once. The policies say who may act ("office staff", "managers") instead of
-- repeating the same role list in every file; a set changes here, in one place. Python names
-- the same sets in app/roles.py.
--
-- Each helper runs as its caller (security invoker) and adds no privilege: it asks
-- app.has_role, the one definer that reads the caller's own active membership. Policies call
-- them as `(select app.is_office_staff())`, so they run once per statement.

-- Why: who keeps the company's customers, properties, jobs and schedule.
create function app.is_office_staff() returns boolean
language sql stable security invoker set search_path = ''
as $$ select app.has_role('owner', 'admin', 'dispatcher', 'office') $$;

-- Why: who plans the technicians' time (working hours, time off, maintenance plans' jobs).
create function app.is_planner() returns boolean
language sql stable security invoker set search_path = ''
as $$ select app.has_role('owner', 'admin', 'dispatcher') $$;

-- Why: who manages the company itself (team, audit log, deleting customers).
create function app.is_manager() returns boolean
language sql stable security invoker set search_path = ''
as $$ select app.has_role('owner', 'admin') $$;

-- Why: what only an owner may do (make owners, read the outbox).
create function app.is_owner() returns boolean
language sql stable security invoker set search_path = ''
as $$ select app.has_role('owner') $$;

revoke execute on function app.is_office_staff(), app.is_planner(), app.is_manager(),
  app.is_owner() from public, anon;
grant execute on function app.is_office_staff(), app.is_planner(), app.is_manager(),
  app.is_owner() to authenticated, service_role;
