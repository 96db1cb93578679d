alter table public.service_request_photos enable row level security;

-- Photos are added by homeowners through the portal's definer; the office sees them.
create policy "Office staff can see their company's service request photos"
  on public.service_request_photos for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));
