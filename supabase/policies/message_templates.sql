alter table public.message_templates enable row level security;

-- Office staff read what the company's messages say (the previews); owners and admins change it.
create policy "Office staff can see their company's message templates"
  on public.message_templates for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Owners and admins can write their company's message templates"
  on public.message_templates for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's message templates"
  on public.message_templates for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));
