-- The price book: what a company charges, from which estimates and invoices copy their lines
-- (a line copies the description and price when it is made, so changing the book never changes
-- a document already made). Amounts are numeric to the cent in the company's currency
-- (`tenants.currency`); the rounding rule is app/money.py's, and the one place the database
-- computes an amount (a material's price from its cost and markup) checks it with the same
-- rule: half away from zero to the cent, which for the non-negative amounts here is half-up.
--
-- Everyone in the company reads the book (technicians price work on site); office staff change
-- it. Nothing in it names a homeowner.

create table public.price_categories (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  name text not null constraint price_categories_name_length
    check (length(btrim(name)) between 1 and 100 and name = btrim(name)),
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id) references public.tenants (id) on delete cascade
);
create unique index price_categories_name_once on public.price_categories (tenant_id, lower(name));
revoke all on public.price_categories from anon, authenticated;
grant select, insert, update on public.price_categories to authenticated;
alter table public.price_categories enable row level security;

-- What is sold:
-- - service: a flat-rate task ("Furnace tune-up"), priced per unit;
-- - material: a part, priced from its cost and markup (or by hand when no markup is given);
-- - labour: a rate, usually per hour;
-- - package: an install sold at one price, with the parts and labour it contains listed in
--   price_package_parts.
-- Member pricing (customers with an active service agreement): a separate price or a discount
-- in percent, never both.
create table public.price_items (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  kind text not null constraint price_items_kind_check
    check (kind in ('service', 'material', 'labour', 'package')),
  code text constraint price_items_code_format
    check (code is null or (length(code) between 1 and 40 and code = btrim(code))),
  name text not null constraint price_items_name_length
    check (length(btrim(name)) between 1 and 200 and name = btrim(name)),
  description text not null default '' constraint price_items_description_length
    check (length(description) <= 2000),
  category_id uuid,
  unit text not null default 'each' constraint price_items_unit_check
    check (unit in ('each', 'hour', 'foot', 'pound', 'gallon', 'ton', 'job')),
  price numeric(12, 2) not null constraint price_items_price_range
    check (price >= 0 and price <= 9999999999.99),
  cost numeric(12, 2) constraint price_items_cost_range
    check (cost is null or (cost >= 0 and cost <= 9999999999.99)),
  markup_percent numeric(7, 2) constraint price_items_markup_range
    check (markup_percent is null or (markup_percent >= 0 and markup_percent <= 10000)),
  member_price numeric(12, 2) constraint price_items_member_price_range
    check (member_price is null or (member_price >= 0 and member_price <= 9999999999.99)),
  member_discount_percent numeric(5, 2) constraint price_items_member_discount_range
    check (member_discount_percent is null
           or (member_discount_percent > 0 and member_discount_percent <= 100)),
  taxable boolean not null default true,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- What the book's search matches (name, code, description), lower-cased.
  search_text text generated always as (
    lower(name || ' ' || coalesce(code, '') || ' ' || description)
  ) stored,
  constraint price_items_member_pricing_one
    check (member_price is null or member_discount_percent is null),
  -- A markup is of a cost; the price it gives is the cost marked up, to the cent.
  constraint price_items_markup_needs_cost check (markup_percent is null or cost is not null),
  constraint price_items_markup_price
    check (markup_percent is null or price = round(cost * (100 + markup_percent) / 100, 2)),
  primary key (tenant_id, id),
  -- What a package's parts refer to: the item together with its kind (see below).
  unique (tenant_id, id, kind),
  foreign key (tenant_id) references public.tenants (id) on delete cascade,
  foreign key (tenant_id, category_id) references public.price_categories (tenant_id, id)
);
create unique index price_items_code_once on public.price_items (tenant_id, lower(code))
  where code is not null;
create index price_items_name_idx on public.price_items (tenant_id, lower(name), id);
create index price_items_category_idx on public.price_items (tenant_id, category_id)
  where category_id is not null;
create index price_items_search_idx on public.price_items
  using gin (tenant_id, search_text extensions.gin_trgm_ops);
revoke all on public.price_items from anon, authenticated;
grant select, insert, update on public.price_items to authenticated;
alter table public.price_items enable row level security;

-- The parts and labour a package contains, each with a quantity. A package is made of
-- services, materials and labour, never of another package: the kinds are part of the keys,
-- so the database refuses anything else.
create table public.price_package_parts (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  package_id uuid not null,
  package_kind text not null default 'package'
    constraint price_package_parts_package_kind check (package_kind = 'package'),
  item_id uuid not null,
  item_kind text not null constraint price_package_parts_item_kind
    check (item_kind in ('service', 'material', 'labour')),
  quantity numeric(10, 2) not null constraint price_package_parts_quantity_range
    check (quantity > 0 and quantity <= 100000),
  position integer not null default 0,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint price_package_parts_item_once unique (tenant_id, package_id, item_id),
  constraint price_package_parts_package_fkey foreign key (tenant_id, package_id, package_kind)
    references public.price_items (tenant_id, id, kind) on delete cascade,
  constraint price_package_parts_item_fkey foreign key (tenant_id, item_id, item_kind)
    references public.price_items (tenant_id, id, kind)
);
create index price_package_parts_item_idx on public.price_package_parts (tenant_id, item_id);
revoke all on public.price_package_parts from anon, authenticated;
grant select, insert, update, delete on public.price_package_parts to authenticated;
alter table public.price_package_parts enable row level security;

-- A company's sales taxes (e.g. a state's and a city's). Every active rate marked `applies`
-- is charged on each taxable line of a new estimate or invoice; the document keeps its own
-- copy of the rates it used.
create table public.tax_rates (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  name text not null constraint tax_rates_name_length
    check (length(btrim(name)) between 1 and 100 and name = btrim(name)),
  percent numeric(7, 4) not null constraint tax_rates_percent_range
    check (percent >= 0 and percent <= 100),
  applies boolean not null default true,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id) references public.tenants (id) on delete cascade
);
create unique index tax_rates_name_once on public.tax_rates (tenant_id, lower(name))
  where archived_at is null;
revoke all on public.tax_rates from anon, authenticated;
grant select, insert, update on public.tax_rates to authenticated;
alter table public.tax_rates enable row level security;
