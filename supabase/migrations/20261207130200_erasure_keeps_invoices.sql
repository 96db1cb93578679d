-- Erasure keeps a homeowner's invoices and payments (P-12), anonymised (P-10): the function of
-- 20261204130200_erase_customer.sql again, with the invoices detached and blanked first.

-- Why: P-10 with P-12, a homeowner's erasure, in one transaction: the imports that mention them
-- lose their file; their invoices stay (financial records are kept 7 years) with their number,
-- dates, amounts, lines and payments, but detached from the customer and anonymised: billed to
-- 'Erased customer', without email, address or note; then the customer goes with everything
-- that is theirs (contacts, notes, properties, equipment, agreements, jobs, visits with their
-- notes, photos and signatures, estimates: the foreign keys cascade, and the files are queued
-- for deletion); their audit key is destroyed, so every value of theirs in the log becomes
-- unreadable; and an `erasure` entry without any personal value records that it happened.
-- Owners and admins of the customer's company only: the company is the caller's, never an
-- argument.
create or replace function app.erase_customer(p_customer uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_imports integer;
begin
  if v_tenant is null or not app.has_role('owner', 'admin') then
    raise exception 'only owners and admins can erase a customer'
      using errcode = 'insufficient_privilege';
  end if;
  perform from public.customers c where c.tenant_id = v_tenant and c.id = p_customer for update;
  if not found then
    raise exception 'no such customer' using errcode = 'no_data_found';
  end if;
  v_imports := app.discard_imports_mentioning(v_tenant, p_customer);
  -- Every reference at once, so that no key is left to find them (app.invoices_keep_their_word
  -- accepts this anonymised form of a sent invoice, and no other change to it).
  update public.invoices i
     set customer_id = null, property_id = null, job_id = null, visit_id = null,
         estimate_id = null, bill_to_name = 'Erased customer', bill_to_email = '',
         bill_to_address = '', note = '', updated_at = now()
   where i.tenant_id = v_tenant and i.customer_id = p_customer;
  delete from public.customers c where c.tenant_id = v_tenant and c.id = p_customer;
  insert into audit.subject_keys as k (tenant_id, subject_id, key, erased_at)
  values (v_tenant, p_customer, null, now())
  on conflict (tenant_id, subject_id) do update set key = null, erased_at = now();
  perform audit.append(v_tenant, 'public.customers', p_customer::text, 'erasure', null,
                       jsonb_build_object('imports_discarded', v_imports));
end
$$;
grant execute on function app.erase_customer(uuid) to authenticated;
