-- Encryption keys rotate: `flask crypto rotate` asks, the worker's `crypto_rotation` job
-- re-encrypts every registered secret (app/crypto.py ENCRYPTED_COLUMNS) with the primary key.

-- Why: a rotation is asked for by an operator and carried out by the worker in batches; this row
-- is the request, its target key and its progress, so `flask crypto status` can show how far
-- it got and a crashed worker simply picks it up again. Only the service role (the worker)
-- and the owner (the flask command) touch it.
create table app.key_rotations (
  id bigint generated always as identity primary key,
  key_id text not null constraint key_rotations_key_id_format
    check (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  requested_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  rotated bigint not null default 0,
  unreadable bigint not null default 0
);
alter table app.key_rotations enable row level security;
revoke all on app.key_rotations from public, anon, authenticated, service_role;
grant select, update (started_at, finished_at, rotated, unreadable) on app.key_rotations
  to service_role;

-- Why: at most one rotation is open at a time; asking again while one runs changes nothing.
create unique index key_rotations_one_open on app.key_rotations ((true))
  where finished_at is null;

-- Why: the TOTP secrets of every account are re-encrypted by the worker (service role), which
-- may read and rewrite that one column and nothing else of the accounts.
grant select (id, totp_secret), update (totp_secret) on iam.accounts to service_role;
