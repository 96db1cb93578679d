-- Estimates reach the homeowner as a link: unguessable (a 256-bit token, only its hash kept),
-- for that estimate only, working without sign-in until the estimate's validity ends or the
-- office revokes it (sending again revokes the earlier link). The homeowner compares the
-- options, approves one with their typed name and drawn signature (the time and the address
-- it came from are recorded), or declines with an optional reason. Approval is idempotent,
-- turns the job's next step into an unscheduled visit for the chosen work, and tells the office.
--
-- Who may do what:
-- - app.send_estimate: office staff, or the technician of the estimate's job; the caller's
--   company only (never an argument).
-- - app.estimate_by_link, app.approve_estimate_by_link, app.decline_estimate_by_link: the token
--   holder (plenum_signin, as the app runs every request that holds a secret instead of an
--   identity); the token is hashed inside, and an unknown, revoked or expired one answers
--   nothing.

create table public.estimate_links (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  estimate_id uuid not null,
  token_hash bytea not null constraint estimate_links_token_hash_once unique,
  sent_to text not null default '' constraint estimate_links_sent_to_length
    check (length(sent_to) <= 254),
  created_by uuid,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, estimate_id) references public.estimates (tenant_id, id)
    on delete cascade
);
create index estimate_links_estimate_idx on public.estimate_links (tenant_id, estimate_id);
revoke all on public.estimate_links from anon, authenticated;
grant select, update (revoked_at) on public.estimate_links to authenticated;
alter table public.estimate_links enable row level security;

create trigger stamp_created_by before insert or update on public.estimate_links
  for each row execute function app.stamp_author('created_by');

-- What an approval by link records, besides the option and the time.
alter table public.estimates
  add column approved_by_name text not null default ''
    constraint estimates_approved_by_name_length check (length(approved_by_name) <= 200),
  add column approved_from text not null default ''
    constraint estimates_approved_from_length check (length(approved_from) <= 100),
  add column signature_key text
    constraint estimates_signature_key_format check (signature_key is null or length(signature_key) <= 300),
  add column approved_visit_id uuid,
  add constraint estimates_approved_visit_fkey foreign key (tenant_id, approved_visit_id)
    references public.visits (tenant_id, id) on delete set null (approved_visit_id);

insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.estimate_links', 'estimate_id', 'public.estimates');
insert into audit.personal_columns (table_name, column_name) values
  ('public.estimates', 'approved_by_name'),
  ('public.estimates', 'approved_from'),
  ('public.estimates', 'signature_key'),
  ('public.estimate_links', 'sent_to');
-- The hash is a credential's: recorded as a digest only.
comment on column public.estimate_links.token_hash is '@audit-digest';

-- Why: sending is the one way a link is made: a new token (its hash kept), the earlier links
-- revoked, a draft marked sent, and, given an address, the email queued in the outbox with the
-- link. Returns the token (shown once to the sender, e.g. to open on the homeowner's phone).
create function app.send_estimate(p_estimate uuid, p_to text) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_estimate public.estimates;
  v_token record;
  v_company public.tenants;
  v_customer text;
  v_to text := lower(btrim(coalesce(p_to, '')));
begin
  if v_tenant is null then
    raise exception 'estimates are sent by a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  select e.* into v_estimate from public.estimates e
   where e.tenant_id = v_tenant and e.id = p_estimate
     and (app.is_office_staff() or e.job_id = any (app.technician_job_ids()))
   for update;
  if not found then
    raise exception 'no such estimate' using errcode = 'no_data_found';
  end if;
  if v_estimate.status not in ('draft', 'sent', 'viewed') then
    raise exception 'only a draft or an unanswered estimate is sent'
      using errcode = 'check_violation', constraint = 'estimates_sendable';
  end if;
  if not exists (select from public.estimate_lines l
                  where l.tenant_id = v_tenant and l.estimate_id = p_estimate) then
    raise exception 'an estimate is sent with at least one line'
      using errcode = 'check_violation', constraint = 'estimates_sent_with_lines';
  end if;
  if v_to <> '' and (length(v_to) > 254 or v_to !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$') then
    raise exception 'not an email address'
      using errcode = 'check_violation', constraint = 'estimate_links_sent_to_format';
  end if;
  update public.estimate_links l set revoked_at = now()
   where l.tenant_id = v_tenant and l.estimate_id = p_estimate and l.revoked_at is null;
  select * into v_token from iam.new_token();
  insert into public.estimate_links (tenant_id, estimate_id, token_hash, sent_to, created_by)
  values (v_tenant, p_estimate, v_token.token_hash, v_to, auth.uid());
  if v_estimate.status = 'draft' then
    update public.estimates e set status = 'sent', sent_at = now(), updated_at = now()
     where e.tenant_id = v_tenant and e.id = p_estimate;
  end if;
  if v_to <> '' then
    select t.* into v_company from public.tenants t where t.id = v_tenant;
    select c.display_name into v_customer from public.customers c
     where c.tenant_id = v_tenant and c.id = v_estimate.customer_id;
    insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
    values (
      v_tenant, 'email', 'estimate', v_to,
      format('Estimate EST-%s from %s', v_estimate.number,
             regexp_replace(v_company.name, '[[:cntrl:]]+', ' ', 'g')),
      format(E'Hello %s,\n\n%s sent you an estimate: %s.\n\nSee it, compare the options and'
             ' approve the one you choose here (the link works until %s):\n\n%s/estimate/%s\n\n%s',
             regexp_replace(coalesce(v_customer, ''), '[[:cntrl:]]+', ' ', 'g'),
             regexp_replace(v_company.name, '[[:cntrl:]]+', ' ', 'g'),
             regexp_replace(v_estimate.title, '[[:cntrl:]]+', ' ', 'g'),
             to_char(v_estimate.valid_until, 'FMMonth FMDD, YYYY'),
             iam.public_url(), v_token.token,
             case when v_company.phone <> '' then format(E'Questions? Call us at %s.\n',
                                                         v_company.phone) else '' end));
  end if;
  return v_token.token;
end
$$;
revoke all on function app.send_estimate(uuid, text) from public;
grant execute on function app.send_estimate(uuid, text) to authenticated;

-- Why: the one place a link's token is turned into its estimate: open (not revoked), and the
-- estimate sent and not revised. Locked, for the approval and the decline that follow.
create function app.estimate_of_link(p_token text) returns public.estimates
language sql volatile set search_path = ''
as $$
  select e.* from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and e.status in ('sent', 'viewed', 'approved', 'declined')
  for update of e
$$;
revoke all on function app.estimate_of_link(text) from public;

-- Why: the company's today, by which an estimate's last valid day is judged.
create function app.company_today(p_tenant uuid) returns date
language sql stable set search_path = ''
as $$
  select (now() at time zone t.time_zone)::date from public.tenants t where t.id = p_tenant
$$;
revoke all on function app.company_today(uuid) from public;

-- Why: what the homeowner's page shows, as one document; a first look marks a sent estimate
-- viewed. Null for a link that is unknown, revoked, or whose estimate is no longer open to
-- them (a draft again cannot happen; a revised one is replaced by its new link).
create function app.estimate_by_link(p_token text) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
  v_today date;
begin
  if v_e.id is null then
    return null;
  end if;
  v_today := app.company_today(v_e.tenant_id);
  if v_e.status = 'sent' then
    update public.estimates e set status = 'viewed', viewed_at = now()
     where e.tenant_id = v_e.tenant_id and e.id = v_e.id;
    v_e.status := 'viewed';
  end if;
  return jsonb_build_object(
    'company', (select jsonb_build_object('name', t.name, 'phone', t.phone,
                                          'address', t.address, 'licence', t.licence_number)
                from public.tenants t where t.id = v_e.tenant_id),
    'estimate', jsonb_build_object(
      'id', v_e.id, 'number', v_e.number, 'revision', v_e.revision, 'title', v_e.title,
      'note', v_e.note, 'valid_until', v_e.valid_until, 'currency', v_e.currency,
      'status', case when v_e.status = 'viewed' and v_e.valid_until < v_today then 'expired'
                     else v_e.status end,
      'approved_option_id', v_e.approved_option_id, 'approved_at', v_e.approved_at,
      'approved_by_name', v_e.approved_by_name, 'declined_at', v_e.declined_at),
    'customer', (select c.display_name from public.customers c
                  where c.tenant_id = v_e.tenant_id and c.id = v_e.customer_id),
    'property', (select jsonb_build_object('street', p.street, 'unit', p.unit, 'city', p.city,
                                           'region', p.region, 'postal_code', p.postal_code)
                 from public.properties p
                 where p.tenant_id = v_e.tenant_id and p.id = v_e.property_id),
    'rates', coalesce((select jsonb_agg(jsonb_build_object('name', r.name, 'percent', r.percent)
                                        order by r.position, r.name)
                       from public.estimate_tax_rates r
                       where r.tenant_id = v_e.tenant_id and r.estimate_id = v_e.id), '[]'),
    'options', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', o.id, 'name', o.name, 'description', o.description,
               'lines', coalesce((
                 select jsonb_agg(jsonb_build_object(
                          'description', l.description, 'quantity', l.quantity, 'unit', l.unit,
                          'unit_price', l.unit_price, 'discount_percent', l.discount_percent,
                          'taxable', l.taxable) order by l.position, l.created_at, l.id)
                 from public.estimate_lines l
                 where l.tenant_id = o.tenant_id and l.option_id = o.id), '[]'))
             order by o.position)
      from public.estimate_options o
      where o.tenant_id = v_e.tenant_id and o.estimate_id = v_e.id), '[]'));
end
$$;
revoke all on function app.estimate_by_link(text) from public;
grant execute on function app.estimate_by_link(text) to plenum_signin;

-- Why: the homeowner's approval. Once: a second click, a second tab, or a retry finds it
-- approved and answers 'already' without changing anything; an estimate declined, expired or
-- revoked answers 'closed'. The next step is an unscheduled visit of the job for the chosen
-- work (a new job at the property when the estimate had none), and the office's staff get an
-- email saying so.
create function app.approve_estimate_by_link(
  p_token text, p_option uuid, p_signed_by text, p_signature_key text
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
  v_option public.estimate_options;
  v_job uuid;
  v_visit uuid;
  v_name text := regexp_replace(btrim(coalesce(p_signed_by, '')), '[[:cntrl:]]+', ' ', 'g');
  v_company text;
begin
  if v_e.id is null then
    return 'closed';
  end if;
  if v_e.status = 'approved' then
    return 'already';
  end if;
  if v_e.status not in ('sent', 'viewed') or v_e.valid_until < app.company_today(v_e.tenant_id)
  then
    return 'closed';
  end if;
  select o.* into v_option from public.estimate_options o
   where o.tenant_id = v_e.tenant_id and o.estimate_id = v_e.id and o.id = p_option;
  if not found then
    raise exception 'choose one of the estimate''s options'
      using errcode = 'check_violation', constraint = 'estimates_approved_option_fkey';
  end if;
  if length(v_name) not between 1 and 200 then
    raise exception 'type your name to sign'
      using errcode = 'check_violation', constraint = 'estimates_approved_by_name_length';
  end if;
  if p_signature_key is null
     or p_signature_key !~ ('^' || v_e.tenant_id::text || '/estimates/' || v_e.id::text
                            || '/[0-9a-f-]{36}\.png$') then
    raise exception 'a drawn signature is needed'
      using errcode = 'check_violation', constraint = 'estimates_signature_key_format';
  end if;
  v_job := v_e.job_id;
  if v_job is null then
    insert into public.jobs (tenant_id, customer_id, property_id, kind, priority, summary)
    values (v_e.tenant_id, v_e.customer_id, v_e.property_id, 'install', 'normal',
            left(v_e.title || ' (' || v_option.name || ')', 200))
    returning id into v_job;
  end if;
  insert into public.visits (tenant_id, job_id, status)
  values (v_e.tenant_id, v_job, 'unscheduled')
  returning id into v_visit;
  update public.estimates e
     set status = 'approved', approved_option_id = v_option.id, approved_at = now(),
         approved_by_name = v_name,
         approved_from = left(coalesce(nullif(current_setting('plenum.client_addr', true), ''),
                                       'unknown'), 100),
         signature_key = p_signature_key, approved_visit_id = v_visit,
         job_id = v_job, updated_at = now()
   where e.tenant_id = v_e.tenant_id and e.id = v_e.id;
  select t.name into v_company from public.tenants t where t.id = v_e.tenant_id;
  insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
  select v_e.tenant_id, 'email', 'estimate_approved', a.email,
         format('Estimate EST-%s approved: %s', v_e.number, v_option.name),
         format(E'%s approved estimate EST-%s (%s), option "%s", on the link we sent.\n\n'
                'A visit for the work is waiting to be scheduled:\n\n%s/dispatch\n',
                v_name, v_e.number, regexp_replace(v_e.title, '[[:cntrl:]]+', ' ', 'g'),
                v_option.name, iam.public_url())
  from public.memberships m
  join iam.accounts a on a.id = m.account_id
  where m.tenant_id = v_e.tenant_id and m.status = 'active'
    and m.role in ('owner', 'admin', 'dispatcher', 'office');
  return 'approved';
end
$$;
revoke all on function app.approve_estimate_by_link(text, uuid, text, text) from public;
grant execute on function app.approve_estimate_by_link(text, uuid, text, text) to plenum_signin;

-- Why: the homeowner's decline, with an optional reason; like approval, once.
create function app.decline_estimate_by_link(p_token text, p_reason text) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
begin
  if v_e.id is null then
    return 'closed';
  end if;
  if v_e.status = 'declined' then
    return 'already';
  end if;
  if v_e.status not in ('sent', 'viewed') or v_e.valid_until < app.company_today(v_e.tenant_id)
  then
    return 'closed';
  end if;
  update public.estimates e
     set status = 'declined', declined_at = now(),
         decline_reason = left(btrim(coalesce(p_reason, '')), 1000), updated_at = now()
   where e.tenant_id = v_e.tenant_id and e.id = v_e.id;
  return 'declined';
end
$$;
revoke all on function app.decline_estimate_by_link(text, text) from public;
grant execute on function app.decline_estimate_by_link(text, text) to plenum_signin;

-- Where the app keeps the drawn signature: the company's prefix, then the estimate's. The app
-- asks which company a link belongs to before it stores the file.
create function app.estimate_link_place(p_token text) returns table (tenant_id uuid, estimate_id uuid)
language sql stable security definer set search_path = ''
as $$
  select l.tenant_id, l.estimate_id from public.estimate_links l
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
$$;
revoke all on function app.estimate_link_place(text) from public;
grant execute on function app.estimate_link_place(text) to plenum_signin;
