-- Sign-in before anyone is signed in: a role of its own, attempts counted on the server, and
-- the half-signed-in state (password done, second factor owed) kept on the server too.

-- Why: the steps before sign-in (check a password, then a second factor) are granted to this
-- role only, never to `anon`: on a hosted project `anon` is whoever holds the public API key,
-- while this role is held only by the app's login role. It owns nothing and reads no table.
do $$
begin
  if not exists (select from pg_roles where rolname = 'plenum_signin') then
    create role plenum_signin nologin noinherit;
  end if;
end
$$;
-- Held by the web's login role only (20261204090000_login_roles.sql), not by Supabase's own
-- `authenticator`.
grant plenum_signin to plenum_web;
grant usage on schema iam to plenum_signin;

-- Why: every password, code and re-confirmation attempt is recorded before it is checked, and
-- counted in the same locked step, so parallel guesses cannot all slip under the limit. A row
-- is removed when its check succeeds; the rest count for 15 minutes and are swept after a day.
create table iam.sign_in_attempts (
  id uuid primary key default gen_random_uuid(),
  kind text not null constraint sign_in_attempts_kind_check
    check (kind in ('password', 'code', 'confirm')),
  -- The email typed in for a password (known account or not), else the account's id.
  subject text not null,
  account_id uuid references iam.accounts (id) on delete cascade,
  address text not null default '',
  -- The sign-in challenge a second-factor attempt belongs to.
  challenge_id bytea,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
alter table iam.sign_in_attempts enable row level security;
revoke all on iam.sign_in_attempts from public, anon, authenticated, plenum_signin;
-- Why: the limits count per subject and per client address within a window.
create index sign_in_attempts_subject_idx on iam.sign_in_attempts (kind, subject, created_at);
create index sign_in_attempts_address_idx on iam.sign_in_attempts (kind, address, created_at);
-- Why: lifting an account's pause, and deleting an account, find its attempts.
create index sign_in_attempts_account_idx on iam.sign_in_attempts (account_id);
-- Why: old attempts are swept a few at a time by the attempts that follow.
create index sign_in_attempts_created_idx on iam.sign_in_attempts (created_at);

-- Why: between the password and the second factor the browser holds only a random secret;
-- this row (named by the secret's hash) says which account it is for, until when, and whether
-- it was used. The request itself carries no identity the database accepts.
create table iam.sign_in_challenges (
  id bytea primary key,  -- SHA-256 of the secret in the cookie; the secret itself is not kept
  account_id uuid not null references iam.accounts (id) on delete cascade,
  -- A password reset in between (the version moves on) closes the challenge.
  session_version integer not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  finished_at timestamptz
);
alter table iam.sign_in_challenges enable row level security;
revoke all on iam.sign_in_challenges from public, anon, authenticated, plenum_signin;
-- Why: an account's old challenges are removed when it opens a new one.
create index sign_in_challenges_account_idx on iam.sign_in_challenges (account_id);

-- Why: an unknown email gets the salt of a made-up hash, derived from this secret so that it is
-- the same on every try but cannot be computed outside: the answer to "what salt?" must not
-- tell whether an account exists. Random bytes from two random UUIDs (no pgcrypto needed).
create table iam.sign_in_pepper (
  only_row boolean primary key default true constraint sign_in_pepper_one_row check (only_row),
  pepper bytea not null
);
alter table iam.sign_in_pepper enable row level security;
revoke all on iam.sign_in_pepper from public, anon, authenticated, plenum_signin;
insert into iam.sign_in_pepper (pepper)
values (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
