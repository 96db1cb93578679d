-- The purge of a closed company (P-11, P-13) and its deletion certificate. These tables name the
-- company in `company_id`, not `tenant_id`: they are the platform's record of the purge, not the
-- company's data, so the purge does not purge them, and only the worker (service_role) reads
-- them. The work itself is jobs/purge.py.

-- Why: the purge (service_role, for a company whose status is 'purging') passes the guards that
-- keep a company's records as they were written: the audit triggers do not log its deletions
-- row by row, and a sent invoice may be anonymised. Anyone else gets false at once.
create function app.purging(p_tenant uuid) returns boolean
language plpgsql stable set search_path = '' as $$
begin
  if current_setting('role', true) is distinct from 'service_role' then
    return false;
  end if;
  return exists (select from public.tenants t where t.id = p_tenant and t.status = 'purging');
end
$$;
revoke all on function app.purging(uuid) from public;
grant execute on function app.purging(uuid) to authenticated, service_role;

-- Why: one purge per company, claimed by one worker at a time with a lease (claimed_until, by
-- the database clock) so that a killed worker's purge is taken up again once it lapses. The
-- former owners' addresses are captured at the start (their memberships are purged) and cleared
-- once the certificate's email is queued.
create table app.purges (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.tenants (id),
  status text not null default 'running' check (status in ('running', 'done')),
  company_name text not null,
  closed_at timestamptz not null,
  scheduled_for timestamptz not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  claimed_by uuid,
  claimed_until timestamptz,
  recipients text[] not null default '{}',
  files_found integer,
  files_removed integer not null default 0,
  files_done boolean not null default false,
  audit_keys_destroyed integer,
  constraint purges_one_per_company unique (company_id),
  constraint purges_done_when check ((status = 'done') = (finished_at is not null))
);
alter table app.purges enable row level security;
create index purges_running_idx on app.purges (claimed_until) where status = 'running';
grant select, insert, update on app.purges to service_role;

-- Why: the purge's plan, one step per company table in dependency order (children before
-- parents), with the company's rows counted when the purge began (rows_found: the company is
-- read-only by then), and its progress: each batch adds its count in the transaction that
-- deletes or anonymises its rows, so a crash loses nothing. `after_id` is where anonymising goes
-- on (rows are taken in id order). A step is done when none of the company's rows is left.
create table app.purge_steps (
  purge_id uuid not null references app.purges (id),
  position integer not null,
  table_name text not null,
  on_purge text not null check (on_purge in ('delete', 'anonymise', 'keep')),
  rows_found bigint not null,
  rows_deleted bigint not null default 0,
  rows_anonymised bigint not null default 0,
  rows_kept bigint not null default 0,
  after_id uuid,
  done boolean not null default false,
  primary key (purge_id, position),
  constraint purge_steps_one_per_table unique (purge_id, table_name)
);
alter table app.purge_steps enable row level security;
grant select, insert, update on app.purge_steps to service_role;

-- Why: the deletion certificate (P-13): the canonical JSON document exactly as digested and
-- signed with the platform's key, kept after the company's data is gone, and readable by the
-- former owners through a link whose token only they received (its SHA-256 is kept here).
create table app.deletion_certificates (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.tenants (id),
  purge_id uuid not null references app.purges (id),
  company_name text not null,
  document text not null,
  digest text not null constraint deletion_certificates_digest_format
    check (digest ~ '^[0-9a-f]{64}$'),
  signature bytea not null,
  key_id text not null,
  issued_at timestamptz not null,
  link_token_hash bytea,
  constraint deletion_certificates_one_per_company unique (company_id),
  constraint deletion_certificates_one_per_purge unique (purge_id),
  constraint deletion_certificates_link_once unique (link_token_hash)
);
alter table app.deletion_certificates enable row level security;
grant select, insert on app.deletion_certificates to service_role;

-- Why: the certificate's link is minted in the database, which keeps only its hash; the worker
-- gets the token once, to put in the former owners' email. A certificate has one link.
create function app.new_certificate_link(p_certificate uuid) returns text
language plpgsql security definer set search_path = '' as $$
declare
  v_token text;
  v_hash bytea;
begin
  select t.token, t.token_hash into v_token, v_hash from iam.new_token() t;
  update app.deletion_certificates c set link_token_hash = v_hash
   where c.id = p_certificate and c.link_token_hash is null;
  if not found then
    return null;
  end if;
  return v_token;
end
$$;
revoke all on function app.new_certificate_link(uuid) from public;
grant execute on function app.new_certificate_link(uuid) to service_role;

-- Why: the former owners read their certificate with no account, by its link's token (hashed
-- here, never taken as a hash): that one certificate, or nothing.
create function app.certificate_by_link(p_token text) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'id', c.id, 'company_name', c.company_name, 'document', c.document, 'digest', c.digest,
    'signature', translate(encode(c.signature, 'base64'), E'\n', ''), 'key_id', c.key_id, 'issued_at', c.issued_at)
  from app.deletion_certificates c
  where c.link_token_hash = iam.token_hash(p_token)
$$;
revoke all on function app.certificate_by_link(text) from public;
grant execute on function app.certificate_by_link(text) to plenum_signin;

-- Why: a refund is a financial record kept 7 years; the payment attempt it came from is
-- business data the purge deletes, which must leave the refund in place (formerly it cascaded).
alter table public.refunds alter column attempt_id drop not null;
alter table public.refunds drop constraint refunds_tenant_id_attempt_id_fkey;
alter table public.refunds add constraint refunds_tenant_id_attempt_id_fkey
  foreign key (tenant_id, attempt_id) references public.payment_attempts (tenant_id, id)
  on delete set null (attempt_id);

-- Why: a purged company's audit log is kept to its own period (P-12), but every personal value
-- in it becomes unreadable: each of its data subjects' keys is destroyed (crypto-shredding, as
-- app.erase_customer does for one customer). Only for a company being purged; how many keys.
create function audit.shred_company_keys(p_company uuid) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  v_count integer;
begin
  if not exists (select from public.tenants t where t.id = p_company and t.status = 'purging') then
    raise exception 'only a company being purged has its audit keys destroyed'
      using errcode = 'insufficient_privilege';
  end if;
  update audit.subject_keys k set key = null, erased_at = now()
   where k.tenant_id = p_company and k.key is not null;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke all on function audit.shred_company_keys(uuid) from public;
grant execute on function audit.shred_company_keys(uuid) to service_role;

-- Why: the purge (service_role) deletes every company table's rows, claimed with `for update
-- skip locked` (which needs update); these tables were not yet the worker's to delete from.
-- (The public ones are already granted to service_role.)
grant select, update, delete on app.document_numbers, app.message_senders,
  app.technician_visits, iam.portal_sessions, outbox.messages to service_role;

-- Why: the certificate says how many rows of the audit log are kept; the worker may count them
-- (table by table, for a company being purged) without reading them.
create function audit.kept_rows(p_company uuid) returns table (table_name text, kept bigint)
language plpgsql stable security definer set search_path = '' as $$
declare
  v_table text;
begin
  if not exists (select from public.tenants t where t.id = p_company and t.status = 'purging') then
    raise exception 'only a company being purged has its audit log counted'
      using errcode = 'insufficient_privilege';
  end if;
  for v_table in
    select format('%I.%I', n.nspname, c.relname) from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'audit' and c.relkind in ('r', 'p')
      and exists (select from pg_attribute a where a.attrelid = c.oid
                  and a.attname = 'tenant_id' and not a.attisdropped)
    order by 1
  loop
    table_name := v_table;
    execute format('select count(*) from %s where tenant_id = $1', v_table)
      into kept using p_company;
    return next;
  end loop;
end
$$;
revoke all on function audit.kept_rows(uuid) from public;
grant execute on function audit.kept_rows(uuid) to service_role;

-- Why: the purge anonymises exactly the columns the audit log treats as personal.
grant usage on schema audit to service_role;
grant select on audit.personal_columns to service_role;
