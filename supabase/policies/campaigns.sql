alter table public.campaigns enable row level security;

-- Office staff write and preview campaigns; owners and admins schedule and cancel them
-- (app.cancel_campaign). What the worker writes (sending, done, counts) is the service role's.
create policy "Office staff can see their company's campaigns"
  on public.campaigns for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can draft campaigns"
  on public.campaigns for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and status = 'draft'
  );

create policy "Office staff can change draft campaigns"
  on public.campaigns for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff())
         and status = 'draft')
  with check (tenant_id = (select app.tenant_id()) and status = 'draft');

create policy "Owners and admins can schedule campaigns and take them back to draft"
  on public.campaigns for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager())
         and status in ('draft', 'scheduled'))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager())
              and status in ('draft', 'scheduled'));
