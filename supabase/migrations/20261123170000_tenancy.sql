-- Tenancy: companies, staff accounts, memberships and invitations.

-- Why: policy helpers live outside the schemas the Data API exposes.
create schema app;
grant usage on schema app to anon, authenticated, service_role;

-- Why: staff identity (password hashes, second factors) must never be reachable from the Data API.
create schema iam;
grant usage on schema iam to anon, authenticated, service_role;

-- Why: messages waiting to be sent (or, by default, kept for development) are private too.
create schema outbox;
grant usage on schema outbox to anon, authenticated, service_role;

-- Why: a new function is executable by everyone unless revoked; every grant must be explicit.
alter default privileges in schema app revoke execute on functions from public;
alter default privileges in schema iam revoke execute on functions from public;
alter default privileges in schema outbox revoke execute on functions from public;

-- Why: a company is the tenant; everything it owns carries its id.
create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null constraint tenants_name_length check (length(btrim(name)) between 1 and 200),
  time_zone text not null default 'America/New_York',
  status text not null default 'active' constraint tenants_status_check
    check (status in ('active', 'terminated')),
  terminated_at timestamptz,
  created_at timestamptz not null default now()
);
revoke all on public.tenants from anon, authenticated;
grant select, update (name, time_zone) on public.tenants to authenticated;

-- Why: staff accounts belong to the platform, not to one company; a person can work for several.
create table iam.accounts (
  id uuid primary key default gen_random_uuid(),
  email text not null constraint accounts_email_format
    check (email = lower(btrim(email)) and email like '_%@_%'),
  full_name text not null constraint accounts_full_name_length
    check (length(btrim(full_name)) between 1 and 200),
  -- Only argon2id hashes can be stored: a plain password cannot land here by mistake.
  password_hash text not null constraint accounts_password_is_argon2id
    check (password_hash like '$argon2id$%'),
  -- Bumped to end every session of the account at once (password reset or change).
  session_version integer not null default 1,
  -- TOTP secret, encrypted with the app key (AES-256-GCM); null until enrolment starts.
  totp_secret text,
  totp_enabled_at timestamptz,
  -- The last TOTP time step accepted, so that a code cannot be replayed.
  totp_last_step bigint,
  created_at timestamptz not null default now(),
  password_changed_at timestamptz not null default now(),
  constraint accounts_email_key unique (email)
);
revoke all on iam.accounts from anon, authenticated;
grant select, update (full_name, totp_secret, totp_enabled_at, totp_last_step)
  on iam.accounts to authenticated;

-- Why: one-time recovery codes for a lost second factor, stored hashed.
create table iam.recovery_codes (
  account_id uuid not null references iam.accounts (id) on delete cascade,
  code_hash bytea not null,
  used_at timestamptz,
  primary key (account_id, code_hash)
);
revoke all on iam.recovery_codes from anon, authenticated;
grant select, insert, update (used_at), delete on iam.recovery_codes to authenticated;

-- Why: password reset links are single use, expire, and only their hash is kept.
create table iam.password_resets (
  token_hash bytea primary key,
  account_id uuid not null references iam.accounts (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_resets_account_idx on iam.password_resets (account_id);
revoke all on iam.password_resets from anon, authenticated;

-- Why: failed sign-ins, counted per account and per client address to slow down guessing.
create table iam.sign_in_failures (
  id bigint generated always as identity primary key,
  subject text not null,
  failed_at timestamptz not null default now()
);
create index sign_in_failures_subject_idx on iam.sign_in_failures (subject, failed_at);
revoke all on iam.sign_in_failures from anon, authenticated;

-- Why: a member of a company with a role. Name and email are copied from the account so that a
-- company's rows never need a join to the platform's accounts (and shard with the company).
create table public.memberships (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  account_id uuid not null references iam.accounts (id) on delete cascade,
  full_name text not null,
  email text not null,
  role text not null constraint memberships_role_check
    check (role in ('owner', 'admin', 'dispatcher', 'office', 'technician')),
  status text not null default 'active' constraint memberships_status_check
    check (status in ('active', 'removed')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  removed_at timestamptz,
  primary key (tenant_id, id),
  constraint memberships_account_key unique (tenant_id, account_id)
);
-- Why: the company switcher lists an account's memberships across companies.
create index memberships_account_idx on public.memberships (account_id);
revoke all on public.memberships from anon, authenticated;
grant select, update (role, status, removed_at, updated_at) on public.memberships to authenticated;

-- Why: an invitation by email with a role; the link carries a token of which only the hash is kept.
create table public.invitations (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  email text not null constraint invitations_email_format
    check (email = lower(btrim(email)) and email like '_%@_%'),
  role text not null constraint invitations_role_check
    check (role in ('owner', 'admin', 'dispatcher', 'office', 'technician')),
  token_hash bytea not null constraint invitations_token_hash_key unique,
  invited_by uuid references iam.accounts (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id)
);
-- Why: one open invitation per address and company.
create unique index invitations_open_email_key on public.invitations (tenant_id, email)
  where accepted_at is null and revoked_at is null;
revoke all on public.invitations from anon, authenticated;
grant select, insert, update (revoked_at) on public.invitations to authenticated;

-- Why: outgoing email and texts. The embedded default keeps them here instead of sending them.
-- Account messages (password reset) belong to no company, hence the nullable tenant.
create table outbox.messages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid references public.tenants (id) on delete cascade,
  channel text not null default 'email' constraint messages_channel_check
    check (channel in ('email', 'sms')),
  kind text not null,
  to_address text not null,
  subject text not null default '',
  body_text text not null,
  body_html text,
  created_at timestamptz not null default now()
);
create index messages_tenant_created_idx on outbox.messages (tenant_id, created_at desc);
revoke all on outbox.messages from anon, authenticated;
grant insert on outbox.messages to anon, authenticated;
grant select on outbox.messages to authenticated;
