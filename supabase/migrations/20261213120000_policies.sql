-- Written by `flask db policies` from supabase/policies/: do not edit. What `flask db up`
-- does after the migrations, as a migration, so that `supabase db push` gives the same
-- database: the audit and read-only triggers on every company table, then every policy
-- of our schemas replaced by those of the files.

select audit.attach_triggers('{public,outbox}') as attached;

select app.attach_read_only_triggers('{public}', '{public.company_exports}') as attached;

-- Every policy of our schemas goes before those of supabase/policies/ are created: a policy
-- deleted from the files disappears.
do $$
declare
  existing record;
begin
  for existing in
    select schemaname, tablename, policyname from pg_policies where schemaname = any ('{public,iam,outbox,app,audit}')
  loop
    execute format(
      'drop policy %I on %I.%I', existing.policyname, existing.schemaname, existing.tablename
    );
  end loop;
end
$$;

-- supabase/policies/access_requests.sql
alter table audit.access_requests enable row level security;

-- A member records reads in their own company; which rows they may name is checked by the
-- table's before-insert trigger, under their own policies (see the migration).
create policy "Members can record reads in their company"
  on audit.access_requests for insert to authenticated
  with check ((select app.tenant_id()) is not null);

-- supabase/policies/audit.sql
-- The audit log is readable by the owners and admins of its company, and by nobody else.
-- Nobody writes to it directly: the triggers and functions of the audit migration do.
alter table audit.changes enable row level security;
alter table audit.transactions enable row level security;
alter table audit.chain_heads enable row level security;

create policy "Owners and admins can read their company's audit log"
  on audit.changes for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's audit chain"
  on audit.transactions for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's chain head"
  on audit.chain_heads for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

-- supabase/policies/audit_checkpoints.sql
-- The signed checkpoints of a company's audit chain and the receipts emailed about them: read by
-- the company's owners and admins, like the log itself. Only the worker (service_role) writes.
alter table audit.checkpoints enable row level security;
alter table audit.receipts enable row level security;

create policy "Owners and admins can read their company's audit checkpoints"
  on audit.checkpoints for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can read their company's audit receipts"
  on audit.receipts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

-- supabase/policies/calendar_feeds.sql
alter table public.calendar_feeds enable row level security;

-- A technician manages their own feed; managers and dispatchers can revoke any (a lost phone).
create policy "Technicians see their feed, managers and dispatchers all"
  on public.calendar_feeds for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (technician_id = (select auth.uid())
         or (select app.is_planner()))
  );

-- No insert policy: a feed is opened only by app.open_calendar_feed(), which mints its token.

create policy "Technicians and managers can revoke feeds"
  on public.calendar_feeds for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (technician_id = (select auth.uid())
         or (select app.is_planner()))
  )
  -- One way only: a revoked link (a lost phone) can never be opened again.
  with check (tenant_id = (select app.tenant_id()) and revoked_at is not null);

-- supabase/policies/campaigns.sql
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

-- supabase/policies/company_exports.sql
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

-- supabase/policies/conversations.sql
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

-- supabase/policies/customer_contacts.sql
alter table public.customer_contacts enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's customer contacts"
  on public.customer_contacts for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer contacts"
  on public.customer_contacts for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customer contacts"
  on public.customer_contacts for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove customer contacts"
  on public.customer_contacts for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- A signed-in homeowner (the portal) sees their own contact people, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own contact people"
  on public.customer_contacts for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/customer_emails.sql
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

-- supabase/policies/customer_imports.sql
alter table public.customer_imports enable row level security;

-- The office imports customers; technicians see no customers, so no imports either.
create policy "Office staff can see their company's customer imports"
  on public.customer_imports for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can upload customer imports"
  on public.customer_imports for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- Mapping, confirming and cancelling; the import job also records its progress as the member
-- who started it.
create policy "Office staff can change customer imports"
  on public.customer_imports for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/customer_notes.sql
alter table public.customer_notes enable row level security;

-- Technicians see none until scheduling gives them the records of their own visits.
create policy "Office staff can see their company's customer notes"
  on public.customer_notes for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer notes"
  on public.customer_notes for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can remove customer notes"
  on public.customer_notes for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/customer_phones.sql
alter table public.customer_phones enable row level security;

-- A customer's other phones: the office's, as the customer's contact people are.
create policy "Office staff can see their company's customer phones"
  on public.customer_phones for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add customer phones"
  on public.customer_phones for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customer phones"
  on public.customer_phones for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove customer phones"
  on public.customer_phones for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/customers.sql
alter table public.customers enable row level security;

-- Technicians see the customers of their own visits (app.technician_customer_ids). Keep
-- app.customer_ids_matching in step with this policy.
create policy "Office staff and their technicians can see customers"
  on public.customers for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_customer_ids())::uuid[]))
  );

create policy "Office staff can add customers"
  on public.customers for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change customers"
  on public.customers for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Owners and admins can delete customers"
  on public.customers for delete to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

-- A signed-in homeowner (the portal) sees their own customer record, and no one else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own record"
  on public.customers for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/equipment.sql
alter table public.equipment enable row level security;

-- Technicians see the equipment at the properties of their own visits: the unit they were
-- called for and whatever else is installed there.
create policy "Office staff and their technicians can see equipment"
  on public.equipment for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or property_id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add equipment"
  on public.equipment for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change equipment"
  on public.equipment for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove equipment"
  on public.equipment for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- A signed-in homeowner (the portal) sees the equipment of their own properties.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the equipment of their own properties"
  on public.equipment for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and property_id = any ((select app.portal_property_ids())::uuid[])
    end
  );

-- supabase/policies/equipment_service_records.sql
alter table public.equipment_service_records enable row level security;

-- Written only by the completion trigger; read by whoever may see the equipment.
create policy "Staff who can see the equipment can see its service history"
  on public.equipment_service_records for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff()) or equipment_id in (
      select e.id from public.equipment e
      where e.tenant_id = (select app.tenant_id())
        and e.property_id = any ((select app.technician_property_ids())::uuid[])
    ))
  );

-- A signed-in homeowner (the portal) sees the service history of their own visits.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the service history of their own visits"
  on public.equipment_service_records for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and visit_id = any ((select app.portal_visit_ids())::uuid[])
    end
  );

-- supabase/policies/estimate_lines.sql
alter table public.estimate_lines enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change (app.estimate_parts_draft_only).
create policy "Office staff and their technicians can see estimate lines"
  on public.estimate_lines for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add estimate lines"
  on public.estimate_lines for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change estimate lines"
  on public.estimate_lines for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove estimate lines"
  on public.estimate_lines for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the lines of their own estimates.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the lines of their own estimates"
  on public.estimate_lines for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and estimate_id = any ((select app.portal_estimate_ids())::uuid[])
    end
  );

-- supabase/policies/estimate_links.sql
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

-- supabase/policies/estimate_options.sql
alter table public.estimate_options enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change (app.estimate_parts_draft_only).
create policy "Office staff and their technicians can see estimate options"
  on public.estimate_options for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add estimate options"
  on public.estimate_options for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change estimate options"
  on public.estimate_options for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove estimate options"
  on public.estimate_options for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the options of their own estimates.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the options of their own estimates"
  on public.estimate_options for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and estimate_id = any ((select app.portal_estimate_ids())::uuid[])
    end
  );

-- supabase/policies/estimate_photos.sql
alter table public.estimate_photos enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change, and only photos of the estimate's
-- job (app.estimate_photos_checked).
create policy "Office staff and their technicians can see estimate photos"
  on public.estimate_photos for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can choose estimate photos"
  on public.estimate_photos for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can caption and order estimate photos"
  on public.estimate_photos for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can leave out estimate photos"
  on public.estimate_photos for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

-- supabase/policies/estimate_tax_rates.sql
alter table public.estimate_tax_rates enable row level security;

-- As their estimate: office staff, and a technician for the estimates of their own jobs
-- (app.technician_estimate_ids()). Only a draft's change (app.estimate_parts_draft_only).
create policy "Office staff and their technicians can see estimates' tax rates"
  on public.estimate_tax_rates for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add estimates' tax rates"
  on public.estimate_tax_rates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change estimates' tax rates"
  on public.estimate_tax_rates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove estimates' tax rates"
  on public.estimate_tax_rates for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or estimate_id = any ((select app.technician_estimate_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the tax rates of their own estimates.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the tax rates of their own estimates"
  on public.estimate_tax_rates for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and estimate_id = any ((select app.portal_estimate_ids())::uuid[])
    end
  );

-- supabase/policies/estimates.sql
alter table public.estimates enable row level security;

-- Office staff manage every estimate; a technician sees and makes the estimates of the jobs
-- of their own visits. Only a draft is deleted (a sent one is kept, revised or declined).
create policy "Office staff and their technicians can see estimates"
  on public.estimates for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can make estimates"
  on public.estimates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change estimates"
  on public.estimates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can delete draft estimates"
  on public.estimates for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and status = 'draft'
  );

-- A signed-in homeowner (the portal) sees their own estimates once sent, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own estimates once sent"
  on public.estimates for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
         and status <> 'draft'
    end
  );

-- supabase/policies/iam.sql
-- Staff identity: a signed-in account reaches its own rows only, and an account with a second
-- factor only once its claims say it was proved (`app.account_id()` checks the `aal` claim).
-- Everything before sign-in goes through narrow functions granted to `plenum_signin`.
alter table iam.accounts enable row level security;
alter table iam.recovery_codes enable row level security;
alter table iam.password_resets enable row level security;
alter table iam.sign_in_attempts enable row level security;
alter table iam.sign_in_challenges enable row level security;
alter table iam.sign_in_pepper enable row level security;

create policy "Accounts can see themselves"
  on iam.accounts for select to authenticated
  using (id = (select app.account_id()));

create policy "Accounts can update themselves"
  on iam.accounts for update to authenticated
  using (id = (select app.account_id()))
  with check (id = (select app.account_id()));

create policy "Accounts can see their recovery codes"
  on iam.recovery_codes for select to authenticated
  using (account_id = (select app.account_id()));

create policy "Accounts can create their recovery codes"
  on iam.recovery_codes for insert to authenticated
  with check (account_id = (select app.account_id()));

create policy "Accounts can use their recovery codes"
  on iam.recovery_codes for update to authenticated
  using (account_id = (select app.account_id()))
  with check (account_id = (select app.account_id()));

create policy "Accounts can replace their recovery codes"
  on iam.recovery_codes for delete to authenticated
  using (account_id = (select app.account_id()));

alter table iam.sessions enable row level security;

create policy "Accounts can see their sessions"
  on iam.sessions for select to authenticated
  using (account_id = (select app.account_id()));

create policy "Accounts can open their sessions"
  on iam.sessions for insert to authenticated
  with check (account_id = (select app.account_id()));

create policy "Accounts can end their sessions"
  on iam.sessions for update to authenticated
  using (account_id = (select app.account_id()))
  with check (account_id = (select app.account_id()));

-- Settings, pending sign-ups, unlock links and link requests are reached only through the
-- identity functions: row-level security on, no policy.
alter table iam.settings enable row level security;
alter table iam.sign_ups enable row level security;
alter table iam.sign_in_unlocks enable row level security;
alter table iam.link_requests enable row level security;

-- supabase/policies/import_items.sql
alter table public.import_items enable row level security;

-- An import's preview, as its import: the office's (technicians see no customers).
create policy "Office staff can see their company's import previews"
  on public.import_items for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- Only into an import still being planned or run (the run keeps its plan as the report).
create policy "Office staff can write import previews"
  on public.import_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and exists (select from public.customer_imports i
                 where i.tenant_id = import_items.tenant_id and i.id = import_items.import_id
                   and i.status in ('uploaded', 'checking', 'previewed', 'running'))
  );

create policy "Office staff can replace import previews"
  on public.import_items for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/import_records.sql
alter table public.import_records enable row level security;

-- What an import created or changed, for undo: the office's to read, as its imports are;
-- written only by app.record_import_writes and app.seal_import_writes (the import's own run).
create policy "Office staff can see what their company's imports wrote"
  on public.import_records for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/invitations.sql
alter table public.invitations enable row level security;

create policy "Owners and admins can see their company's invitations"
  on public.invitations for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners can invite with any role"
  on public.invitations for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

create policy "Admins can invite with any role but owner"
  on public.invitations for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id()) and (select app.has_role('admin')) and role <> 'owner'
  );

create policy "Owners and admins can revoke their company's invitations"
  on public.invitations for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/invoice_history.sql
alter table public.invoice_history enable row level security;

-- The office's only: what the old system billed is the office's business, as invoices are.
create policy "Office staff can see invoice history"
  on public.invoice_history for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add invoice history"
  on public.invoice_history for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change invoice history"
  on public.invoice_history for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove invoice history"
  on public.invoice_history for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/invoice_lines.sql
alter table public.invoice_lines enable row level security;

-- As their invoice: office staff, and a technician for the invoices of their own jobs
-- (app.technician_invoice_ids()). Only a draft's change (app.invoice_parts_draft_only).
create policy "Office staff and their technicians can see invoice lines"
  on public.invoice_lines for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add invoice lines"
  on public.invoice_lines for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change invoice lines"
  on public.invoice_lines for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove invoice lines"
  on public.invoice_lines for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the lines of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the lines of their own invoices"
  on public.invoice_lines for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );

-- supabase/policies/invoice_links.sql
alter table public.invoice_links enable row level security;

-- Made only by app.send_invoice. Office staff see their company's links and revoke them; a
-- technician sees and revokes those of the invoices of their own jobs.
create policy "Office staff and their technicians can see invoice links"
  on public.invoice_links for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can revoke invoice links"
  on public.invoice_links for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/invoice_tax_rates.sql
alter table public.invoice_tax_rates enable row level security;

-- As their invoice: office staff, and a technician for the invoices of their own jobs
-- (app.technician_invoice_ids()). Only a draft's change (app.invoice_parts_draft_only).
create policy "Office staff and their technicians can see invoices' tax rates"
  on public.invoice_tax_rates for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can add invoices' tax rates"
  on public.invoice_tax_rates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change invoices' tax rates"
  on public.invoice_tax_rates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff and their technicians can remove invoices' tax rates"
  on public.invoice_tax_rates for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the tax rates of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the tax rates of their own invoices"
  on public.invoice_tax_rates for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );

-- supabase/policies/invoices.sql
alter table public.invoices enable row level security;

-- Office staff manage every invoice; a technician sees and makes the invoices of the jobs of
-- their own visits. Only a draft is deleted (a sent one is voided: app.invoices_only_drafts_deleted).
create policy "Office staff and their technicians can see invoices"
  on public.invoices for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can make invoices"
  on public.invoices for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff and their technicians can change invoices"
  on public.invoices for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

-- A signed-in homeowner (the portal) sees their own invoices once sent, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own invoices once sent"
  on public.invoices for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
         and status <> 'draft'
    end
  );

-- supabase/policies/job_equipment.sql
alter table public.job_equipment enable row level security;

create policy "Office staff and their technicians can see the equipment of jobs"
  on public.job_equipment for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or job_id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff can name the equipment of jobs"
  on public.job_equipment for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can unname the equipment of jobs"
  on public.job_equipment for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/jobs.sql
alter table public.jobs enable row level security;

-- Technicians see the jobs of their own visits.
create policy "Office staff and their technicians can see jobs"
  on public.jobs for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_job_ids())::uuid[]))
  );

create policy "Office staff can add jobs"
  on public.jobs for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change jobs"
  on public.jobs for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- A job with visit history (a visit under way, done or canceled) goes only with an owner or an
-- admin: office staff remove a job taken by mistake, never what was done.
create policy "Managers can remove jobs, office staff those with no visit history"
  on public.jobs for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and not exists (select from public.visits v
                             where v.tenant_id = jobs.tenant_id and v.job_id = jobs.id
                               and v.status not in ('unscheduled', 'scheduled', 'dispatched'))))
  );

-- A signed-in homeowner (the portal) sees their own jobs, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own jobs"
  on public.jobs for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/memberships.sql
alter table public.memberships enable row level security;

create policy "Office staff can see their company's team"
  on public.memberships for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- The company switcher needs an account's own memberships in every company. Only active ones:
-- a removed member's still-valid claims must see nothing of the company (P-03), nor do the
-- claims of an account whose second factor is not yet proved (`app.account_id()`).
create policy "Accounts can see their own active memberships"
  on public.memberships for select to authenticated
  using (account_id = (select app.account_id()) and status = 'active');

-- Update checks of all policies are OR-ed: this one names the owner role too, or it would let an
-- admin's change (allowed by the policy below) make someone an owner.
create policy "Owners can change any member of their company"
  on public.memberships for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_owner()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

create policy "Admins can change members who are not owners"
  on public.memberships for update to authenticated
  using (
    tenant_id = (select app.tenant_id()) and (select app.has_role('admin')) and role <> 'owner'
  )
  with check (tenant_id = (select app.tenant_id()) and role <> 'owner');

-- supabase/policies/message_templates.sql
alter table public.message_templates enable row level security;

-- Office staff read what the company's messages say (the previews); owners and admins change it.
create policy "Office staff can see their company's message templates"
  on public.message_templates for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Owners and admins can write their company's message templates"
  on public.message_templates for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's message templates"
  on public.message_templates for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/messages.sql
alter table public.messages enable row level security;

-- Office staff see every message of the company and queue new ones (replies, campaigns);
-- app.messages_guard decides whether each may go. Status, provider ids and delivery are
-- written only by the worker (service role) and the provider's signed callbacks.
create policy "Office staff can see their company's messages"
  on public.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can queue messages"
  on public.messages for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and direction = 'out'
  );

-- A signed-in homeowner (the portal) sees their own messages once sent or received, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own messages once sent or received"
  on public.messages for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
         and status in ('sent', 'delivered', 'undelivered', 'failed', 'received')
    end
  );

-- A homeowner's sign-in code and link (kind portal_sign_in, 20261210110000_portal_sign_in.sql)
-- are for the homeowner alone: while they work they would let whoever reads them sign in as
-- the homeowner, so nobody in the company reads them (the worker sends them as service role).
create policy "Sign-in codes are read by nobody but their recipient"
  on public.messages as restrictive for select to authenticated
  using (kind <> 'portal_sign_in');

-- supabase/policies/messaging_accounts.sql
alter table public.messaging_accounts enable row level security;

-- Owners and admins set the company's Twilio and SendGrid keys; nobody else reads the row (the
-- keys are sealed all the same). The worker sends as the service role.
create policy "Owners and admins can see their company's messaging account"
  on public.messaging_accounts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can connect their company to Twilio and SendGrid"
  on public.messaging_accounts for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's messaging account"
  on public.messaging_accounts for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/online_booking_settings.sql
alter table public.online_booking_settings enable row level security;

-- The office reads the rules (the booking link is shown to whoever takes calls); owners and
-- admins change them. The row is made with the company and never removed on its own.
create policy "Office staff can see their company's online booking settings"
  on public.online_booking_settings for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Owners and admins can change their company's online booking settings"
  on public.online_booking_settings for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- A signed-in homeowner reads their company's rules: what they may book, and until when they
-- may move or cancel a visit in the portal.
create policy "Homeowners can see their company's online booking rules"
  on public.online_booking_settings for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
    end
  );

-- supabase/policies/online_bookings.sql
alter table public.online_bookings enable row level security;

-- The office sees what was booked online and confirms or declines it through
-- app.confirm_online_booking / app.decline_online_booking; rows are written only by the
-- booking definers.
create policy "Office staff can see their company's online bookings"
  on public.online_bookings for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Homeowners can see their own online bookings"
  on public.online_bookings for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/outbox.sql
alter table outbox.messages enable row level security;

-- No insert policy: messages are queued only by code that renders a known template, the
-- identity functions (iam.queue_email, as the table's owner) and the worker (service_role).

create policy "Owners can read their company's outbox"
  on outbox.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

-- A homeowner's sign-in code and link, once the worker has put them here (no SendGrid or
-- Twilio connected), stay unread by the company too (see public.messages): while they work
-- they would let their reader sign in as the homeowner.
create policy "Sign-in codes are read by nobody but their recipient"
  on outbox.messages as restrictive for select to authenticated
  using (kind <> 'portal_sign_in');

-- supabase/policies/payment_attempts.sql
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

-- supabase/policies/payments.sql
alter table public.payments enable row level security;

-- As their invoice: office staff, and a technician for the invoices of their own jobs, see and
-- record payments. Nobody edits or deletes one (no grant, no policy): a mistaken payment is
-- answered by a later record.
create policy "Office staff and their technicians can see payments"
  on public.payments for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff and their technicians can record payments"
  on public.payments for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

-- A signed-in homeowner (the portal) sees the payments of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the payments of their own invoices"
  on public.payments for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );

-- supabase/policies/price_categories.sql
alter table public.price_categories enable row level security;

-- Everyone in the company reads it (technicians price work on site); office staff change it.
-- Nothing is deleted: an entry is archived, and documents keep their own copies.
create policy "Members can see their company's price categories"
  on public.price_categories for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add price categories"
  on public.price_categories for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change price categories"
  on public.price_categories for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/price_items.sql
alter table public.price_items enable row level security;

-- Everyone in the company reads it (technicians price work on site); office staff change it.
-- Nothing is deleted: an entry is archived, and documents keep their own copies.
create policy "Members can see their company's price book items"
  on public.price_items for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add price book items"
  on public.price_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change price book items"
  on public.price_items for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/price_package_parts.sql
alter table public.price_package_parts enable row level security;

-- As the package they belong to: everyone in the company reads them, office staff change them.
create policy "Members can see their company's package parts"
  on public.price_package_parts for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add package parts"
  on public.price_package_parts for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change package parts"
  on public.price_package_parts for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove package parts"
  on public.price_package_parts for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/privacy_requests.sql
alter table public.privacy_requests enable row level security;

-- P-10: the office sees and answers every request of its company, and records those made by
-- phone or email; a homeowner files theirs from the portal (app.portal_file_privacy_request).
create policy "Office staff can see their company's privacy requests"
  on public.privacy_requests for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can record privacy requests made by phone or email"
  on public.privacy_requests for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and source in ('phone', 'email')
    and status = 'open'
  );

create policy "Office staff can answer their company's privacy requests"
  on public.privacy_requests for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own privacy requests"
  on public.privacy_requests for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/properties.sql
alter table public.properties enable row level security;

-- Technicians see the properties of their own visits (app.technician_property_ids).
create policy "Office staff and their technicians can see properties"
  on public.properties for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add properties"
  on public.properties for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change properties"
  on public.properties for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- A property with jobs takes its visit history with it: owners and admins only (as for a
-- customer); other office staff archive it instead. Erasure and purge are owners' or the
-- worker's, and cascades are not subject to this policy.
create policy "Owners and admins can remove properties, other office staff those without jobs"
  on public.properties for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and not exists (select from public.jobs j
                             where j.tenant_id = properties.tenant_id
                               and j.property_id = properties.id)))
  );

-- A signed-in homeowner (the portal) sees their own properties, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own properties"
  on public.properties for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/refunds.sql
alter table public.refunds enable row level security;

-- Office staff give money back and see refunds; a technician sees those of the invoices of
-- their own jobs. A refund is never edited or deleted (no grant).
create policy "Office staff and their technicians can see refunds"
  on public.refunds for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or invoice_id = any ((select app.technician_invoice_ids())::uuid[]))
  );

create policy "Office staff can record refunds"
  on public.refunds for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees the refunds of their own invoices.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the refunds of their own invoices"
  on public.refunds for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and invoice_id = any ((select app.portal_invoice_ids())::uuid[])
    end
  );

-- supabase/policies/service_agreements.sql
alter table public.service_agreements enable row level security;

-- Office staff only: technicians work from the jobs the agreements generate.
create policy "Office staff can see service agreements"
  on public.service_agreements for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can add service agreements"
  on public.service_agreements for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change service agreements"
  on public.service_agreements for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove service agreements"
  on public.service_agreements for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- A signed-in homeowner (the portal) sees their own service agreements, and nothing of anyone else's.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service agreements"
  on public.service_agreements for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/service_history.sql
alter table public.service_history enable row level security;

-- The office's; a technician going to a property reads its past work, as they read its
-- equipment's service history (equipment_service_records).
create policy "Office staff and technicians going there can see service history"
  on public.service_history for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or property_id = any ((select app.technician_property_ids())::uuid[]))
  );

create policy "Office staff can add service history"
  on public.service_history for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change service history"
  on public.service_history for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove service history"
  on public.service_history for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/service_request_messages.sql
alter table public.service_request_messages enable row level security;

create policy "Office staff can see their company's service request threads"
  on public.service_request_messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- The author is the member (stamped from auth.uid()); a homeowner's message comes only through
-- the portal's definer.
create policy "Office staff can reply to their company's service requests"
  on public.service_request_messages for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
    and author_kind = 'staff'
    and author_id = (select auth.uid())
  );

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service request threads"
  on public.service_request_messages for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/service_request_photos.sql
alter table public.service_request_photos enable row level security;

-- Photos are added by homeowners through the portal's definer; the office sees them.
create policy "Office staff can see their company's service request photos"
  on public.service_request_photos for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service request photos"
  on public.service_request_photos for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/service_requests.sql
alter table public.service_requests enable row level security;

-- Office staff work the queue: answer, assign, close, reopen, turn into a job. Requests are
-- opened by homeowners through the portal's definer (app.portal_open_service_request).
create policy "Office staff can see their company's service requests"
  on public.service_requests for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

create policy "Office staff can work their company's service requests"
  on public.service_requests for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()))
  with check (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- A signed-in homeowner (the portal) sees their own, and nothing of anyone else's; they write
-- only through the portal's definers (20261210130200_portal_requests.sql).
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their own service requests"
  on public.service_requests for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and customer_id = (select app.portal_customer_id())
    end
  );

-- supabase/policies/sms_opt_outs.sql
alter table public.sms_opt_outs enable row level security;

-- Office staff see which numbers opted out (the customer page says so). Only the inbound
-- webhook's definer records a STOP or removes it on START: nobody opts a number back in by hand.
create policy "Office staff can see their company's opted-out numbers"
  on public.sms_opt_outs for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- supabase/policies/storage_objects.sql
-- Files live in Supabase Storage, one private bucket per environment (plenum-<environment>);
-- the app and the worker reach them with the service role, which bypasses these policies.
-- They are here so that a leaked anon key, or a member's token used against Storage's API,
-- cannot list, read or change another company's files. The restrictive policies hold
-- whatever permissive policy someone adds in the dashboard. Storage's schema is not ours: the
-- policies are dropped by name and created again, and row-level security is Supabase's own.

drop policy if exists "Signed-out requests reach no file" on storage.objects;
drop policy if exists "Members reach only their own company's files" on storage.objects;
drop policy if exists "Files are added only by the service role" on storage.objects;
drop policy if exists "Files are changed only by the service role" on storage.objects;
drop policy if exists "Files are removed only by the service role" on storage.objects;
drop policy if exists "Office staff can read their company's files; managers its exports"
  on storage.objects;

create policy "Signed-out requests reach no file"
  on storage.objects as restrictive for all to anon
  using (false) with check (false);

-- A key's first folder is its company (app/integrations/files.py).
create policy "Members reach only their own company's files"
  on storage.objects as restrictive for select to authenticated
  using ((storage.foldername(name))[1] = (select app.tenant_id())::text);

create policy "Files are added only by the service role"
  on storage.objects as restrictive for insert to authenticated
  with check (false);

create policy "Files are changed only by the service role"
  on storage.objects as restrictive for update to authenticated
  using (false) with check (false);

create policy "Files are removed only by the service role"
  on storage.objects as restrictive for delete to authenticated
  using (false);

-- As in the app: the office sees the company's photos and documents; an export holds all of
-- the company's data, so only owners and admins see those (company_exports.sql).
create policy "Office staff can read their company's files; managers its exports"
  on storage.objects for select to authenticated
  using (
    bucket_id like 'plenum-%'
    and (storage.foldername(name))[1] = (select app.tenant_id())::text
    and case when (storage.foldername(name))[2] = 'exports' then (select app.is_manager())
             else (select app.is_office_staff()) end
  );

-- supabase/policies/stripe_accounts.sql
alter table public.stripe_accounts enable row level security;

-- Owners and admins set the company's Stripe keys and deposit; nobody else reads the row (the
-- keys are sealed all the same). Members start payments through app.stripe_key().
create policy "Owners and admins can see their company's Stripe account"
  on public.stripe_accounts for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can connect their company to Stripe"
  on public.stripe_accounts for insert to authenticated
  with check (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

create policy "Owners and admins can change their company's Stripe account"
  on public.stripe_accounts for update to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()))
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/stripe_events.sql
alter table public.stripe_events enable row level security;

-- Owners and admins may see which Stripe events arrived and what each did; only the webhook's
-- definer writes them.
create policy "Owners and admins can see their Stripe events"
  on public.stripe_events for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_manager()));

-- supabase/policies/tax_rates.sql
alter table public.tax_rates enable row level security;

-- Everyone in the company reads it (technicians price work on site); office staff change it.
-- Nothing is deleted: an entry is archived, and documents keep their own copies.
create policy "Members can see their company's tax rates"
  on public.tax_rates for select to authenticated
  using (tenant_id = (select app.tenant_id()));

create policy "Office staff can add tax rates"
  on public.tax_rates for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can change tax rates"
  on public.tax_rates for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  )
  with check (tenant_id = (select app.tenant_id()));

-- supabase/policies/tenants.sql
alter table public.tenants enable row level security;

create policy "Members can see their company"
  on public.tenants for select to authenticated
  using (id = (select app.tenant_id()));

create policy "Owners and admins can update their company"
  on public.tenants for update to authenticated
  using (id = (select app.tenant_id()) and (select app.is_manager()))
  with check (id = (select app.tenant_id()));

-- A signed-in homeowner (the portal) sees the company they are a customer of: its name, logo,
-- colour and how to reach it.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see their company"
  on public.tenants for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else id = (select app.portal_tenant_id())
    end
  );

-- supabase/policies/time_off.sql
alter table public.time_off enable row level security;

-- Dispatchers plan around time off; technicians see their own.
create policy "Office staff and the technician can see time off"
  on public.time_off for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or technician_id = (select auth.uid()))
  );

create policy "Managers and dispatchers can set time off"
  on public.time_off for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );

create policy "Managers and dispatchers can change time off"
  on public.time_off for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Managers and dispatchers can remove time off"
  on public.time_off for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );

-- supabase/policies/visit_assignments.sql
alter table public.visit_assignments enable row level security;

create policy "Office staff and the assigned technician can see assignments"
  on public.visit_assignments for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can assign technicians"
  on public.visit_assignments for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff can unassign technicians"
  on public.visit_assignments for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/visit_checklist_items.sql
alter table public.visit_checklist_items enable row level security;

-- Items are created by the visit trigger; staff only tick them (done_at, done_by).
create policy "Office staff and the assigned technicians can see checklists"
  on public.visit_checklist_items for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can add checklist items"
  on public.visit_checklist_items for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff and the assigned technicians can tick checklists"
  on public.visit_checklist_items for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Office staff can remove checklist items"
  on public.visit_checklist_items for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

-- supabase/policies/visit_files.sql
alter table public.visit_files enable row level security;

create policy "Office staff and the assigned technicians can see visit photos and signatures"
  on public.visit_files for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff and the assigned technicians can add visit photos and signatures"
  on public.visit_files for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and uploaded_by = (select auth.uid())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

-- Technicians remove only their own photos (never a signature), on their own visits.
create policy "Office staff and their authors can remove visit photos and signatures"
  on public.visit_files for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or (uploaded_by = (select auth.uid()) and kind = 'photo'
             and visit_id = any ((select app.technician_visit_ids())::uuid[])))
  );

-- supabase/policies/visit_links.sql
alter table public.visit_links enable row level security;

-- Office staff see which links to a visit were made; links are made only by the worker's
-- definer (app.mint_visit_links), and opened only through the token holder's definers.
create policy "Office staff can see their company's visit links"
  on public.visit_links for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_office_staff()));

-- supabase/policies/visit_notes.sql
alter table public.visit_notes enable row level security;

create policy "Office staff and the assigned technicians can see visit notes"
  on public.visit_notes for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff and the assigned technicians can add visit notes"
  on public.visit_notes for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and author_id = (select auth.uid())
    and ((select app.is_office_staff())
         or visit_id = any ((select app.technician_visit_ids())::uuid[]))
  );

-- Technicians remove only their own notes, on their own visits.
create policy "Office staff and their authors can remove visit notes"
  on public.visit_notes for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or (author_id = (select auth.uid())
             and visit_id = any ((select app.technician_visit_ids())::uuid[])))
  );

-- supabase/policies/visits.sql
alter table public.visits enable row level security;

-- Technicians see their own visits (P-02) and move them along: en route, on site, completed.
-- The status machine trigger stops them from rescheduling or reassigning.
create policy "Office staff and the assigned technicians can see visits"
  on public.visits for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_visit_ids())::uuid[]))
  );

create policy "Office staff can add visits"
  on public.visits for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_office_staff())
  );

create policy "Office staff and the assigned technicians can change visits"
  on public.visits for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or id = any ((select app.technician_visit_ids())::uuid[]))
  )
  with check (tenant_id = (select app.tenant_id()));

-- A visit under way, done or canceled is history: only an owner or an admin removes it.
create policy "Managers can remove visits, office staff those not yet under way"
  on public.visits for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_manager())
         or ((select app.is_office_staff())
             and status in ('unscheduled', 'scheduled', 'dispatched')))
  );

-- A signed-in homeowner (the portal) sees the visits of their own jobs.
-- Only a portal request reaches the row test (the case), so that staff plans never take it
-- as an index path: bench/portal_policies.py.
create policy "Homeowners can see the visits of their own jobs"
  on public.visits for select to authenticated
  using (
    case when (select auth.jwt()) ->> 'portal' is distinct from 'true' then false
    else tenant_id = (select app.portal_tenant_id())
         and job_id = any ((select app.portal_job_ids())::uuid[])
    end
  );

-- supabase/policies/working_hours.sql
alter table public.working_hours enable row level security;

-- Dispatchers plan around working hours; technicians see their own.
create policy "Office staff and the technician can see working hours"
  on public.working_hours for select to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and ((select app.is_office_staff())
         or technician_id = (select auth.uid()))
  );

create policy "Managers and dispatchers can set working hours"
  on public.working_hours for insert to authenticated
  with check (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );

create policy "Managers and dispatchers can change working hours"
  on public.working_hours for update to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  )
  with check (tenant_id = (select app.tenant_id()));

create policy "Managers and dispatchers can remove working hours"
  on public.working_hours for delete to authenticated
  using (
    tenant_id = (select app.tenant_id())
    and (select app.is_planner())
  );
