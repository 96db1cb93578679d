alter table public.company_exports enable row level security;

-- P-09: a company's owners and admins see its exports and ask for new ones; only an owner may
-- ask for the access notes (gate and alarm codes) decrypted. Everything after the request is
-- the worker's.
create policy "Owners and admins can see their company's exports"
  on public.company_exports for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can ask for an export; only owners with access notes"
  on public.company_exports for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_manager())
    and status = 'queued'
    and (not include_access_notes or (select app.is_owner()))
  );
