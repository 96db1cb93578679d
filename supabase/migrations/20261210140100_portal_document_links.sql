-- The portal's way into an estimate or an invoice: the homeowner's approval, deposit, payment
-- and PDF pages are the link pages (app/estimates/link_routes.py, app/invoices/link_routes.py),
-- so the portal mints a link of its own for the signed-in customer's sent document and hands
-- it to the browser's session. Such a link lasts an hour (`closes_at`); the links already
-- emailed are left open.

-- Why: a link that closes by itself (the portal's, an hour after it is made); null for the
-- emailed links, which close by their own rules (revoked, the document's status, a year).
alter table public.estimate_links add column closes_at timestamptz;
alter table public.invoice_links add column closes_at timestamptz;

-- The readers of a link by its token, as before, now also closed past `closes_at`.

create or replace function app.estimate_of_link(p_token text) returns public.estimates
language sql set search_path = ''
as $$
  select e.* from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and (l.closes_at is null or now() < l.closes_at)
    and e.status in ('sent', 'viewed', 'approved', 'declined')
  for update of e
$$;

create or replace function app.estimate_link_place(p_token text)
returns table (tenant_id uuid, estimate_id uuid)
language sql stable security definer set search_path = ''
as $$
  select l.tenant_id, l.estimate_id from public.estimate_links l
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and (l.closes_at is null or now() < l.closes_at)
$$;

create or replace function app.estimate_photo_by_link(p_token text, p_photo uuid)
returns table (estimate_id uuid, storage_key text, content_type text)
language sql stable security definer set search_path = ''
as $$
  select p.estimate_id, f.storage_key, f.content_type
  from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  join public.estimate_photos p on p.tenant_id = e.tenant_id and p.estimate_id = e.id
  join public.visit_files f on f.tenant_id = p.tenant_id and f.id = p.file_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and (l.closes_at is null or now() < l.closes_at)
    and e.status in ('sent', 'viewed', 'approved', 'declined')
    and p.id = p_photo
$$;

create or replace function app.deposit_due(p_token text) returns numeric
language sql stable security definer set search_path = ''
as $$
  select round(t.total * s.deposit_percent / 100, 2)
  from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  join public.stripe_accounts s on s.tenant_id = e.tenant_id
  join public.estimate_option_totals t
    on t.tenant_id = e.tenant_id and t.option_id = e.approved_option_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and (l.closes_at is null or now() < l.closes_at)
    and e.status = 'approved' and s.secret_key_encrypted <> '' and s.deposit_percent > 0
    and not exists (select from public.payment_attempts a
                     where a.tenant_id = e.tenant_id and a.estimate_id = e.id
                       and a.status in ('paid', 'mismatch'))
$$;

create or replace function app.deposit_checkout_opened(
  p_token text, p_attempt uuid, p_session text, p_url text
) returns void
language sql security definer set search_path = ''
as $$
  select app.record_checkout(l.tenant_id, p_attempt, p_session, p_url)
  from public.estimate_links l
  join public.payment_attempts a
    on a.tenant_id = l.tenant_id and a.estimate_id = l.estimate_id and a.id = p_attempt
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and (l.closes_at is null or now() < l.closes_at)
$$;

create or replace function app.invoice_of_link(p_token text) returns public.invoices
language sql stable set search_path = ''
as $$
  select i.* from public.invoice_links l
  join public.invoices i on i.tenant_id = l.tenant_id and i.id = l.invoice_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and now() < app.invoice_link_closes(l.created_at)
    and (l.closes_at is null or now() < l.closes_at)
    and i.status in ('sent', 'partly_paid', 'paid')
$$;

-- Why: the portal opens the signed-in customer's own sent estimate or invoice on its link
-- pages: a new link of an hour, the emailed ones left open; only the token is returned (to be
-- handed to the browser's session, never shown), and the link's insert is audited. Nothing
-- for another customer's document, a draft, or a document the link pages no longer open.
create function app.portal_open_document(p_kind text, p_document uuid) returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
  made record;
begin
  if me.id is null then
    return null;
  end if;
  select * into made from iam.new_token();
  if p_kind = 'estimate' and exists (
       select from public.estimates e
        where e.tenant_id = me.tenant_id and e.id = p_document
          and e.customer_id = me.customer_id
          and e.status in ('sent', 'viewed', 'approved', 'declined')) then
    insert into public.estimate_links (tenant_id, estimate_id, token_hash, closes_at)
    values (me.tenant_id, p_document, made.token_hash, now() + interval '1 hour');
  elsif p_kind = 'invoice' and exists (
       select from public.invoices i
        where i.tenant_id = me.tenant_id and i.id = p_document
          and i.customer_id = me.customer_id
          and i.status in ('sent', 'partly_paid', 'paid')) then
    insert into public.invoice_links (tenant_id, invoice_id, token_hash, closes_at)
    values (me.tenant_id, p_document, made.token_hash, now() + interval '1 hour');
  else
    return null;
  end if;
  return made.token;
end
$$;
revoke execute on function app.portal_open_document(text, uuid) from public;
grant execute on function app.portal_open_document(text, uuid) to authenticated;
