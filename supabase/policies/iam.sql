-- Staff identity: a signed-in account reaches its own rows only. Everything before sign-in goes
-- through the narrow functions of the identity migration.
alter table iam.accounts enable row level security;
alter table iam.recovery_codes enable row level security;
alter table iam.password_resets enable row level security;
alter table iam.sign_in_failures enable row level security;

create policy "Accounts can see themselves"
  on iam.accounts for select to authenticated
  using (id = (select auth.uid()));

create policy "Accounts can update themselves"
  on iam.accounts for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "Accounts can see their recovery codes"
  on iam.recovery_codes for select to authenticated
  using (account_id = (select auth.uid()));

create policy "Accounts can create their recovery codes"
  on iam.recovery_codes for insert to authenticated
  with check (account_id = (select auth.uid()));

create policy "Accounts can use their recovery codes"
  on iam.recovery_codes for update to authenticated
  using (account_id = (select auth.uid()))
  with check (account_id = (select auth.uid()));

create policy "Accounts can replace their recovery codes"
  on iam.recovery_codes for delete to authenticated
  using (account_id = (select auth.uid()));

alter table iam.sessions enable row level security;

create policy "Accounts can see their sessions"
  on iam.sessions for select to authenticated
  using (account_id = (select auth.uid()));

create policy "Accounts can open their sessions"
  on iam.sessions for insert to authenticated
  with check (account_id = (select auth.uid()));

create policy "Accounts can end their sessions"
  on iam.sessions for update to authenticated
  using (account_id = (select auth.uid()))
  with check (account_id = (select auth.uid()));

-- Settings, pending sign-ups, unlock links and link requests are reached only through the
-- identity functions: row-level security on, no policy.
alter table iam.settings enable row level security;
alter table iam.sign_ups enable row level security;
alter table iam.sign_in_unlocks enable row level security;
alter table iam.link_requests enable row level security;
