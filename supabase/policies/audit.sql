-- The audit log is readable by the owners and admins of its company, and by nobody else.
-- Nobody writes to it directly: the triggers and functions of the audit migration do.
alter table audit.changes enable row level security;
alter table audit.transactions enable row level security;
alter table audit.chain_heads enable row level security;

create policy "Owners and admins can read their company's audit log"
  on audit.changes for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's audit chain"
  on audit.transactions for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's chain head"
  on audit.chain_heads for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));
