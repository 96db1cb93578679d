alter table public.payment_attempts enable row level security;

-- As their invoice: office staff see every attempt to pay online, a technician those of the
-- invoices of their own jobs. Attempts are written only by the definers that start a Checkout
-- and apply Stripe's events.
create policy "Office staff and their technicians can see online payments"
  on public.payment_attempts for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );
