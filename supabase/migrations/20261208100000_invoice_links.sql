-- Invoices reach the homeowner as a link, as estimates do (20261207140000_estimate_links.sql):
-- unguessable (a 256-bit token from iam.new_token, only its hash kept), for that invoice only,
-- working without sign-in while the invoice is sent, partly paid or paid (never a draft, never
-- void), until the office revokes it (sending again revokes the earlier link), and for one
-- year after the link was made at most (app.invoice_link_closes): long enough to pay and keep
-- the receipt, short enough that an old email does not open the invoice for ever.
--
-- Who may do what:
-- - app.send_invoice: office staff, or the technician of the invoice's job (the invoices'
--   own policies); the caller's company only (never an argument).
-- - app.invoice_link_place, app.invoice_by_link: the token holder (plenum_signin); the token
--   is hashed inside, and a link that is unknown, revoked, past its year, or whose invoice is
--   a draft or void answers nothing.

create table public.invoice_links (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  invoice_id uuid not null,
  token_hash bytea not null constraint invoice_links_token_hash_once unique,
  sent_to text not null default '' constraint invoice_links_sent_to_format check (
    sent_to = '' or length(sent_to) <= 254
      and sent_to ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$'
  ),
  created_by uuid,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade
);
create index invoice_links_invoice_idx on public.invoice_links (tenant_id, invoice_id);
revoke all on public.invoice_links from anon, authenticated;
grant select, update (revoked_at) on public.invoice_links to authenticated;
alter table public.invoice_links enable row level security;

create trigger stamp_created_by before insert or update on public.invoice_links
  for each row execute function app.stamp_author('created_by');

-- The address a link was emailed to is the homeowner's (sealed in the audit log under their
-- key, through the invoice); the hash is a credential's, recorded as a digest only.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.invoice_links', 'invoice_id', 'public.invoices');
insert into audit.personal_columns (table_name, column_name) values
  ('public.invoice_links', 'sent_to');
comment on column public.invoice_links.token_hash is '@audit-digest';

-- Why: one rule for how long a link works, read by the check and by the email that says it.
create function app.invoice_link_closes(p_made timestamptz) returns timestamptz
language sql immutable set search_path = ''
as $$
  select p_made + interval '1 year'
$$;
revoke all on function app.invoice_link_closes(timestamptz) from public;

-- Why: text from a row put on one line of an email (no line breaks or control characters).
create function app.email_line(p_text text) returns text
language sql immutable set search_path = ''
as $$
  select regexp_replace(coalesce(p_text, ''), '[[:cntrl:]]+', ' ', 'g')
$$;
revoke all on function app.email_line(text) from public;

-- Why: what a document sent by link says about its company, for the page and the PDF alike
-- (the logo as the key of its file, the time zone its dates are given in). For definers that
-- found the company through a link; no grant.
create function app.document_letterhead(p_tenant uuid) returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object('name', t.name, 'phone', t.phone, 'address', t.address,
                            'licence', t.licence_number, 'time_zone', t.time_zone,
                            'logo_key', t.logo_key)
  from public.tenants t where t.id = p_tenant
$$;
revoke all on function app.document_letterhead(uuid) from public;

-- Why: a document's link emailed the one way: the message, the link (the public address and
-- `p_path`, e.g. '/invoice/<token>') and the company's phone to call, queued in the outbox of
-- the company. For the sending definers; no grant.
create function app.queue_link_email(
  p_tenant uuid, p_kind text, p_to text, p_subject text, p_message text, p_path text
) returns void
language sql volatile set search_path = ''
as $$
  insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)
  select t.id, 'email', p_kind, p_to, p_subject,
         p_message || E'\n\n' || iam.public_url() || p_path || E'\n\n'
         || case when t.phone <> '' then 'Questions? Call us at ' || t.phone || E'.\n' else '' end
  from public.tenants t where t.id = p_tenant
$$;
revoke all on function app.queue_link_email(uuid, text, text, text, text, text) from public;

-- Why: sending is the one way an invoice's link is made: a new token (its hash kept), the
-- earlier links revoked, a draft marked sent, and, given an address, the email queued in the
-- outbox with the amount due, the due date and the link. Returns the token (shown once to the
-- sender, e.g. to open on the homeowner's phone). A void invoice is not sent; a paid one may
-- be (the homeowner keeps it as a receipt).
create function app.send_invoice(p_invoice uuid, p_to text) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_invoice public.invoices;
  v_to text := lower(btrim(coalesce(p_to, '')));
  v_token record;
  v_link public.invoice_links;
  v_company public.tenants;
  v_balance numeric;
begin
  if v_tenant is null then
    raise exception 'invoices are sent by a member of the company'
      using errcode = 'insufficient_privilege';
  end if;
  select i.* into v_invoice from public.invoices i
   where i.tenant_id = v_tenant and i.id = p_invoice
     and (app.is_office_staff() or i.job_id = any (app.technician_job_ids()))
   for update;
  if not found then
    raise exception 'no such invoice' using errcode = 'no_data_found';
  end if;
  if v_invoice.status = 'void' then
    raise exception 'a void invoice is not sent'
      using errcode = 'check_violation', constraint = 'invoices_sendable';
  end if;
  if not exists (select from public.invoice_lines l
                  where l.tenant_id = v_tenant and l.invoice_id = p_invoice) then
    raise exception 'an invoice is sent with at least one line'
      using errcode = 'check_violation', constraint = 'invoices_sent_with_lines';
  end if;
  update public.invoice_links l set revoked_at = now()
   where l.tenant_id = v_tenant and l.invoice_id = p_invoice and l.revoked_at is null;
  select * into v_token from iam.new_token();
  insert into public.invoice_links (tenant_id, invoice_id, token_hash, sent_to, created_by)
  values (v_tenant, p_invoice, v_token.token_hash, v_to, auth.uid())
  returning * into v_link;
  if v_invoice.status = 'draft' then
    update public.invoices i set status = 'sent', sent_at = now(), updated_at = now()
     where i.tenant_id = v_tenant and i.id = p_invoice;
  end if;
  if v_to = '' then
    return v_token.token;
  end if;
  select t.* into v_company from public.tenants t where t.id = v_tenant;
  select s.balance into v_balance from public.invoice_totals s
   where s.tenant_id = v_tenant and s.invoice_id = p_invoice;
  perform app.queue_link_email(
    v_tenant, 'invoice', v_to,
    format('Invoice INV-%s from %s', v_invoice.number, app.email_line(v_company.name)),
    format(E'Hello %s,\n\n%s sent you invoice INV-%s. Balance due: %s %s, due on %s.\n\n'
           'See it, and keep it as a PDF, here (the link works until %s):',
           app.email_line(v_invoice.bill_to_name), app.email_line(v_company.name),
           v_invoice.number, to_char(v_balance, 'FM999,999,999,990.00'), v_invoice.currency,
           to_char(v_invoice.due_on, 'FMMonth FMDD, YYYY'),
           to_char(app.invoice_link_closes(v_link.created_at) at time zone v_company.time_zone,
                   'FMMonth FMDD, YYYY')),
    '/invoice/' || v_token.token);
  return v_token.token;
end
$$;
revoke all on function app.send_invoice(uuid, text) from public;
grant execute on function app.send_invoice(uuid, text) to authenticated;

-- Why: the one place a link's token is turned into its invoice: the link open (not revoked,
-- within its year) and the invoice sent, partly paid or paid. Not callable on its own: the
-- definers below call it as their owner.
create function app.invoice_of_link(p_token text) returns public.invoices
language sql stable set search_path = ''
as $$
  select i.* from public.invoice_links l
  join public.invoices i on i.tenant_id = l.tenant_id and i.id = l.invoice_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and now() < app.invoice_link_closes(l.created_at)
    and i.status in ('sent', 'partly_paid', 'paid')
$$;
revoke all on function app.invoice_of_link(text) from public;

-- Why: which company's invoice a link opens, for the token's hand-over to the browser's session
-- (and for whatever must know the company before it acts, like a payment); nothing when the
-- link is closed.
create function app.invoice_link_place(p_token text)
returns table (tenant_id uuid, invoice_id uuid)
language sql stable security definer set search_path = ''
as $$
  select i.tenant_id, i.id from app.invoice_of_link(p_token) i where i.id is not null
$$;
revoke all on function app.invoice_link_place(text) from public;
grant execute on function app.invoice_link_place(text) to plenum_signin;

-- Why: what the homeowner's page and PDF show, as one document: the letterhead (logo key and
-- time zone too), the invoice with whom it is billed to, its dates and terms, its lines, tax
-- rates, what was paid and the balance, and the payments (day, method, amount: not their
-- references nor who recorded them). Null for a closed link.
create function app.invoice_by_link(p_token text) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_i public.invoices := app.invoice_of_link(p_token);
  v_paid numeric;
  v_balance numeric;
begin
  if v_i.id is null then
    return null;
  end if;
  select s.paid, s.balance into v_paid, v_balance from public.invoice_totals s
   where s.tenant_id = v_i.tenant_id and s.invoice_id = v_i.id;
  return jsonb_build_object(
    'company', app.document_letterhead(v_i.tenant_id),
    'invoice', jsonb_build_object(
      'id', v_i.id, 'number', v_i.number, 'status', v_i.status, 'terms', v_i.terms,
      'issued_on', v_i.issued_on, 'due_on', v_i.due_on, 'note', v_i.note,
      'currency', v_i.currency, 'bill_to_name', v_i.bill_to_name,
      'bill_to_email', v_i.bill_to_email, 'bill_to_address', v_i.bill_to_address,
      'sent_at', v_i.sent_at, 'paid', v_paid, 'balance', v_balance),
    'rates', coalesce((select jsonb_agg(jsonb_build_object('name', r.name, 'percent', r.percent)
                                        order by r.position, r.name)
                       from public.invoice_tax_rates r
                       where r.tenant_id = v_i.tenant_id and r.invoice_id = v_i.id), '[]'),
    'lines', coalesce((select jsonb_agg(jsonb_build_object(
                                'description', l.description, 'quantity', l.quantity,
                                'unit', l.unit, 'unit_price', l.unit_price,
                                'discount_percent', l.discount_percent, 'taxable', l.taxable)
                              order by l.position, l.created_at, l.id)
                       from public.invoice_lines l
                       where l.tenant_id = v_i.tenant_id and l.invoice_id = v_i.id), '[]'),
    'payments', coalesce((select jsonb_agg(jsonb_build_object(
                                   'received_on', p.received_on, 'method', p.method,
                                   'amount', p.amount)
                                 order by p.received_on, p.created_at, p.id)
                          from public.payments p
                          where p.tenant_id = v_i.tenant_id and p.invoice_id = v_i.id), '[]'));
end
$$;
revoke all on function app.invoice_by_link(text) from public;
grant execute on function app.invoice_by_link(text) to plenum_signin;

-- Why: P-10. A link names the homeowner's address and opens their invoice: when the invoice is
-- detached from its customer (app.erase_customer, or the customer's row deleted), its links
-- go with them. A definer, so that whoever detaches the invoice needs no delete grant.
create function app.invoice_links_leave_with_the_customer() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.invoice_links l where l.tenant_id = new.tenant_id and l.invoice_id = new.id;
  return null;
end
$$;
revoke all on function app.invoice_links_leave_with_the_customer() from public;

create trigger invoice_links_leave_with_the_customer
  after update of customer_id on public.invoices
  for each row when (old.customer_id is not null and new.customer_id is null)
  execute function app.invoice_links_leave_with_the_customer();
