alter table public.customer_emails enable row level security;

-- A customer's other emails: the office's, as the customer's contact people are.
create policy "Office staff can see their company's customer emails"
  on public.customer_emails for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer emails"
  on public.customer_emails for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customer emails"
  on public.customer_emails for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove customer emails"
  on public.customer_emails for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );
