alter table public.sms_opt_outs enable row level security;

-- Office staff see which numbers opted out (the customer page says so). Only the inbound
-- webhook's definer records a STOP or removes it on START: nobody opts a number back in by hand.
create policy "Office staff can see their company's opted-out numbers"
  on public.sms_opt_outs for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));
