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

-- Why: a message's text may carry a link that opens a document (an estimate or invoice link);
-- the audit log keeps a digest of it, never the text, and the worker removes such links from
-- the text once the message has left (jobs/messages.py), so the log holds no usable link.
comment on column public.messages.body is '@audit-digest';
delete from audit.personal_columns
 where table_name = 'public.messages' and column_name = 'body';
drop trigger if exists audit_changes on public.messages;
drop trigger if exists audit_inserts on public.messages;
select audit.attach_triggers(array['public']);
