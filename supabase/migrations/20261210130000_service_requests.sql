-- Service requests (issue 14, as Client Portal Plus offers): a homeowner asks for help from the
-- portal ("thermostat keeps resetting", with photos), the office answers in a thread, assigns
-- it, closes it or turns it into a job. The office works the queue; a homeowner sees only their
-- own customer's requests and writes only through the portal's definers
-- (20261210130200_portal_requests.sql), which take the customer from the portal session.

-- Why: one request: whose, about which property (optional), what it is about, where it stands
-- (open → waiting_on_customer after the office's reply → open again on the homeowner's answer
-- → closed), who at the office has it, and the job it became. `last_activity_at` orders the
-- queue (newest activity first): the latest message or change of status.
create table public.service_requests (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  property_id uuid,
  subject text not null
    constraint service_requests_subject_length check (length(btrim(subject)) between 1 and 200),
  status text not null default 'open' constraint service_requests_status_check
    check (status in ('open', 'waiting_on_customer', 'closed')),
  assigned_to uuid,
  job_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_activity_at timestamptz not null default now(),
  closed_at timestamptz,
  primary key (tenant_id, id),
  -- the key the thread's rows use, so that each names the request's customer too
  constraint service_requests_customer_key unique (tenant_id, id, customer_id),
  constraint service_requests_closed_when check ((status = 'closed') = (closed_at is not null)),
  constraint service_requests_customer_fkey foreign key (tenant_id, customer_id)
    references public.customers (tenant_id, id) on delete cascade,
  -- the property is one of the customer's own
  constraint service_requests_property_fkey foreign key (tenant_id, customer_id, property_id)
    references public.properties (tenant_id, customer_id, id) on delete set null (property_id),
  constraint service_requests_assignee_fkey foreign key (tenant_id, assigned_to)
    references public.memberships (tenant_id, account_id) on delete set null (assigned_to),
  constraint service_requests_job_fkey foreign key (tenant_id, job_id)
    references public.jobs (tenant_id, id) on delete set null (job_id)
);
create index service_requests_queue_idx
  on public.service_requests (tenant_id, status, last_activity_at desc);
create index service_requests_unassigned_idx
  on public.service_requests (tenant_id, last_activity_at desc)
  where assigned_to is null and status <> 'closed';
create index service_requests_customer_idx
  on public.service_requests (tenant_id, customer_id, last_activity_at desc);
revoke all on public.service_requests from anon, authenticated;
grant select, update (status, assigned_to, job_id, updated_at, last_activity_at, closed_at)
  on public.service_requests to authenticated;
alter table public.service_requests enable row level security;

-- Why: the thread. Who wrote each message is the database's to say: a staff member's account
-- (auth.uid(), stamped) or, for 'homeowner', the request's customer (written only by the
-- portal's definer, which leaves author_id empty). Messages are never edited.
create table public.service_request_messages (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  request_id uuid not null,
  customer_id uuid not null,
  author_kind text not null constraint service_request_messages_author_kind_check
    check (author_kind in ('homeowner', 'staff')),
  author_id uuid,
  body text not null
    constraint service_request_messages_body_length check (length(btrim(body)) between 1 and 5000),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint service_request_messages_author_named
    check ((author_kind = 'staff') = (author_id is not null)),
  constraint service_request_messages_thread_key unique (tenant_id, request_id, id),
  constraint service_request_messages_request_fkey foreign key (tenant_id, request_id, customer_id)
    references public.service_requests (tenant_id, id, customer_id) on delete cascade
);
create index service_request_messages_thread_idx
  on public.service_request_messages (tenant_id, request_id, created_at);
create index service_request_messages_customer_idx
  on public.service_request_messages (tenant_id, customer_id);
revoke all on public.service_request_messages from anon, authenticated;
grant select, insert (tenant_id, request_id, customer_id, author_kind, body)
  on public.service_request_messages to authenticated;
alter table public.service_request_messages enable row level security;

create trigger stamp_author_id before insert or update on public.service_request_messages
  for each row execute function app.stamp_author('author_id');

-- Why: a request's photos (taken by the homeowner), kept through the files port under the
-- company's prefix (`<tenant>/requests/<request>/…`; the key's check holds it to the company's), decoded
-- and written anew without their metadata (app/integrations/files.py). Deleting a row (with its
-- request or customer) queues the file for removal, as for a visit's photos.
create table public.service_request_photos (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  request_id uuid not null,
  customer_id uuid not null,
  message_id uuid,
  storage_key text not null,
  content_type text not null constraint service_request_photos_content_type_check
    check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
  byte_size integer not null
    constraint service_request_photos_size_range check (byte_size between 1 and 10485760),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint service_request_photos_storage_key_key unique (storage_key),
  constraint service_request_photos_key_in_company
    check (storage_key like tenant_id::text || '/requests/%'),
  constraint service_request_photos_request_fkey foreign key (tenant_id, request_id, customer_id)
    references public.service_requests (tenant_id, id, customer_id) on delete cascade,
  -- the message it came with is one of the same request's
  constraint service_request_photos_message_fkey foreign key (tenant_id, request_id, message_id)
    references public.service_request_messages (tenant_id, request_id, id) on delete cascade
);
create index service_request_photos_request_idx
  on public.service_request_photos (tenant_id, request_id, created_at);
create index service_request_photos_customer_idx
  on public.service_request_photos (tenant_id, customer_id);
revoke all on public.service_request_photos from anon, authenticated;
grant select on public.service_request_photos to authenticated;
alter table public.service_request_photos enable row level security;

create trigger service_request_photos_discard after delete on public.service_request_photos
  for each row execute function app.visit_files_discard();

-- Why: the thread is the homeowner's own words: sealed in the audit log under their key, so
-- erasing them makes it unreadable there (P-10), like a customer note.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.service_requests', 'customer_id', null),
  ('public.service_request_messages', 'customer_id', null),
  ('public.service_request_photos', 'customer_id', null);
insert into audit.personal_columns (table_name, column_name) values
  ('public.service_requests', 'subject'),
  ('public.service_request_messages', 'body'),
  ('public.service_request_photos', 'storage_key');
