-- Online booking (issue 14): homeowners book a visit from the company's live capacity, signed
-- in through the portal or, as new customers, on the company's public booking page
-- (`/book/<slug>`). What may be booked online, how far ahead and how soon is the company's to
-- decide; every company has one row of these settings from the day it is created.

-- Why: the company's online booking rules (owners and admins change them). `slug` names the
-- public page: 20 random hex characters (80 bits) unless the company chooses a readable one; the
-- page answers only while `public_page` is on. `portal_change_cutoff_hours` is how close to its
-- window a homeowner may still move or cancel a visit in the portal.
create table public.online_booking_settings (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  slug text not null
    default substr(encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea),
                          'hex'), 1, 20)
    constraint online_booking_settings_slug_once unique
    constraint online_booking_settings_slug_format
    check (slug ~ '^[a-z0-9][a-z0-9-]{2,46}[a-z0-9]$' and slug !~ '--'),
  public_page boolean not null default false,
  kinds text[] not null default '{repair,maintenance}'
    constraint online_booking_settings_kinds_known
    check (kinds <@ array['repair', 'maintenance', 'install', 'estimate']),
  horizon_days integer not null default 14
    constraint online_booking_settings_horizon_range check (horizon_days between 1 and 60),
  lead_hours integer not null default 24
    constraint online_booking_settings_lead_range check (lead_hours between 0 and 336),
  needs_confirmation boolean not null default true,
  buffer_minutes integer not null default 30
    constraint online_booking_settings_buffer_range check (buffer_minutes between 0 and 240),
  window_hours integer not null default 2
    constraint online_booking_settings_window_range check (window_hours between 1 and 8),
  portal_change_cutoff_hours integer not null default 24
    constraint online_booking_settings_cutoff_range
    check (portal_change_cutoff_hours between 0 and 336),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint online_booking_settings_one_per_company unique (tenant_id)
);
revoke all on public.online_booking_settings from anon, authenticated;
grant select, update (slug, public_page, kinds, horizon_days, lead_hours, needs_confirmation,
                      buffer_minutes, window_hours, portal_change_cutoff_hours, updated_at)
  on public.online_booking_settings to authenticated;
alter table public.online_booking_settings enable row level security;

insert into public.online_booking_settings (tenant_id) select t.id from public.tenants t;

-- Why: a new company gets its settings row (booking off for the public, the portal's defaults),
-- so every reader can join it and the settings page only ever updates.
create function app.online_booking_settings_for_new_company() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.online_booking_settings (tenant_id) values (new.id)
  on conflict (tenant_id) do nothing;
  return null;
end
$$;
revoke execute on function app.online_booking_settings_for_new_company() from public;

create trigger online_booking_settings after insert on public.tenants
  for each row execute function app.online_booking_settings_for_new_company();

-- Why: every visit booked online, with the window the homeowner picked. A company that confirms
-- online bookings first gets the visit unscheduled (`awaiting`) until the office confirms the
-- requested window (or another) or declines it; otherwise it is `booked` at once.
create table public.online_bookings (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  job_id uuid not null,
  customer_id uuid not null,
  source text not null constraint online_bookings_source_check check (source in ('portal', 'public')),
  requested_starts_at timestamptz not null,
  requested_ends_at timestamptz not null,
  status text not null constraint online_bookings_status_check
    check (status in ('booked', 'awaiting', 'confirmed', 'declined')),
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint online_bookings_once_per_visit unique (tenant_id, visit_id),
  constraint online_bookings_window_order check (requested_ends_at > requested_starts_at),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade,
  foreign key (tenant_id, job_id) references public.jobs (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id)
    on delete cascade
);
create index online_bookings_awaiting_idx on public.online_bookings (tenant_id, created_at)
  where status = 'awaiting';
create index online_bookings_customer_idx on public.online_bookings (tenant_id, customer_id);
revoke all on public.online_bookings from anon, authenticated;
grant select on public.online_bookings to authenticated;
alter table public.online_bookings enable row level security;
