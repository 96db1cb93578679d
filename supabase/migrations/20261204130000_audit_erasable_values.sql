-- Erasable personal values in the audit log (PROMISES.md P-07, P-08 and P-10 together).
--
-- The log keeps every change for two years and can be neither edited nor shortened, yet a
-- homeowner may ask to be erased. So a homeowner's personal values never enter the log in clear:
-- the trigger writes each personal column of a row as {"subject": <customer id>, "erasable":
-- <base64 of iv || AES-256-CBC ciphertext>} under a key of its own for that customer (the data
-- subject), kept in audit.subject_keys. Erasing the customer destroys the key (crypto-shredding):
-- every value of theirs, in every entry, becomes unreadable, while the entries themselves, and
-- the hash chain that digests them as stored, stay whole. Everything else stays in clear.
-- Bulk personal text that belongs to no one subject (an uploaded CSV, an import's report) is
-- recorded as its SHA-256 (the '@audit-digest' comment), never copied into the log.

-- AES and random bytes come from pgcrypto (20261204110000_link_tokens_minted_in_database.sql).

-- Why: the tables that hold a homeowner's personal data, and how a row leads to the homeowner:
-- `subject_column` holds the customer's id, or, with a `parent_table`, the id of a parent row
-- whose homeowner this is (a visit's job, a visit note's visit).
create table audit.personal_tables (
  table_name text primary key,
  subject_column text not null,
  parent_table text references audit.personal_tables (table_name)
);
alter table audit.personal_tables enable row level security;
revoke all on audit.personal_tables from anon, authenticated, service_role;

-- Why: the columns of those tables that are recorded encrypted (names, emails, phones, addresses,
-- free text that may name the person). `flask db up` re-attaches a table's trigger when its
-- list changes.
create table audit.personal_columns (
  table_name text not null references audit.personal_tables (table_name),
  column_name text not null,
  primary key (table_name, column_name)
);
alter table audit.personal_columns enable row level security;
revoke all on audit.personal_columns from anon, authenticated, service_role;

insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.customers', 'id', null),
  ('public.customer_contacts', 'customer_id', null),
  ('public.customer_notes', 'customer_id', null),
  ('public.properties', 'customer_id', null),
  ('public.service_agreements', 'customer_id', null),
  ('public.jobs', 'customer_id', null),
  ('public.equipment', 'property_id', 'public.properties'),
  ('public.visits', 'job_id', 'public.jobs'),
  ('public.visit_notes', 'visit_id', 'public.visits'),
  ('public.equipment_service_records', 'visit_id', 'public.visits');

insert into audit.personal_columns (table_name, column_name)
select t, unnest(c) from (values
  ('public.customers', array['first_name', 'last_name', 'company_name', 'email', 'phone',
                             'notes', 'display_name', 'search_text', 'tags', 'lead_source',
                             'marketing_consent_source']),
  ('public.customer_contacts', array['full_name', 'email', 'phone', 'title']),
  ('public.customer_notes', array['body']),
  ('public.properties', array['label', 'street', 'unit', 'city', 'region', 'postal_code',
                              'notes', 'access_notes_encrypted', 'latitude', 'longitude',
                              'search_text']),
  ('public.service_agreements', array['name', 'notes']),
  ('public.jobs', array['summary', 'description']),
  ('public.equipment', array['serial', 'notes']),
  ('public.visits', array['cancel_reason', 'completion_notes', 'signed_by']),
  ('public.visit_notes', array['body']),
  ('public.equipment_service_records', array['job_summary', 'completion_notes'])
) as registry(t, c);

-- Why: an import's file and its report name many people at once: recorded as digests.
comment on column public.customer_imports.source_text is '@audit-digest';
comment on column public.customer_imports.problems is '@audit-digest';
comment on column public.customer_imports.headers is '@audit-digest';

-- Why: one key per homeowner of a company. Erasure sets the key to null and keeps the row, so a
-- later write for the same id can never start a readable history again. No role the app or the
-- worker uses can read it; the audit functions below are the only way in.
create table audit.subject_keys (
  tenant_id uuid not null,
  subject_id uuid not null,
  key bytea,
  created_at timestamptz not null default now(),
  erased_at timestamptz,
  primary key (tenant_id, subject_id),
  constraint subject_keys_erased_has_no_key check ((key is null) = (erased_at is not null))
);
alter table audit.subject_keys enable row level security;
revoke all on audit.subject_keys from anon, authenticated, service_role;

-- Why: an erasure is recorded by an entry of its own, which holds no personal value.
alter table audit.changes drop constraint changes_operation_check;
alter table audit.changes add constraint changes_operation_check
  check (operation in ('insert', 'update', 'delete', 'access', 'erasure'));

-- Why: the homeowner an earlier entry of a row recorded (when the row, or its parent, is already
-- gone: a cascade deletes children before their parent is logged).
create function audit.logged_subject(p_tenant uuid, p_table text, p_row_key text) returns uuid
language plpgsql set search_path = ''
as $$
begin
  return (
    select (jsonb_path_query_first(coalesce(c.new_values, c.old_values),
                                   '$.*.subject ? (@ != null)') #>> '{}')::uuid
    from audit.changes c
    where c.tenant_id = p_tenant and c.table_name = p_table and c.row_key = p_row_key
      and jsonb_path_exists(coalesce(c.new_values, c.old_values), '$.*.subject ? (@ != null)')
    order by c.id desc
    limit 1);
end
$$;

-- Why: the homeowner a row's personal values belong to: the row names them, or its parent row
-- (read live, else from the log) leads to them, else the row's own earlier entries say.
create function audit.subject_of(
  p_tenant uuid, p_table text, p_row jsonb, p_row_key text, p_column text, p_parent text
) returns uuid
language plpgsql set search_path = ''
as $$
declare
  v_parent_id text := p_row ->> p_column;
  v_parent jsonb;
  v_entry audit.personal_tables;
  v_subject uuid;
begin
  if p_parent is null or v_parent_id is null then
    return v_parent_id::uuid;
  end if;
  execute format('select to_jsonb(p) from %s p where p.tenant_id = $1 and p.id = $2',
                 p_parent::regclass)
    into v_parent using p_tenant, v_parent_id::uuid;
  if v_parent is not null then
    select * into v_entry from audit.personal_tables t where t.table_name = p_parent;
    v_subject := audit.subject_of(p_tenant, p_parent, v_parent, v_parent_id,
                                  v_entry.subject_column, v_entry.parent_table);
  end if;
  return coalesce(v_subject, audit.logged_subject(p_tenant, p_parent, v_parent_id),
                  audit.logged_subject(p_tenant, p_table, p_row_key));
end
$$;

-- Why: a homeowner's key, made at their first recorded value; null once they are erased.
create function audit.subject_key(p_tenant uuid, p_subject uuid) returns bytea
language plpgsql set search_path = ''
as $$
declare
  v_key bytea;
begin
  select k.key into v_key from audit.subject_keys k
   where k.tenant_id = p_tenant and k.subject_id = p_subject;
  if found then
    return v_key;
  end if;
  insert into audit.subject_keys (tenant_id, subject_id, key)
  values (p_tenant, p_subject, extensions.gen_random_bytes(32))
  on conflict do nothing
  returning key into v_key;
  if v_key is null then  -- another transaction made it first
    select k.key into v_key from audit.subject_keys k
     where k.tenant_id = p_tenant and k.subject_id = p_subject;
  end if;
  return v_key;
end
$$;

-- Why: a row's values with its personal columns sealed, each with a fresh IV, the jsonb text
-- encrypted so that numbers and arrays round-trip. Without a key (erased) or a subject (none can
-- be found) a personal value is not recorded at all. (A loop of simple expressions: measured
-- faster than one statement over jsonb_each.)
create function audit.seal_values(
  p_values jsonb, p_columns text[], p_subject uuid, p_key bytea
) returns jsonb
language plpgsql volatile set search_path = ''
as $$
declare
  v_values jsonb := p_values;
  v_column text;
  v_iv bytea;
  v_sealed jsonb;
begin
  foreach v_column in array p_columns loop
    continue when coalesce(v_values -> v_column, 'null'::jsonb) = 'null'::jsonb;
    if p_subject is null then
      v_sealed := '{"erased": true}';
    elsif p_key is null then
      v_sealed := jsonb_build_object('subject', p_subject, 'erased', true);
    else
      v_iv := extensions.gen_random_bytes(16);
      v_sealed := jsonb_build_object('subject', p_subject, 'erasable', translate(encode(
        v_iv || extensions.encrypt_iv(convert_to((v_values -> v_column)::text, 'UTF8'), p_key,
                                      v_iv, 'aes-cbc/pad:pkcs'), 'base64'), E'\n', ''));
    end if;
    v_values := jsonb_set(v_values, array[v_column], v_sealed);
  end loop;
  return v_values;
end
$$;
