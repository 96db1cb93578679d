-- Issue 10: who wrote a note, uploaded a photo, started or confirmed an import, or ticked a
-- checklist item is stamped by the database from the request's identity (`auth.uid()`), never
-- taken from the client: a member could otherwise write a note in a colleague's name.
-- `flask db check` fails for a company table's attribution column without this trigger.

-- Why: one trigger function for every attribution column, named by the trigger's arguments:
--   stamp_author('author_id')             set on insert, never changed afterwards;
--   stamp_author('done_by', 'when set')   set whenever the client sets it, cleared when cleared.
-- Only the API roles are stamped: code that already runs as the owner (security-definer
-- triggers, seeding, migrations) or as service_role names its own actor.
create function app.stamp_author() returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_column text := tg_argv[0];
  v_when_set boolean := coalesce(tg_argv[1], '') = 'when set';
  v_new jsonb;
  v_old jsonb;
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  v_new := to_jsonb(new) -> v_column;
  v_old := case when tg_op = 'UPDATE' then to_jsonb(old) -> v_column end;
  if not v_when_set then
    return jsonb_populate_record(new, jsonb_build_object(
      v_column, case when tg_op = 'UPDATE' then v_old else to_jsonb(auth.uid()) end));
  end if;
  if jsonb_typeof(v_new) = 'null' or (tg_op = 'UPDATE' and v_new = v_old) then
    return new;
  end if;
  return jsonb_populate_record(new, jsonb_build_object(v_column, to_jsonb(auth.uid())));
end
$$;
revoke execute on function app.stamp_author() from public;

create trigger stamp_author_id before insert or update on public.customer_notes
  for each row execute function app.stamp_author('author_id');
create trigger stamp_created_by before insert or update on public.customer_imports
  for each row execute function app.stamp_author('created_by');
create trigger stamp_confirmed_by before insert or update on public.customer_imports
  for each row execute function app.stamp_author('confirmed_by', 'when set');
create trigger stamp_uploaded_by before insert or update on public.visit_files
  for each row execute function app.stamp_author('uploaded_by');
create trigger stamp_author_id before insert or update on public.visit_notes
  for each row execute function app.stamp_author('author_id');
create trigger stamp_done_by before insert or update on public.visit_checklist_items
  for each row execute function app.stamp_author('done_by', 'when set');
