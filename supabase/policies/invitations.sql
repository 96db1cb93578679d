alter table public.invitations enable row level security;

create policy "Owners and admins can see their company's invitations"
  on public.invitations for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners can invite with any role"
  on public.invitations for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

create policy "Admins can invite with any role but owner"
  on public.invitations for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id()) and (select app.has_role('admin')) and role <> 'owner'
  );

create policy "Owners and admins can revoke their company's invitations"
  on public.invitations for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));
