alter table public.estimate_links enable row level security;

-- Made only by app.send_estimate. Office staff see their company's links and revoke them; a
-- technician sees and revokes those of the estimates of their own jobs.
create policy "Office staff and their technicians can see estimate links"
  on public.estimate_links for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can revoke estimate links"
  on public.estimate_links for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));
