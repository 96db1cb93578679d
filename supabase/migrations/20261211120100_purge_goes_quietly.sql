-- The purge (P-13) goes quietly through its company's rows: not a million audit entries for
-- rows that are being deleted (the purge records itself once, jobs/purge.py), and its
-- anonymising of the financial records it keeps is not refused as an edit of a sent invoice.
-- Each function is its previous definition with one early exit on app.purging(company), which
-- is true only as service_role for a company whose status is 'purging'.

-- Why: see audit.record_change in 20261204130000_audit_erasable_values.sql; a purge's deletions
-- are not logged row by row.
create or replace function audit.record_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_tenant uuid;
  v_key text;
  v_table text := tg_table_schema || '.' || tg_table_name;
  v_digest_at integer := array_position(tg_argv, '--digest');
  v_personal_at integer := array_position(tg_argv, '--personal');
  v_digested text[];
  v_personal text[];
  v_subject uuid;
  v_secret bytea;
begin
  if tg_op <> 'INSERT' then v_old := to_jsonb(old); end if;
  if tg_op <> 'DELETE' then v_new := to_jsonb(new); end if;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> tg_argv[0])::uuid;
  if v_tenant is null then
    return null;  -- platform rows (e.g. an account's own email) belong to no company
  end if;
  if app.purging(v_tenant) then
    return null;  -- the purge records itself once (jobs/purge.py), not row by row
  end if;
  -- tg_argv counts from 0: the key columns run from 1 to the first section.
  select string_agg(v_row ->> k, ',' order by ord) into v_key
  from unnest(tg_argv[1:coalesce(v_digest_at, v_personal_at, tg_nargs) - 1])
       with ordinality as keys(k, ord);
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, n.value), jsonb_object_agg(n.key, v_old -> n.key)
      into v_new, v_old
    from jsonb_each(v_new) n
    where v_old -> n.key is distinct from n.value;
    if v_new is null then
      return null;  -- nothing changed
    end if;
  end if;
  if v_digest_at is not null then
    v_digested := tg_argv[v_digest_at + 1:coalesce(v_personal_at, tg_nargs) - 1];
    v_old := audit.digest_values(v_old, v_digested);
    v_new := audit.digest_values(v_new, v_digested);
  end if;
  v_personal := tg_argv[v_personal_at + 3:tg_nargs - 1];
  if v_personal_at is not null
     and (coalesce(v_new ?| v_personal, false) or coalesce(v_old ?| v_personal, false)) then
    if tg_argv[v_personal_at + 2] = '' then  -- the row names its customer
      v_subject := (v_row ->> tg_argv[v_personal_at + 1])::uuid;
    else
      v_subject := audit.subject_of(v_tenant, v_table, v_row, v_key, tg_argv[v_personal_at + 1],
                                    tg_argv[v_personal_at + 2]);
    end if;
    if v_subject is not null then
      v_secret := audit.subject_key(v_tenant, v_subject);
    end if;
    v_old := audit.seal_values(v_old, v_personal, v_subject, v_secret);
    v_new := audit.seal_values(v_new, v_personal, v_subject, v_secret);
  end if;
  perform audit.append(v_tenant, v_table, v_key, lower(tg_op), v_old, v_new);
  return null;
end
$$;

-- Why: see audit.record_inserts; a purge inserts nothing into its company's tables, but a
-- service_role job's rows for a company being purged are not logged either.
create or replace function audit.record_inserts() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_table text := tg_table_schema || '.' || tg_table_name;
  v_digest_at integer := array_position(tg_argv, '--digest');
  v_personal_at integer := array_position(tg_argv, '--personal');
  v_keys text[] := tg_argv[1:coalesce(v_digest_at, v_personal_at, tg_nargs) - 1];
  v_digested text[];
  v_personal text[];
  v_subject_col text;
  v_parent text;
  v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
  v_key text := case when cardinality(v_keys) = 1 then v_keys[1] end;
  v_entry record;
  v_tenant uuid;
  v_name text;
  v_running bytea;
begin
  if v_digest_at is not null then
    v_digested := tg_argv[v_digest_at + 1:coalesce(v_personal_at, tg_nargs) - 1];
  end if;
  if v_personal_at is not null then
    v_subject_col := tg_argv[v_personal_at + 1];
    v_parent := tg_argv[v_personal_at + 2];
    v_personal := nullif(tg_argv[v_personal_at + 3:tg_nargs - 1], '{}');
  end if;
  for v_entry in
    insert into audit.changes (
      tenant_id, txid, table_name, row_key, operation, old_values, new_values,
      actor_id, actor_label, request_id, client_addr, opens_link
    )
    select e.tenant, pg_current_xact_id(), v_table, e.row_key, 'insert', null,
           case when v_personal is null then e.r
                else audit.seal_values(e.r, v_personal, e.subject,
                                       case when e.subject is not null
                                            then audit.subject_key(e.tenant, e.subject) end)
           end,
           nullif(v_claims ->> 'sub', '')::uuid,
           coalesce(v_claims ->> 'actor', v_claims ->> 'role', session_user),
           nullif(current_setting('plenum.request_id', true), ''),
           nullif(current_setting('plenum.client_addr', true), ''),
           e.nth = 1 and coalesce(current_setting(
             'audit.digest_' || replace(e.tenant::text, '-', ''), true), '') = ''
    from (
      select i.tenant, i.row_key, i.r,
             case when v_personal is null then null
                  when v_parent = '' then (i.raw ->> v_subject_col)::uuid
                  else audit.subject_of(i.tenant, v_table, i.raw, i.row_key, v_subject_col,
                                        v_parent)
             end as subject,
             row_number() over (partition by i.tenant) as nth
      from (
        select s.raw, (s.raw ->> tg_argv[0])::uuid as tenant,
               case when v_digested is null then s.raw
                    else audit.digest_values(s.raw, v_digested) end as r,
               case when v_key is not null then s.raw ->> v_key
                    else (select string_agg(s.raw ->> k.k, ',' order by k.o)
                          from unnest(v_keys) with ordinality as k(k, o)) end as row_key
        from (select to_jsonb(n) as raw from new_rows n) s
      ) i
      where i.tenant is not null  -- platform rows (e.g. an account's own email): no company
        and not app.purging(i.tenant)  -- the purge records itself once, not row by row
    ) e
    -- One company after another; ids are given in this order and RETURNING keeps it.
    order by e.tenant
    returning tenant_id, id,
      -- audit.row_digest's expression, written out (a call per row costs more than the rest).
      sha256(convert_to(jsonb_build_array(
        id, tenant_id, txid::text, table_name, row_key, operation, old_values, new_values,
        actor_id, actor_label, request_id, client_addr, extract(epoch from changed_at)
      )::text, 'UTF8')) as digest
  loop
    if v_tenant is distinct from v_entry.tenant_id then
      if v_tenant is not null then
        perform set_config(v_name, encode(v_running, 'hex'), true);
      end if;
      v_tenant := v_entry.tenant_id;
      v_name := 'audit.digest_' || replace(v_tenant::text, '-', '');
      v_running := coalesce(decode(nullif(current_setting(v_name, true), ''), 'hex'),
                            decode(repeat('00', 32), 'hex'));
    end if;
    v_running := sha256(v_running || v_entry.digest);
  end loop;
  if v_tenant is not null then
    perform set_config(v_name, encode(v_running, 'hex'), true);
  end if;
  return null;
end
$$;

-- Why: a sent invoice keeps its word, except to the purge, which anonymises it (P-12: kept
-- 7 years without personal data).
create or replace function app.invoices_keep_their_word() returns trigger
language plpgsql set search_path = '' as $$
begin
  if app.purging(old.tenant_id) then
    return new;  -- the purge anonymises the invoices it keeps (jobs/purge.py)
  end if;
  if (new.number, new.currency, new.created_at) is distinct from
     (old.number, old.currency, old.created_at)
     or new.customer_id is distinct from old.customer_id and new.customer_id is not null
     or new.property_id is distinct from old.property_id and new.property_id is not null
     or new.job_id is distinct from old.job_id and new.job_id is not null
     or new.visit_id is distinct from old.visit_id and new.visit_id is not null
     or new.estimate_id is distinct from old.estimate_id and new.estimate_id is not null
  then
    raise exception 'an invoice keeps its number, currency, customer, property and job'
      using errcode = 'check_violation', constraint = 'invoices_keep_their_place';
  end if;
  if new.status is distinct from old.status and not (
    old.status = 'draft' and new.status = 'sent'
    or old.status in ('sent', 'partly_paid') and new.status in ('partly_paid', 'paid')
    or old.status in ('draft', 'sent', 'partly_paid', 'paid') and new.status = 'void'
  ) then
    raise exception 'an invoice goes from draft to sent, then paid, or void'
      using errcode = 'check_violation', constraint = 'invoices_status_order';
  end if;
  if new.status is distinct from old.status and new.status in ('partly_paid', 'paid')
     and new.status <> (case when new.paid >= new.total then 'paid'
                             when new.paid > 0 then 'partly_paid' else 'sent' end) then
    raise exception 'an invoice is paid, or partly paid, by its payments'
      using errcode = 'check_violation', constraint = 'invoices_paid_by_payments';
  end if;
  if old.status <> 'draft'
     and ((new.terms, new.issued_on, new.note, new.bill_to_name, new.bill_to_email,
           new.bill_to_address) is distinct from
          (old.terms, old.issued_on, old.note, old.bill_to_name, old.bill_to_email,
           old.bill_to_address)
          or old.sent_at is distinct from new.sent_at
          or old.status = 'void' and (new.voided_at, new.void_reason)
                                     is distinct from (old.voided_at, old.void_reason))
     and not (
       new.customer_id is null and new.bill_to_name = 'Erased customer'
       and new.bill_to_email = '' and new.bill_to_address = '' and new.note = ''
       and (new.terms, new.issued_on, new.sent_at, new.voided_at, new.void_reason)
           is not distinct from (old.terms, old.issued_on, old.sent_at, old.voided_at,
                                 old.void_reason)
     )
  then
    raise exception 'only a draft invoice changes; void a sent one'
      using errcode = 'check_violation', constraint = 'invoices_draft_only';
  end if;
  return new;
end
$$;

-- Why: a sent invoice's lines do not change, except to the purge, which anonymises them.
create or replace function app.invoice_parts_draft_only() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_invoice uuid := case tg_op when 'DELETE' then old.invoice_id else new.invoice_id end;
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_status text;
begin
  if app.purging(v_tenant) then
    return case tg_op when 'DELETE' then old else new end;  -- the purge anonymises them
  end if;
  select i.status into v_status from public.invoices i
   where i.tenant_id = v_tenant and i.id = v_invoice;
  if v_status is not null and v_status <> 'draft' then
    raise exception 'only a draft invoice changes; void a sent one'
      using errcode = 'check_violation', constraint = 'invoices_draft_only';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end
$$;

-- Why: a sent estimate's parts do not change, except to the purge, which deletes them.
create or replace function app.estimate_parts_draft_only() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_estimate uuid := case tg_op when 'DELETE' then old.estimate_id else new.estimate_id end;
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_status text;
begin
  if app.purging(v_tenant) then
    return case tg_op when 'DELETE' then old else new end;  -- the purge deletes them
  end if;
  select e.status into v_status from public.estimates e
   where e.tenant_id = v_tenant and e.id = v_estimate;
  if v_status is not null and v_status <> 'draft' then
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end
$$;

-- Why: a company keeps an active owner, until the purge deletes its members.
create or replace function app.ensure_company_keeps_an_owner() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if app.purging(old.tenant_id) then
    return null;  -- the purge deletes every member, owners too
  end if;
  perform from public.tenants t where t.id = old.tenant_id for no key update;
  if not exists (
    select from public.memberships m
    where m.tenant_id = old.tenant_id and m.role = 'owner' and m.status = 'active'
  ) then
    raise exception 'a company must keep at least one active owner'
      using errcode = 'check_violation', constraint = 'memberships_company_keeps_an_owner';
  end if;
  return null;
end
$$;

-- Why: a sent estimate keeps its photos, except from the purge, which deletes them.
create or replace function app.estimate_photos_checked() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_estimate_id uuid := case tg_op when 'DELETE' then old.estimate_id else new.estimate_id end;
  v_estimate public.estimates;
begin
  if tg_op = 'DELETE' and app.purging(v_tenant) then
    return old;  -- the purge deletes them
  end if;
  select e.* into v_estimate from public.estimates e
   where e.tenant_id = v_tenant and e.id = v_estimate_id;
  if tg_op = 'DELETE' then
    -- Gone with its draft or its company, or with the visit's photo: always.
    if v_estimate.id is null or v_estimate.status = 'draft'
       or not exists (select from public.visit_files f
                       where f.tenant_id = old.tenant_id and f.id = old.file_id) then
      return old;
    end if;
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  -- An estimate or photo that is not the company's is the composite keys' to refuse.
  if v_estimate.id is null
     or not exists (select from public.visit_files f
                     where f.tenant_id = new.tenant_id and f.id = new.file_id) then
    return new;
  end if;
  if v_estimate.status <> 'draft' then
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  if not exists (
    select from public.visit_files f
    join public.visits v on v.tenant_id = f.tenant_id and v.id = f.visit_id
    where f.tenant_id = new.tenant_id and f.id = new.file_id and f.kind = 'photo'
      and v.job_id = v_estimate.job_id
  ) then
    raise exception 'an estimate shows only photos from the visits of its job'
      using errcode = 'check_violation', constraint = 'estimate_photos_from_the_job';
  end if;
  return new;
end
$$;
