-- CSV imports of customers: the uploaded file, its column mapping, the preview's report and the
-- final report, and the progress of the background job that creates the customers.

-- Why: one row per uploaded file, from upload to its final report. The decoded file is kept in
-- `source_text` rather than as one child row per line: the audit trigger logs every insert, so a
-- child table would write one log entry per line (10,000 entries and hash folds for a 10,000-row
-- file, in the upload request) holding the same personal data; one column costs one log entry of
-- the file's size. Updates log only the columns that changed, so progress and status updates do
-- not copy the file again. The log keeping the file as it arrived is also the record of what was
-- imported; like every log entry it goes after the two years of P-12.
create table public.customer_imports (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  status text not null default 'uploaded' constraint customer_imports_status_check
    check (status in ('uploaded', 'previewed', 'queued', 'running', 'done', 'failed',
                      'cancelled')),
  file_name text not null constraint customer_imports_file_name_length
    check (length(file_name) between 1 and 255),
  source_text text not null constraint customer_imports_source_size
    check (octet_length(source_text) <= 16 * 1024 * 1024),
  -- 'utf-8', or 'cp1252' when the file was not UTF-8 (the page says so).
  encoding text not null constraint customer_imports_encoding_check
    check (encoding in ('utf-8', 'cp1252')),
  delimiter text not null constraint customer_imports_delimiter_check
    check (delimiter in (',', ';', E'\t')),
  -- The file's header row, and for each of its columns the customer field it fills ('' = ignored).
  headers jsonb not null constraint customer_imports_headers_array
    check (jsonb_typeof(headers) = 'array'),
  mapping jsonb not null default '[]' constraint customer_imports_mapping_array
    check (jsonb_typeof(mapping) = 'array'),
  total_rows integer not null default 0,
  valid_rows integer not null default 0,
  skipped_rows integer not null default 0,
  rows_done integer not null default 0,
  -- Every skipped row: [{"line": 7, "reason": "..."}], from the preview, then from the import.
  problems jsonb not null default '[]' constraint customer_imports_problems_array
    check (jsonb_typeof(problems) = 'array'),
  failure text not null default '',
  created_by uuid references iam.accounts (id) on delete set null default auth.uid(),
  -- The import job acts with this member's permissions (and the actor `system:import`).
  confirmed_by uuid references iam.accounts (id) on delete set null,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  queued_at timestamptz,
  started_at timestamptz,
  heartbeat_at timestamptz,
  finished_at timestamptz,
  constraint customer_imports_counts_check check (
    total_rows >= 0 and valid_rows >= 0 and skipped_rows >= 0 and rows_done >= 0
  ),
  primary key (tenant_id, id)
);
-- Why: the import page lists a company's recent imports, newest first.
create index customer_imports_created_idx
  on public.customer_imports (tenant_id, created_at desc, id);
-- Why: the worker finds waiting (and stalled) imports of every company, oldest first.
create index customer_imports_queue_idx on public.customer_imports (queued_at)
  where status in ('queued', 'running');
revoke all on public.customer_imports from anon, authenticated;
grant select, insert, update on public.customer_imports to authenticated;
