-- Payments through Stripe Checkout: a company's Stripe account (its secret key and webhook
-- endpoint secret, sealed by the app with AES-256-GCM, P-17), each Checkout attempt for an
-- invoice's balance or an approved estimate's deposit, each webhook event applied once, and
-- refunds. Card numbers never reach Plenum (P-16): attempts keep only Stripe's ids, the card's
-- brand and its last four digits.

-- Why: one row per company that takes payments online. The webhook URL names the company by
-- `endpoint_id` (two random UUIDs' 244 bits, hashed; drawn by the database whoever inserts),
-- never by its id. Without a secret key
-- the company takes offline payments only (the embedded default).
create table public.stripe_accounts (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  endpoint_id text not null
    default encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'hex')
    constraint stripe_accounts_endpoint_once unique,
  secret_key_encrypted text not null default '',
  webhook_secret_encrypted text not null default '',
  deposit_percent numeric(5, 2) not null default 0
    constraint stripe_accounts_deposit_percent_range check (deposit_percent between 0 and 100),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint stripe_accounts_one_per_company unique (tenant_id)
);
revoke all on public.stripe_accounts from anon, authenticated;
grant select, insert (tenant_id, secret_key_encrypted, webhook_secret_encrypted, deposit_percent),
  update (secret_key_encrypted, webhook_secret_encrypted, deposit_percent, updated_at)
  on public.stripe_accounts to authenticated;
alter table public.stripe_accounts enable row level security;

-- Why: each time someone starts paying a document online. A double click, a second tab or a
-- retry finds the open attempt of the same document and amount and reuses its Checkout session
-- (the partial unique index); the attempt's id is the idempotency key sent to Stripe, so a
-- retried request cannot make a second session either. The webhook moves it to paid (a payment
-- on the invoice, or a deposit kept for the estimate's invoice) or flags a mismatch.
create table public.payment_attempts (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  kind text not null constraint payment_attempts_kind_check check (kind in ('invoice', 'deposit')),
  invoice_id uuid,
  estimate_id uuid,
  amount numeric(12, 2) not null constraint payment_attempts_amount_positive check (amount > 0),
  currency text not null constraint payment_attempts_currency_format check (currency ~ '^[A-Z]{3}$'),
  status text not null default 'open'
    constraint payment_attempts_status_check
    check (status in ('open', 'replaced', 'paid', 'mismatch')),
  checkout_session_id text,
  checkout_url text not null default '' constraint payment_attempts_url_length
    check (length(checkout_url) <= 2000),
  payment_intent_id text,
  paid_amount numeric(12, 2),
  card_brand text not null default '' constraint payment_attempts_card_brand_format
    check (card_brand ~ '^[a-z_]{0,20}$'),
  card_last4 text not null default '' constraint payment_attempts_card_last4_format
    check (card_last4 ~ '^([0-9]{4})?$'),
  failure text not null default '' constraint payment_attempts_failure_length
    check (length(failure) <= 300),
  problem text not null default '' constraint payment_attempts_problem_length
    check (length(problem) <= 500),
  refunded numeric(12, 2) not null default 0
    constraint payment_attempts_refunds_within_payment
    check (refunded >= 0 and refunded <= coalesce(paid_amount, 0)),
  payment_id uuid,
  created_at timestamptz not null default now(),
  paid_at timestamptz,
  primary key (tenant_id, id),
  constraint payment_attempts_document check (
    kind = 'invoice' and estimate_id is null or kind = 'deposit' and invoice_id is null),
  constraint payment_attempts_session_once unique (tenant_id, checkout_session_id),
  constraint payment_attempts_intent_once unique (tenant_id, payment_intent_id),
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, estimate_id) references public.estimates (tenant_id, id)
    on delete set null (estimate_id),
  foreign key (tenant_id, payment_id) references public.payments (tenant_id, id)
    on delete set null (payment_id)
);
create unique index payment_attempts_one_open_idx on public.payment_attempts
  (tenant_id, kind, coalesce(invoice_id, estimate_id)) where status = 'open';
create index payment_attempts_invoice_idx on public.payment_attempts (tenant_id, invoice_id);
create index payment_attempts_estimate_idx on public.payment_attempts (tenant_id, estimate_id);
revoke all on public.payment_attempts from anon, authenticated;
grant select on public.payment_attempts to authenticated;
alter table public.payment_attempts enable row level security;

-- Why: every webhook event is applied once, by Stripe's event id: a replay or a duplicate
-- delivery finds its row and changes nothing.
create table public.stripe_events (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  event_id text not null constraint stripe_events_event_id_length check (length(event_id) <= 255),
  type text not null constraint stripe_events_type_length check (length(type) <= 100),
  outcome text not null default '' constraint stripe_events_outcome_length
    check (length(outcome) <= 100),
  received_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint stripe_events_once unique (tenant_id, event_id),
  foreign key (tenant_id) references public.tenants (id) on delete cascade
);
revoke all on public.stripe_events from anon, authenticated;
grant select on public.stripe_events to authenticated;
alter table public.stripe_events enable row level security;

-- Why: money given back for a paid attempt, from the office (through Stripe, recorded with
-- Stripe's refund id) or learnt from Stripe's webhook (a refund made in Stripe's dashboard).
-- Stripe's refund id is recorded once, however many events name it.
create table public.refunds (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  attempt_id uuid not null,
  invoice_id uuid,
  amount numeric(12, 2) not null constraint refunds_amount_positive check (amount > 0),
  stripe_refund_id text constraint refunds_stripe_refund_id_length
    check (length(stripe_refund_id) <= 255),
  reason text not null default '' constraint refunds_reason_length check (length(reason) <= 200),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint refunds_stripe_refund_once unique (tenant_id, stripe_refund_id),
  foreign key (tenant_id, attempt_id) references public.payment_attempts (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, invoice_id) references public.invoices (tenant_id, id)
    on delete cascade
);
create index refunds_attempt_idx on public.refunds (tenant_id, attempt_id);
create index refunds_invoice_idx on public.refunds (tenant_id, invoice_id);
revoke all on public.refunds from anon, authenticated;
grant select, insert (tenant_id, attempt_id, amount, stripe_refund_id, reason)
  on public.refunds to authenticated;
alter table public.refunds enable row level security;

create trigger stamp_created_by before insert or update on public.refunds
  for each row execute function app.stamp_author('created_by');

-- What was given back of an invoice's payments (kept by app.refund_applied).
alter table public.invoices
  add column refunded numeric(12, 2) not null default 0
    constraint invoices_refunded_not_negative check (refunded >= 0);

insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.refunds', 'invoice_id', 'public.invoices');
insert into audit.personal_columns (table_name, column_name) values
  ('public.refunds', 'reason');
