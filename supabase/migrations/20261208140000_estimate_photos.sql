-- Estimates show photos from the visits of their job: the office (or the job's technician)
-- chooses which, in which order, each with an optional caption. The photo itself stays the
-- visit's (public.visit_files); the estimate keeps only which one, where and with what words.
-- An estimate made without a job has no visit photos to show.
--
-- Like its options and lines, an estimate's photos change only while it is a draft; a new
-- revision copies them. A photo removed from its visit (by its author, the office, or with the
-- customer's erasure) leaves every estimate that showed it, sent or not: the picture is the
-- visit's to keep or remove.

create table public.estimate_photos (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  estimate_id uuid not null,
  file_id uuid not null,
  -- At most 12 photos an estimate: enough to show the problem, few enough for a small PDF.
  position smallint not null constraint estimate_photos_position_range
    check (position between 0 and 11),
  caption text not null default '' constraint estimate_photos_caption_length
    check (length(caption) <= 200 and caption = btrim(caption)),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint estimate_photos_once unique (tenant_id, estimate_id, file_id),
  constraint estimate_photos_position_once unique (tenant_id, estimate_id, position),
  foreign key (tenant_id, estimate_id) references public.estimates (tenant_id, id)
    on delete cascade,
  foreign key (tenant_id, file_id) references public.visit_files (tenant_id, id)
    on delete cascade
);
-- Why: the cascade from a removed visit photo finds the estimates that showed it.
create index estimate_photos_file_idx on public.estimate_photos (tenant_id, file_id);
revoke all on public.estimate_photos from anon, authenticated;
grant select, insert, delete on public.estimate_photos to authenticated;
grant update (position, caption) on public.estimate_photos to authenticated;
alter table public.estimate_photos enable row level security;

-- Why: an estimate shows only photos (not signatures) of the visits of its own job, and only a
-- draft's choice changes. The composite key already keeps them in one company; the job is
-- checked here. A definer only so that the check sees every visit of the job, not just those
-- the caller's policies show; as a trigger it cannot be called on its own, and the row it
-- checks passed the caller's policies.
create function app.estimate_photos_checked() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_estimate_id uuid := case tg_op when 'DELETE' then old.estimate_id else new.estimate_id end;
  v_estimate public.estimates;
begin
  select e.* into v_estimate from public.estimates e
   where e.tenant_id = v_tenant and e.id = v_estimate_id;
  if tg_op = 'DELETE' then
    -- Gone with its draft or its company, or with the visit's photo: always.
    if v_estimate.id is null or v_estimate.status = 'draft'
       or not exists (select from public.visit_files f
                       where f.tenant_id = old.tenant_id and f.id = old.file_id) then
      return old;
    end if;
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  -- An estimate or photo that is not the company's is the composite keys' to refuse.
  if v_estimate.id is null
     or not exists (select from public.visit_files f
                     where f.tenant_id = new.tenant_id and f.id = new.file_id) then
    return new;
  end if;
  if v_estimate.status <> 'draft' then
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  if not exists (
    select from public.visit_files f
    join public.visits v on v.tenant_id = f.tenant_id and v.id = f.visit_id
    where f.tenant_id = new.tenant_id and f.id = new.file_id and f.kind = 'photo'
      and v.job_id = v_estimate.job_id
  ) then
    raise exception 'an estimate shows only photos from the visits of its job'
      using errcode = 'check_violation', constraint = 'estimate_photos_from_the_job';
  end if;
  return new;
end
$$;
revoke all on function app.estimate_photos_checked() from public;

create trigger estimate_photos_checked
  before insert or update or delete on public.estimate_photos
  for each row execute function app.estimate_photos_checked();

-- What the audit log seals for erasure (P-10): a caption may name the homeowner.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.estimate_photos', 'estimate_id', 'public.estimates');
insert into audit.personal_columns (table_name, column_name) values
  ('public.estimate_photos', 'caption');
