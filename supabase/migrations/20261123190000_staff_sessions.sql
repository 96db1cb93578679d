-- Staff sessions kept on the server. The session cookie is signed, but a signature cannot be
-- taken back: without this table a cookie copied before sign-out kept working. Now the cookie
-- carries a random secret whose hash must name an open row here.

-- Why: one row per signed-in browser; sign-out closes it, "sign out everywhere else" closes the rest.
create table iam.sessions (
  id bytea primary key,  -- SHA-256 of the secret in the cookie; the secret itself is not kept
  account_id uuid not null references iam.accounts (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz,
  user_agent text not null default '' constraint sessions_user_agent_length
    check (length(user_agent) <= 300)
);
-- Why: an account's open sessions are listed and closed together.
create index sessions_account_idx on iam.sessions (account_id, created_at desc);
revoke all on iam.sessions from anon, authenticated;
grant select, insert, update (ended_at) on iam.sessions to authenticated;
