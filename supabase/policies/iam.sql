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
