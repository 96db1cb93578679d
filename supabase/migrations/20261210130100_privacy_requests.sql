-- Privacy requests (P-10): a homeowner's request to see, correct, delete or restrict what the
-- company holds about them, filed from the portal's "my data" page or recorded by the office from
-- a call or an email, is tracked with a due date 30 days out (set by the database) and answered
-- by the office: done or refused, with the answer given. Carrying out an erasure or an export
-- stays the office's own step (the customer page's erase, the export); here it is tracked.

-- Why: one request. `due_on` is the company's today plus 30 days when it is filed, set by the
-- trigger below and never by the caller (no grant names it). `answered_by` and `recorded_by`
-- are stamped by the database. A customer's erasure keeps the request, detached and with its
-- details blanked, as the record that it was answered.
create table public.privacy_requests (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid,
  kind text not null constraint privacy_requests_kind_check
    check (kind in ('access', 'correction', 'deletion', 'restriction')),
  details text not null default ''
    constraint privacy_requests_details_length check (length(details) <= 5000),
  source text not null constraint privacy_requests_source_check
    check (source in ('portal', 'phone', 'email')),
  status text not null default 'open' constraint privacy_requests_status_check
    check (status in ('open', 'done', 'refused')),
  due_on date not null,
  answer text not null default ''
    constraint privacy_requests_answer_length check (length(answer) <= 5000),
  answered_at timestamptz,
  answered_by uuid,
  recorded_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint privacy_requests_answered_when check ((status = 'open') = (answered_at is null)),
  constraint privacy_requests_answer_given check (status = 'open' or btrim(answer) <> ''),
  -- what to correct is the request itself
  constraint privacy_requests_correction_details
    check (kind <> 'correction' or customer_id is null or btrim(details) <> ''),
  constraint privacy_requests_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete set null (customer_id)
);
create index privacy_requests_due_idx on public.privacy_requests (tenant_id, status, due_on);
create index privacy_requests_customer_idx
  on public.privacy_requests (tenant_id, customer_id, created_at desc);
revoke all on public.privacy_requests from anon, authenticated;
grant select, insert (tenant_id, customer_id, kind, details, source),
  update (status, answer, answered_at, answered_by, updated_at)
  on public.privacy_requests to authenticated;
alter table public.privacy_requests enable row level security;

create trigger stamp_answered_by before insert or update on public.privacy_requests
  for each row execute function app.stamp_author('answered_by', 'when set');
create trigger stamp_recorded_by before insert or update on public.privacy_requests
  for each row execute function app.stamp_author('recorded_by');

-- Why: the 30 days run from the day the request is filed in the company's time zone, by the
-- database's clock (app.now(), which tests may set); whatever a caller sends is replaced, and
-- the date never moves afterwards. On erasure (the customer goes, customer_id is set null)
-- the details, the homeowner's own words, go too.
create function app.privacy_requests_dates() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.created_at := app.now();
    new.due_on := (app.now() at time zone app.company_time_zone(new.tenant_id))::date + 30;
  else
    new.created_at := old.created_at;
    new.due_on := old.due_on;
    if new.customer_id is null and old.customer_id is not null then
      new.details := '';
    end if;
  end if;
  return new;
end
$$;
revoke execute on function app.privacy_requests_dates() from public;

create trigger privacy_requests_dates before insert or update on public.privacy_requests
  for each row execute function app.privacy_requests_dates();

insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.privacy_requests', 'customer_id', null);
insert into audit.personal_columns (table_name, column_name) values
  ('public.privacy_requests', 'details'),
  ('public.privacy_requests', 'answer');
