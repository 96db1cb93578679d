alter table audit.access_requests enable row level security;

-- A member records reads in their own company; which rows they may name is checked by the
-- table's before-insert trigger, under their own policies (see the migration).
create policy "Members can record reads in their company"
  on audit.access_requests for insert to authenticated
  with check ((select app.tenant_id()) is not null);
