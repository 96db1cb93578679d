-- What each kind of message says, per company: a template for SMS and one for email, each with
-- {variables}, and whether the company sends that kind at all. A company without a row for a
-- kind uses the built-in wording (app/messaging/templates.py).
create table public.message_templates (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind text not null constraint message_templates_kind_format check (kind ~ '^[a-z_]{1,40}$'),
  enabled boolean not null default true,
  sms_body text not null constraint message_templates_sms_length
    check (length(btrim(sms_body)) between 1 and 1600),
  email_subject text not null constraint message_templates_subject_length
    check (length(btrim(email_subject)) between 1 and 200),
  email_body text not null constraint message_templates_email_length
    check (length(btrim(email_body)) between 1 and 10000),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint message_templates_one_per_kind unique (tenant_id, kind)
);
revoke all on public.message_templates from anon, authenticated;
grant select, insert (tenant_id, kind, enabled, sms_body, email_subject, email_body),
  update (enabled, sms_body, email_subject, email_body, updated_at)
  on public.message_templates to authenticated;
alter table public.message_templates enable row level security;
