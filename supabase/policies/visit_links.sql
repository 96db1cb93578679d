alter table public.visit_links enable row level security;

-- Office staff see which links to a visit were made; links are made only by the worker's
-- definer (app.mint_visit_links), and opened only through the token holder's definers.
create policy "Office staff can see their company's visit links"
  on public.visit_links for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));
