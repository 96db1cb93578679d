-- Emailed links (password reset, sign-in unlock, email verification, invitations) are minted
-- here: the database makes the token, keeps only its SHA-256, renders a known message and
-- queues it itself. Callers get nothing they could replay, and the steps before sign-in are
-- executable only by `plenum_signin`, a role that only the web's login role holds.

-- Why: pgcrypto's random bytes for tokens (Supabase installs it in `extensions` already).
create extension if not exists pgcrypto with schema extensions;

-- Steps taken before anyone is signed in are not for `anon` (which any holder of the project's
-- anon key becomes): they are for `plenum_signin` (20261204100000_sign_in_role_and_attempts.sql),
-- which only the web's login role holds.

-- Why: emailed links need the public address; it is configuration, written by `flask db up`
-- from PUBLIC_URL, and read only by the functions that render messages.
create table iam.settings (
  singleton boolean primary key default true constraint settings_one_row check (singleton),
  public_url text not null constraint settings_public_url_format
    check (public_url ~ '^https?://[^[:space:]/?#]+(/[^[:space:]?#]*)?$' and public_url !~ '/$')
);
alter table iam.settings enable row level security;
revoke all on iam.settings from anon, authenticated;
insert into iam.settings (public_url) values ('http://127.0.0.1:5000');

-- Why: requests for emailed links (and sign-ups) are limited per client address and per email;
-- each request is one row, counted under a per-subject lock so parallel requests cannot pass.
create table iam.link_requests (
  id bigint generated always as identity primary key,
  subject text not null,
  requested_at timestamptz not null default now()
);
create index link_requests_subject_idx on iam.link_requests (subject, requested_at);
alter table iam.link_requests enable row level security;
revoke all on iam.link_requests from anon, authenticated;

-- Why: one source of tokens: 256 random bits, URL-safe, and the hash that is stored.
create function iam.new_token(out token text, out token_hash bytea)
language sql volatile set search_path = ''
as $$
  select t.token, sha256(convert_to(t.token, 'UTF8'))
  from (select translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/=', '-_') as token) t
$$;

create function iam.public_url() returns text
language sql stable set search_path = ''
as $$
  select s.public_url from iam.settings s
$$;

-- Why: the client address the app names for the request (the audit log records the same one).
create function iam.client_address() returns text
language sql stable set search_path = ''
as $$
  select coalesce(nullif(current_setting('plenum.client_addr', true), ''), 'unknown')
$$;

-- Why: check and record in one step per subject; refusals carry SQLSTATE PT429.
create function iam.check_limit(p_subject text, p_window interval, p_limit integer)
returns void
language plpgsql volatile set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('iam.check_limit ' || p_subject, 0));
  if (select count(*) from iam.link_requests r
       where r.subject = p_subject and r.requested_at > now() - p_window) >= p_limit then
    raise exception 'too many requests (%)', split_part(p_subject, ':', 1)
      using errcode = 'PT429';
  end if;
  delete from iam.link_requests r
   where r.subject = p_subject and r.requested_at < now() - interval '1 day';
  insert into iam.link_requests (subject) values (p_subject);
end
$$;

-- Why: account mail says only what these templates say; callers choose none of the text.
create function iam.render_email(p_kind text, p_vars jsonb, out subject text, out body text)
language plpgsql immutable set search_path = ''
as $$
declare
  v_link text := p_vars ->> 'link';
  v_name text := regexp_replace(coalesce(p_vars ->> 'full_name', ''), '[[:cntrl:]]+', ' ', 'g');
  v_company text := regexp_replace(coalesce(p_vars ->> 'company_name', ''), '[[:cntrl:]]+', ' ', 'g');
  v_inviter text := regexp_replace(coalesce(p_vars ->> 'invited_by', ''), '[[:cntrl:]]+', ' ', 'g');
begin
  case p_kind
  when 'password_reset' then
    subject := 'Reset your Plenum password';
    body := format(E'Hello %s,\n\nSomeone (hopefully you) asked to reset the password of your'
      ' Plenum account.\nChoose a new password here; the link works once, for 60 minutes:\n\n%s\n\n'
      'If you did not ask for this, ignore this email: your password stays as it is.\n',
      v_name, v_link);
  when 'sign_in_unlock' then
    subject := 'Sign in to Plenum again';
    body := format(E'Hello %s,\n\nSigning in to your Plenum account was paused after several wrong'
      ' passwords.\nIf that was you, this link lifts the pause at once; it works once, for 60'
      ' minutes:\n\n%s\n\nIf it was not you, someone may be guessing your password: ignore this'
      ' email (the pause ends by itself after 15 minutes) and consider choosing a new password.\n',
      v_name, v_link);
  when 'email_verification' then
    subject := 'Confirm your email to start using Plenum';
    body := format(E'Hello,\n\nConfirm this address to finish creating your company''s account on'
      ' Plenum.\nThe link works once, for 24 hours:\n\n%s\n\nIf you did not sign up, ignore this'
      ' email: nothing is created without it.\n', v_link);
  when 'sign_up_attempt' then
    subject := 'Someone tried to sign up with your email';
    body := format(E'Hello,\n\nSomeone (hopefully you) tried to create a Plenum account with this'
      ' address, which already has one. No new account was created.\n\nSign in: %s\n'
      'Forgot your password? %s\n\nIf it was not you, you can ignore this email.\n',
      p_vars ->> 'sign_in_link', p_vars ->> 'reset_link');
  when 'invitation' then
    subject := format('%s invited you to %s on Plenum', v_inviter, v_company);
    body := format(E'Hello,\n\n%s invited you to join %s on Plenum as %s.\nAccept the invitation'
      ' here; the link works for 7 days:\n\n%s\n\nIf you were not expecting this, you can ignore'
      ' this email.\n', v_inviter, v_company, initcap(p_vars ->> 'role'), v_link);
  else
    raise exception 'unknown email kind %', p_kind;
  end case;
end
$$;

-- Why: the only way an account message (no company) enters the outbox; called by definers.
create function iam.queue_email(p_tenant uuid, p_kind text, p_to text, p_vars jsonb)
returns void
language sql volatile set search_path = ''
as $$
  insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
  select p_tenant, 'email', p_kind, p_to, r.subject, r.body
  from iam.render_email(p_kind, p_vars) r
$$;

-- Why: nobody but the definers below calls these helpers.
revoke execute on function
  iam.new_token(), iam.public_url(), iam.client_address(),
  iam.check_limit(text, interval, integer), iam.render_email(text, jsonb),
  iam.queue_email(uuid, text, text, jsonb)
  from public;

-- Why: no member writes the outbox by hand: a message is queued only by code that renders a
-- known template (these definers for account mail, iam.invite for invitations), so no session
-- can send text of its choosing from Plenum's address to anyone (an open relay otherwise).
revoke insert on outbox.messages from anon, authenticated;
-- Why: the worker queues each company's daily audit receipt, as service_role in the company's
-- name (the audit log records it with the job's actor).
grant insert on outbox.messages to service_role;
