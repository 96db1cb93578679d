-- Customers, their contacts, properties and equipment: the office's records of who is served,
-- where, and what is installed there.

-- Why: substring search on names, phones, emails and addresses (trigram GIN indexes), with the
-- company's id leading each index (btree_gin lets a GIN index start with the uuid).
create extension if not exists pg_trgm with schema extensions;
create extension if not exists btree_gin with schema extensions;

-- Why: a household or a business that the company serves.
create table public.customers (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind text not null default 'residential' constraint customers_kind_check
    check (kind in ('residential', 'commercial')),
  first_name text not null default '',
  last_name text not null default '',
  company_name text not null default '',
  email text not null default '' constraint customers_email_format
    check (email = '' or (email = lower(btrim(email)) and email like '_%@_%')),
  -- E.164, validated by the app with `phonenumbers`.
  phone text not null default '' constraint customers_phone_e164
    check (phone = '' or phone ~ '^\+[1-9][0-9]{6,14}$'),
  preferred_contact text not null default 'sms' constraint customers_preferred_contact_check
    check (preferred_contact in ('sms', 'email', 'phone')),
  tags text[] not null default '{}',
  lead_source text not null default '',
  notes text not null default '',
  -- Contact preferences per channel (PROMISES.md P-15) and processing restriction (P-10).
  transactional_messages boolean not null default true,
  marketing_consent boolean not null default false,
  marketing_consent_at timestamptz,
  marketing_consent_source text not null default '',
  do_not_contact boolean not null default false,
  restrict_processing boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  display_name text generated always as (
    case when kind = 'commercial' and company_name <> '' then company_name
         else btrim(first_name || ' ' || last_name) end
  ) stored,
  -- What the search box matches: names, company, email and the phone's digits.
  search_text text generated always as (
    lower(first_name || ' ' || last_name || ' ' || company_name || ' ' || email || ' '
          || regexp_replace(phone, '[^0-9]', '', 'g'))
  ) stored,
  constraint customers_has_a_name check (
    btrim(first_name || last_name) <> '' or btrim(company_name) <> ''
  ),
  constraint customers_consent_has_a_time check (not marketing_consent or marketing_consent_at is not null),
  primary key (tenant_id, id)
);
create index customers_search_idx on public.customers
  using gin (tenant_id, search_text extensions.gin_trgm_ops);
-- Why: list pages sort by name or by newest, a company at a time.
create index customers_name_idx on public.customers (tenant_id, display_name, id);
create index customers_created_idx on public.customers (tenant_id, created_at desc, id);
-- Why: the import's duplicate check matches by email and by phone within a company.
create index customers_email_idx on public.customers (tenant_id, email) where email <> '';
create index customers_phone_idx on public.customers (tenant_id, phone) where phone <> '';
revoke all on public.customers from anon, authenticated;
grant select, insert, update, delete on public.customers to authenticated;

-- Why: the people at a (mostly commercial) customer: a property manager, a site contact.
create table public.customer_contacts (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  full_name text not null constraint customer_contacts_name_length
    check (length(btrim(full_name)) between 1 and 200),
  title text not null default '',
  email text not null default '' constraint customer_contacts_email_format
    check (email = '' or (email = lower(btrim(email)) and email like '_%@_%')),
  phone text not null default '' constraint customer_contacts_phone_e164
    check (phone = '' or phone ~ '^\+[1-9][0-9]{6,14}$'),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade
);
create index customer_contacts_customer_idx on public.customer_contacts (tenant_id, customer_id);
revoke all on public.customer_contacts from anon, authenticated;
grant select, insert, update, delete on public.customer_contacts to authenticated;

-- Why: a service location of a customer.
create table public.properties (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  label text not null default '',
  street text not null constraint properties_street_length
    check (length(btrim(street)) between 1 and 200),
  unit text not null default '',
  city text not null constraint properties_city_length
    check (length(btrim(city)) between 1 and 100),
  region text not null default '',
  postal_code text not null default '',
  country text not null default 'US' constraint properties_country_check
    check (country ~ '^[A-Z]{2}$'),
  property_type text not null default 'single_family' constraint properties_type_check
    check (property_type in ('single_family', 'multi_family', 'condo', 'townhouse',
                             'mobile_home', 'commercial', 'industrial', 'other')),
  square_feet integer constraint properties_square_feet_range
    check (square_feet between 1 and 10000000),
  year_built integer constraint properties_year_built_range
    check (year_built between 1700 and 2100),
  -- Gate and alarm codes: encrypted by the app (AES-256-GCM) and shown only to roles that need them.
  access_notes_encrypted text not null default '',
  notes text not null default '',
  -- Filled by the geocoding job; until then the property waits in the `pending` state.
  latitude numeric(9, 6),
  longitude numeric(9, 6),
  geocode_status text not null default 'pending' constraint properties_geocode_status_check
    check (geocode_status in ('pending', 'done', 'failed')),
  geocoded_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search_text text generated always as (
    lower(street || ' ' || unit || ' ' || city || ' ' || region || ' ' || postal_code)
  ) stored,
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade
);
create index properties_customer_idx on public.properties (tenant_id, customer_id);
create index properties_search_idx on public.properties
  using gin (tenant_id, search_text extensions.gin_trgm_ops);
-- Why: the geocoding job finds the properties still waiting, company by company.
create index properties_geocode_pending_idx on public.properties (tenant_id, created_at)
  where geocode_status = 'pending';
revoke all on public.properties from anon, authenticated;
grant select, insert, update, delete on public.properties to authenticated;

-- Why: what is installed at a property; its service history comes from visits later.
create table public.equipment (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  property_id uuid not null,
  kind text not null constraint equipment_kind_check
    check (kind in ('furnace', 'air_conditioner', 'heat_pump', 'boiler', 'mini_split',
                    'water_heater', 'thermostat', 'air_handler', 'humidifier', 'air_purifier',
                    'other')),
  brand text not null default '',
  model text not null default '',
  serial text not null default '',
  installed_on date,
  warranty_ends_on date,
  seer2 numeric(4, 1) constraint equipment_seer2_range check (seer2 between 1 and 50),
  afue numeric(4, 1) constraint equipment_afue_range check (afue between 1 and 100),
  hspf2 numeric(4, 1) constraint equipment_hspf2_range check (hspf2 between 1 and 30),
  refrigerant text not null default '',
  filter_size text not null default '',
  notes text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint equipment_warranty_after_install
    check (warranty_ends_on is null or installed_on is null or warranty_ends_on >= installed_on),
  primary key (tenant_id, id),
  foreign key (tenant_id, property_id) references public.properties (tenant_id, id)
    on delete cascade
);
create index equipment_property_idx on public.equipment (tenant_id, property_id);
revoke all on public.equipment from anon, authenticated;
grant select, insert, update, delete on public.equipment to authenticated;

-- Why: the customer's timeline: notes now; visits, estimates, invoices and messages join later.
create table public.customer_notes (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  customer_id uuid not null,
  author_id uuid,
  body text not null constraint customer_notes_body_length
    check (length(btrim(body)) between 1 and 5000),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade
);
create index customer_notes_customer_idx
  on public.customer_notes (tenant_id, customer_id, created_at desc);
revoke all on public.customer_notes from anon, authenticated;
grant select, insert, delete on public.customer_notes to authenticated;
