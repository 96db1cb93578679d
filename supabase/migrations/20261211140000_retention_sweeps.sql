-- P-12: the daily retention sweeps. Each rule of app.retention_rules with a period is swept by
-- jobs/retention.py with the cutoff app.now() - period (calendar arithmetic: a record made on 29
-- February is kept through 28 February of its last year and goes on 1 March); the functions here are how, and each one caps the cutoff it
-- is given at its own rule's, so no caller can make it delete early.

-- Why: one place turns a rule's period into its cutoff by the database clock; a sweep that names
-- a rule which is missing or has no period fails instead of deleting by a null cutoff.
create function app.retention_cutoff(p_record_kind text) returns timestamptz
language plpgsql stable set search_path = ''
as $$
declare
  v_cutoff timestamptz;
begin
  select app.now() - r.period into v_cutoff
  from app.retention_rules r
  where r.record_kind = p_record_kind and r.period is not null;
  if v_cutoff is null then
    raise exception 'no retention period for %', p_record_kind using errcode = 'no_data_found';
  end if;
  return v_cutoff;
end
$$;
revoke all on function app.retention_cutoff(text) from public;
grant execute on function app.retention_cutoff(text) to service_role;

-- Why: the plain rules (a delete by age) of tables the jobs' role may not otherwise touch (the
-- sign-in tables): the table, column and period come from the rule itself, never the caller, and
-- a batch is a few rows locked with skip locked, so two sweeps at once share the work.
create function app.sweep_by_age(p_record_kind text, p_cutoff timestamptz, p_batch integer)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_rule app.retention_rules;
  v_cutoff timestamptz := least(p_cutoff, app.retention_cutoff(p_record_kind));
  v_deleted integer;
begin
  select * into v_rule from app.retention_rules r where r.record_kind = p_record_kind;
  if v_rule.sweep_function is not null then
    raise exception 'the rule % is swept by %', p_record_kind, v_rule.sweep_function
      using errcode = 'invalid_parameter_value';
  end if;
  execute format(
    'delete from %1$s t where t.ctid = any (array(select x.ctid from %1$s x where x.%2$I < $1'
    ' limit $2 for update skip locked))',
    v_rule.table_name::regclass, v_rule.age_column)
  using v_cutoff, p_batch;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;
revoke all on function app.sweep_by_age(text, timestamptz, integer) from public;
grant execute on function app.sweep_by_age(text, timestamptz, integer) to service_role;

-- Why: texts and emails, with their delivery status, are kept three years by the database clock
-- (replacing app.delete_expired_messages); a conversation goes when it has no message left.
create function app.sweep_expired_messages(p_cutoff timestamptz, p_batch integer) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_cutoff timestamptz := least(p_cutoff, app.retention_cutoff('message logs'));
  v_deleted integer;
begin
  delete from public.messages m
   where (m.tenant_id, m.id) in (select x.tenant_id, x.id from public.messages x
                                  where x.created_at < v_cutoff
                                  limit p_batch for update skip locked);
  get diagnostics v_deleted = row_count;
  delete from public.conversations c
   where (c.tenant_id, c.id) in (
     select x.tenant_id, x.id from public.conversations x
      where x.last_message_at < v_cutoff
        and not exists (select from public.messages m
                         where m.tenant_id = x.tenant_id and m.conversation_id = x.id)
      for update skip locked);
  return v_deleted;
end
$$;
revoke all on function app.sweep_expired_messages(timestamptz, integer) from public;
grant execute on function app.sweep_expired_messages(timestamptz, integer) to service_role;

-- Why: a STOP is kept three years after the later of the STOP itself and the last text to or
-- from the number, so it outlives every message of the log that could lead back to the number;
-- while the company keeps trying to text it (each refused text is logged, blocked), it stays.
create function app.sweep_expired_opt_outs(p_cutoff timestamptz, p_batch integer) returns integer
language sql set search_path = ''
as $$
  with rule as (select least(p_cutoff, app.retention_cutoff('text opt-outs')) as cutoff),
  stale as (
    select o.tenant_id, o.id from public.sms_opt_outs o, rule
     where o.opted_out_at < rule.cutoff
       and not exists (select from public.messages m
                        where m.tenant_id = o.tenant_id and m.channel = 'sms'
                          and o.phone in (m.to_address, m.from_address)
                          and m.created_at >= rule.cutoff)
     limit p_batch for update of o skip locked),
  gone as (delete from public.sms_opt_outs o using stale
            where o.tenant_id = stale.tenant_id and o.id = stale.id returning 1)
  select count(*)::integer from gone
$$;
revoke all on function app.sweep_expired_opt_outs(timestamptz, integer) from public;
grant execute on function app.sweep_expired_opt_outs(timestamptz, integer) to service_role;

-- Why: an import's uploaded file (and the headers and problems read from it) is personal data
-- that has done its work once the import is over: blanked when it has not changed for the
-- rule's period; an import left at upload or preview that long is cancelled first. The import's
-- name, counts and dates stay in the list of imports.
create function app.sweep_finished_imports(p_cutoff timestamptz, p_batch integer) returns integer
language sql set search_path = ''
as $$
  with blanked as (
    update public.customer_imports i
       set source_text = '', headers = '[]', problems = '[]',
           status = case when i.status in ('uploaded', 'previewed') then 'cancelled'
                         else i.status end
      from (select x.tenant_id, x.id from public.customer_imports x
             where x.updated_at < least(p_cutoff, app.retention_cutoff('import files'))
               and x.status in ('uploaded', 'previewed', 'done', 'failed', 'cancelled')
               and (x.source_text <> '' or x.headers <> '[]' or x.problems <> '[]')
             limit p_batch for update skip locked) due
     where i.tenant_id = due.tenant_id and i.id = due.id
    returning 1)
  select count(*)::integer from blanked
$$;
revoke all on function app.sweep_finished_imports(timestamptz, integer) from public;
grant execute on function app.sweep_finished_imports(timestamptz, integer) to service_role;

-- Why: the outbox keeps what would have been sent; its bodies hold links, codes and personal
-- words that are of no use once read: blanked after the rule's period, the address, subject
-- and date kept. The jobs' role may not otherwise change the outbox.
create function app.sweep_outbox_bodies(p_cutoff timestamptz, p_batch integer) returns integer
language sql security definer set search_path = ''
as $$
  with blanked as (
    update outbox.messages m set body_text = '', body_html = null
     where m.id = any (array(
       select x.id from outbox.messages x
        where x.created_at < least(p_cutoff, app.retention_cutoff('outbox bodies'))
          and (x.body_text <> '' or x.body_html is not null)
        limit p_batch for update skip locked))
    returning 1)
  select count(*)::integer from blanked
$$;
revoke all on function app.sweep_outbox_bodies(timestamptz, integer) from public;
grant execute on function app.sweep_outbox_bodies(timestamptz, integer) to service_role;

-- Why: a sent invoice is never deleted (it is voided), except by the retention sweep seven years
-- on: a guard lets a delete through only inside a sweep function, which runs as the table's owner
-- with app.retention set; no app role owns the table, so setting the flag is not enough.
create function app.retention_sweeping(p_table regclass) returns boolean
language sql stable set search_path = ''
as $$
  select coalesce(current_setting('app.retention', true), '') = 'yes'
     and current_user = pg_catalog.pg_get_userbyid(c.relowner)
  from pg_catalog.pg_class c where c.oid = p_table
$$;
revoke all on function app.retention_sweeping(regclass) from public;
grant execute on function app.retention_sweeping(regclass) to service_role;

-- Why: drafts may be deleted; any other invoice only by the retention sweep.
create or replace function app.invoices_only_drafts_deleted() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if old.status = 'draft' then
    return old;
  elsif app.retention_sweeping(tg_relid) then
    return old;  -- seven years on (app.sweep_expired_invoices)
  end if;
  raise exception 'an invoice is never deleted: void it'
    using errcode = 'check_violation', constraint = 'invoices_only_drafts_deleted';
end
$$;

-- Why: financial records are kept seven years (P-12): an invoice, whatever its status, goes with
-- its lines, tax rates, links, payments, online payments and refunds once its date, its making and
-- every payment, refund and payment attempt on it are more than seven years old. Dates
-- (issued_on, received_on) count from the start of the day in UTC.
create function app.sweep_expired_invoices(p_cutoff timestamptz, p_batch integer) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_cutoff timestamptz := least(p_cutoff, app.retention_cutoff('financial records'));
  v_day date := (v_cutoff at time zone 'UTC')::date;
  v_deleted integer;
begin
  perform set_config('app.retention', 'yes', true);
  delete from public.invoices i
   where (i.tenant_id, i.id) in (
     select x.tenant_id, x.id from public.invoices x
      where x.issued_on < v_day and x.created_at < v_cutoff
        and not exists (select from public.payments p
                         where p.tenant_id = x.tenant_id and p.invoice_id = x.id
                           and (p.received_on >= v_day or p.created_at >= v_cutoff))
        and not exists (select from public.refunds r
                         where r.tenant_id = x.tenant_id and r.invoice_id = x.id
                           and r.created_at >= v_cutoff)
        and not exists (select from public.payment_attempts a
                         where a.tenant_id = x.tenant_id and a.invoice_id = x.id
                           and (a.created_at >= v_cutoff or a.paid_at >= v_cutoff))
      limit p_batch for update skip locked);
  get diagnostics v_deleted = row_count;
  perform set_config('app.retention', '', true);
  return v_deleted;
end
$$;
revoke all on function app.sweep_expired_invoices(timestamptz, integer) from public;
grant execute on function app.sweep_expired_invoices(timestamptz, integer) to service_role;

-- Why: the audit log is append-only; this is the one path past its guard (replacing
-- audit.delete_expired): whole transactions sealed before the cutoff, oldest first, a batch at a
-- time, the chain's head moved past them so what stays still verifies. A company whose head
-- another sweep holds is left to that sweep.
create function audit.sweep_expired(p_cutoff timestamptz, p_batch integer) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_cutoff timestamptz := least(p_cutoff, app.retention_cutoff('audit logs'));
  v_done integer := 0;
  v_gone integer;
  v_company uuid;
  v_last bigint;
  v_hash bytea;
begin
  perform set_config('audit.retention', 'yes', true), set_config('audit.sealing', 'yes', true);
  for v_company, v_last in
    select b.tenant_id, max(b.seq)
    from (select t.tenant_id, t.seq from audit.transactions t
          where t.sealed_at < v_cutoff order by t.tenant_id, t.seq limit p_batch) b
    group by b.tenant_id
  loop
    perform from audit.chain_heads h where h.tenant_id = v_company for update skip locked;
    continue when not found;
    select t.chain_hash into v_hash from audit.transactions t
     where t.tenant_id = v_company and t.seq = v_last;
    continue when not found;  -- another sweep took these links meanwhile
    update audit.chain_heads h set start_seq = v_last + 1, start_hash = v_hash
     where h.tenant_id = v_company;
    delete from audit.changes c
     where c.tenant_id = v_company
       and c.txid in (select t.txid from audit.transactions t
                       where t.tenant_id = v_company and t.seq <= v_last);
    delete from audit.transactions t where t.tenant_id = v_company and t.seq <= v_last;
    get diagnostics v_gone = row_count;
    v_done := v_done + v_gone;
  end loop;
  perform set_config('audit.retention', '', true), set_config('audit.sealing', '', true);
  return v_done;
end
$$;
revoke all on function audit.sweep_expired(timestamptz, integer) from public;
grant execute on function audit.sweep_expired(timestamptz, integer) to service_role;

-- Why: the sweeps above replace these, so that each record has one way out.
drop function audit.delete_expired(timestamptz);
drop function app.delete_expired_messages(integer);
