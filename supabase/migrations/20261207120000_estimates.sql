-- Estimates: what a company proposes to a customer for a property, from a job or on their own,
-- as one or more options (good / better / best), each a list of lines copied from the price
-- book or written by hand. A line keeps its own description and price: the price book can
-- change without changing an estimate already made.
--
-- Amounts are not stored: an option's totals follow from its lines and the estimate's own copy
-- of the tax rates by app/money.py's rule (each line's amounts rounded half-up to the cent,
-- totals are sums of rounded line amounts). `public.estimate_option_totals` computes the same
-- in SQL for lists; tests compare the two.
--
-- Statuses: draft → sent → viewed → approved (one option) / declined / expired. Only a draft's
-- options and lines change (the database refuses anything else); a sent estimate is changed by
-- a new revision, a draft with the same number and the next revision, and the old one becomes
-- `revised`.
--
-- Office staff manage every estimate; technicians see and make estimates for the jobs of their
-- own visits (app.technician_job_ids()).

-- Why: an estimate made from a job is for that job's customer and property (the composite key
-- below says so, and a job never changes place: jobs_stay_where_they_are).
alter table public.jobs add constraint jobs_place_key unique (tenant_id, id, customer_id, property_id);

-- Why: numbers per company and kind (estimates now, invoices later), given in the inserting
-- transaction under a row lock, so two documents made at the same moment get consecutive
-- numbers and a rolled-back one leaves no gap. Written only by the numbering trigger.
create table app.document_numbers (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  kind text not null constraint document_numbers_kind_check check (kind in ('estimate', 'invoice')),
  last_number integer not null constraint document_numbers_positive check (last_number > 0),
  primary key (tenant_id, kind)
);
alter table app.document_numbers enable row level security;
revoke all on app.document_numbers from anon, authenticated, service_role;

create table public.estimates (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  number integer not null,
  revision integer not null default 1 constraint estimates_revision_positive check (revision >= 1),
  revises_id uuid,
  customer_id uuid not null,
  property_id uuid not null,
  job_id uuid,
  title text not null constraint estimates_title_length
    check (length(btrim(title)) between 1 and 200 and title = btrim(title)),
  note text not null default '' constraint estimates_note_length check (length(note) <= 5000),
  valid_until date not null,
  currency text not null constraint estimates_currency_code check (currency ~ '^[A-Z]{3}$'),
  status text not null default 'draft' constraint estimates_status_check
    check (status in ('draft', 'sent', 'viewed', 'approved', 'declined', 'expired', 'revised')),
  approved_option_id uuid,
  sent_at timestamptz,
  viewed_at timestamptz,
  approved_at timestamptz,
  declined_at timestamptz,
  decline_reason text not null default '' constraint estimates_decline_reason_length
    check (length(decline_reason) <= 1000),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint estimates_approved_has_option check (
    (status = 'approved') = (approved_option_id is not null and approved_at is not null)
  ),
  constraint estimates_declined_has_time check ((status = 'declined') = (declined_at is not null)),
  constraint estimates_sent_has_time check (status in ('draft', 'revised') or sent_at is not null),
  constraint estimates_revision_once unique (tenant_id, number, revision),
  primary key (tenant_id, id),
  -- What the options, lines and the approved option refer to.
  unique (tenant_id, id, customer_id),
  foreign key (tenant_id, customer_id, property_id)
    references public.properties (tenant_id, customer_id, id) on delete cascade,
  foreign key (tenant_id, job_id, customer_id, property_id)
    references public.jobs (tenant_id, id, customer_id, property_id) on delete cascade,
  foreign key (tenant_id, revises_id) references public.estimates (tenant_id, id)
);
create index estimates_customer_idx on public.estimates (tenant_id, customer_id, created_at desc);
create index estimates_job_idx on public.estimates (tenant_id, job_id) where job_id is not null;
create index estimates_list_idx on public.estimates (tenant_id, created_at desc, id);
create index estimates_status_idx on public.estimates (tenant_id, status, created_at desc);
revoke all on public.estimates from anon, authenticated;
grant select, insert, update, delete on public.estimates to authenticated;
alter table public.estimates enable row level security;

create trigger stamp_created_by before insert or update on public.estimates
  for each row execute function app.stamp_author('created_by');

create table public.estimate_options (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  estimate_id uuid not null,
  position smallint not null constraint estimate_options_position_range
    check (position between 0 and 9),
  name text not null constraint estimate_options_name_length
    check (length(btrim(name)) between 1 and 60 and name = btrim(name)),
  description text not null default '' constraint estimate_options_description_length
    check (length(description) <= 2000),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, estimate_id, id),
  constraint estimate_options_position_once unique (tenant_id, estimate_id, position),
  foreign key (tenant_id, estimate_id) references public.estimates (tenant_id, id)
    on delete cascade
);
revoke all on public.estimate_options from anon, authenticated;
grant select, insert, update, delete on public.estimate_options to authenticated;
alter table public.estimate_options enable row level security;

-- The approved option is one of the estimate's own.
alter table public.estimates add constraint estimates_approved_option_fkey
  foreign key (tenant_id, id, approved_option_id)
  references public.estimate_options (tenant_id, estimate_id, id)
  deferrable initially deferred;

create table public.estimate_lines (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  estimate_id uuid not null,
  option_id uuid not null,
  position integer not null default 0,
  -- Where the line came from in the price book (none for a line written by hand); the line
  -- keeps its own copy of what it says and costs.
  price_item_id uuid,
  kind text not null default 'service' constraint estimate_lines_kind_check
    check (kind in ('service', 'material', 'labour', 'package', 'other')),
  description text not null constraint estimate_lines_description_length
    check (length(btrim(description)) between 1 and 2000),
  quantity numeric(10, 2) not null constraint estimate_lines_quantity_range
    check (quantity > 0 and quantity <= 100000),
  unit text not null default 'each' constraint estimate_lines_unit_length
    check (length(unit) between 1 and 20),
  unit_price numeric(12, 2) not null constraint estimate_lines_unit_price_range
    check (unit_price >= 0 and unit_price <= 9999999999.99),
  discount_percent numeric(5, 2) not null default 0 constraint estimate_lines_discount_range
    check (discount_percent >= 0 and discount_percent <= 100),
  taxable boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, estimate_id, option_id)
    references public.estimate_options (tenant_id, estimate_id, id) on delete cascade,
  foreign key (tenant_id, price_item_id) references public.price_items (tenant_id, id)
);
create index estimate_lines_option_idx on public.estimate_lines (tenant_id, option_id, position);
create index estimate_lines_estimate_idx on public.estimate_lines (tenant_id, estimate_id);
create index estimate_lines_item_idx on public.estimate_lines (tenant_id, price_item_id)
  where price_item_id is not null;
revoke all on public.estimate_lines from anon, authenticated;
grant select, insert, update, delete on public.estimate_lines to authenticated;
alter table public.estimate_lines enable row level security;

-- The estimate's own copy of the tax rates it charges (from the company's applying rates when
-- it was made), so a later change of a rate changes no estimate already made.
create table public.estimate_tax_rates (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  estimate_id uuid not null,
  position smallint not null default 0,
  name text not null constraint estimate_tax_rates_name_length
    check (length(btrim(name)) between 1 and 100),
  percent numeric(7, 4) not null constraint estimate_tax_rates_percent_range
    check (percent >= 0 and percent <= 100),
  primary key (tenant_id, id),
  foreign key (tenant_id, estimate_id) references public.estimates (tenant_id, id)
    on delete cascade
);
create index estimate_tax_rates_estimate_idx on public.estimate_tax_rates (tenant_id, estimate_id);
revoke all on public.estimate_tax_rates from anon, authenticated;
grant select, insert, update, delete on public.estimate_tax_rates to authenticated;
alter table public.estimate_tax_rates enable row level security;

-- Why: each estimate gets the next number of its company, or keeps the number of the estimate
-- it revises (with the next revision). A definer only to write app.document_numbers; as a
-- trigger it cannot be called on its own, and the row it numbers passed the caller's policies.
create function app.number_estimate() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.revises_id is not null then
    select e.number, e.revision + 1 into new.number, new.revision
      from public.estimates e
     where e.tenant_id = new.tenant_id and e.id = new.revises_id;
    if not found then
      raise exception 'the estimate revised does not exist'
        using errcode = 'foreign_key_violation', constraint = 'estimates_revises_id_fkey';
    end if;
    return new;
  end if;
  insert into app.document_numbers as d (tenant_id, kind, last_number)
  values (new.tenant_id, 'estimate', 1001)
  on conflict (tenant_id, kind) do update set last_number = d.last_number + 1
  returning d.last_number into new.number;
  new.revision := 1;
  return new;
end
$$;
revoke all on function app.number_estimate() from public;

create trigger estimates_number
  before insert on public.estimates
  for each row execute function app.number_estimate();

-- Why: what an estimate says is fixed once it is sent. Its options, lines and tax rates change
-- only while it is a draft (a sent one is changed by a new revision); deleting a whole draft
-- estimate removes them with it.
create function app.estimate_parts_draft_only() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_estimate uuid := case tg_op when 'DELETE' then old.estimate_id else new.estimate_id end;
  v_tenant uuid := case tg_op when 'DELETE' then old.tenant_id else new.tenant_id end;
  v_status text;
begin
  select e.status into v_status from public.estimates e
   where e.tenant_id = v_tenant and e.id = v_estimate;
  if v_status is not null and v_status <> 'draft' then
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end
$$;

create trigger estimate_options_draft_only
  before insert or update or delete on public.estimate_options
  for each row execute function app.estimate_parts_draft_only();
create trigger estimate_lines_draft_only
  before insert or update or delete on public.estimate_lines
  for each row execute function app.estimate_parts_draft_only();
create trigger estimate_tax_rates_draft_only
  before insert or update or delete on public.estimate_tax_rates
  for each row execute function app.estimate_parts_draft_only();

-- Why: an estimate keeps what it was made for: its number, customer, property, job and
-- currency never change (but an estimate made without a job gets the job its approval makes,
-- at the same place: the key says so), and a draft's title, note and validity change only
-- while it is one.
create function app.estimates_keep_their_place() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if (new.number, new.revision, new.customer_id, new.property_id, new.currency, new.revises_id)
     is distinct from
     (old.number, old.revision, old.customer_id, old.property_id, old.currency, old.revises_id)
     or (new.job_id is distinct from old.job_id and old.job_id is not null)
  then
    raise exception 'an estimate keeps its number, customer, property, job and currency'
      using errcode = 'check_violation', constraint = 'estimates_keep_their_place';
  end if;
  if old.status <> 'draft'
     and (new.title, new.note, new.valid_until) is distinct from (old.title, old.note, old.valid_until)
  then
    raise exception 'only a draft estimate changes; revise a sent one'
      using errcode = 'check_violation', constraint = 'estimates_draft_only';
  end if;
  return new;
end
$$;

create trigger estimates_keep_their_place
  before update on public.estimates
  for each row execute function app.estimates_keep_their_place();

-- Why: the estimates a technician may see: those of the jobs of their own visits. Invoker: it
-- reads public.estimates under the caller's own policies.
create function app.technician_estimate_ids() returns uuid[]
language sql stable set search_path = ''
as $$
  select coalesce(array_agg(e.id), '{}')
  from public.estimates e
  where e.tenant_id = (select app.tenant_id())
    and e.job_id = any ((select app.technician_job_ids())::uuid[])
$$;
revoke all on function app.technician_estimate_ids() from public;
grant execute on function app.technician_estimate_ids() to authenticated;

-- An option's totals by app/money.py's rule, for lists and the dashboard: each line's extended
-- price, discount and each tax rounded to the cent (round() is half away from zero, half-up
-- for these non-negative amounts), then summed. Under the caller's own policies.
create view public.estimate_option_totals with (security_invoker = true) as
select o.tenant_id, o.estimate_id, o.id as option_id,
       coalesce(sum(l.extended), 0)::numeric(14, 2) as subtotal,
       coalesce(sum(l.discount), 0)::numeric(14, 2) as discount,
       coalesce(sum(l.tax), 0)::numeric(14, 2) as tax,
       coalesce(sum(l.extended - l.discount + l.tax), 0)::numeric(14, 2) as total
from public.estimate_options o
left join lateral (
  select x.extended, x.discount,
         case when x.taxable then coalesce((
           select sum(round((x.extended - x.discount) * r.percent / 100, 2))
           from public.estimate_tax_rates r
           where r.tenant_id = x.tenant_id and r.estimate_id = x.estimate_id), 0)
         else 0 end as tax
  from (
    select ln.tenant_id, ln.estimate_id, ln.taxable,
           round(ln.quantity * ln.unit_price, 2) as extended,
           round(round(ln.quantity * ln.unit_price, 2) * ln.discount_percent / 100, 2) as discount
    from public.estimate_lines ln
    where ln.tenant_id = o.tenant_id and ln.option_id = o.id
  ) x
) l on true
group by o.tenant_id, o.estimate_id, o.id;
revoke all on public.estimate_option_totals from anon, authenticated;
grant select on public.estimate_option_totals to authenticated;

-- What the audit log seals for erasure (P-10): the free text of an estimate may name the
-- homeowner.
insert into audit.personal_tables (table_name, subject_column, parent_table) values
  ('public.estimates', 'customer_id', null),
  ('public.estimate_options', 'estimate_id', 'public.estimates'),
  ('public.estimate_lines', 'estimate_id', 'public.estimates');
insert into audit.personal_columns (table_name, column_name) values
  ('public.estimates', 'title'),
  ('public.estimates', 'note'),
  ('public.estimates', 'decline_reason'),
  ('public.estimate_options', 'description'),
  ('public.estimate_lines', 'description');
