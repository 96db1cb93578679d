alter table public.conversations enable row level security;

-- Office staff read and answer the company's texts, mark them read and attach a conversation
-- with an unknown number to a customer. Conversations start from inbound texts and replies,
-- through the definers that receive and send them.
create policy "Office staff can see their company's conversations"
  on public.conversations for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can mark conversations read and attach them to customers"
  on public.conversations for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()))
  with check (tenant_id = (select app.tenant_id()));
