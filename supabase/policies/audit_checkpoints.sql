-- The signed checkpoints of a company's audit chain and the receipts emailed about them: read by
-- the company's owners and admins, like the log itself. Only the worker (service_role) writes.
alter table audit.checkpoints enable row level security;
alter table audit.receipts enable row level security;

create policy "Owners and admins can read their company's audit checkpoints"
  on audit.checkpoints for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's audit receipts"
  on audit.receipts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));
