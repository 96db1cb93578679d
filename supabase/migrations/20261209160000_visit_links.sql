-- A homeowner's link to their visit, carried by the booking confirmation and the reminder
-- (jobs/notices.py): the window, the technician's first name once someone is assigned, "on the
-- way" when they are, and how to reach the company. No sign-in: the link holds a token minted
-- here (iam.new_token: 256 bits, only its hash kept), as the estimate and invoice links do; it
-- works until 30 days after the visit's window and only while the visit is not canceled.

-- Why: one row per link made; the token's hash is kept as a digest in the audit log.
create table public.visit_links (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  visit_id uuid not null,
  token_hash bytea not null constraint visit_links_token_once unique,
  created_at timestamptz not null default now(),
  closes_at timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, visit_id) references public.visits (tenant_id, id) on delete cascade
);
create index visit_links_visit_idx on public.visit_links (tenant_id, visit_id);
comment on column public.visit_links.token_hash is '@audit-digest';
revoke all on public.visit_links from anon, authenticated;
grant select on public.visit_links to authenticated;
alter table public.visit_links enable row level security;

-- Why: the worker's links for the messages it is about to queue (service role only, across
-- companies): one new link for each (company, visit) given, open until 30 days after the
-- visit's window; the tokens are returned once, to be put in the messages, never kept.
create function app.mint_visit_links(p_tenants uuid[], p_visits uuid[])
returns table (visit_id uuid, token text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_visit record;
  v_token record;
begin
  -- One token per visit: iam.new_token() drawn in a loop, never once for a whole statement.
  for v_visit in
    select v.tenant_id, v.id, coalesce(v.window_ends_at, now()) + interval '30 days' as closes
      from unnest(p_tenants, p_visits) as w (tenant_id, id)
      join public.visits v on v.tenant_id = w.tenant_id and v.id = w.id
  loop
    select * into v_token from iam.new_token();
    insert into public.visit_links (tenant_id, visit_id, token_hash, closes_at)
    values (v_visit.tenant_id, v_visit.id, v_token.token_hash, v_visit.closes);
    visit_id := v_visit.id;
    token := v_token.token;
    return next;
  end loop;
end
$$;
revoke execute on function app.mint_visit_links(uuid[], uuid[]) from public;
grant execute on function app.mint_visit_links(uuid[], uuid[]) to service_role;

-- Why: the visit a link opens while it is open (its hash computed here), for the definers
-- below; no grant.
create function app.visit_of_link(p_token text)
returns public.visits
language sql stable set search_path = ''
as $$
  select v.* from public.visit_links l
  join public.visits v on v.tenant_id = l.tenant_id and v.id = l.visit_id
  where l.token_hash = iam.token_hash(p_token) and now() < l.closes_at
    and v.status <> 'canceled'
$$;
revoke execute on function app.visit_of_link(text) from public;

-- Why: the company and visit a link opens, to hand the token to the browser's session (the
-- token holder's role only).
create function app.visit_link_place(p_token text)
returns table (tenant_id uuid, visit_id uuid)
language sql stable security definer set search_path = ''
as $$
  select v.tenant_id, v.id from app.visit_of_link(p_token) v where v.id is not null
$$;
revoke execute on function app.visit_link_place(text) from public;
grant execute on function app.visit_link_place(text) to plenum_signin;

-- Why: what the homeowner's visit page shows, and nothing else: the company's name, phone and
-- logo, the window in the company's zone, the status, the job's kind, the street, and the
-- first name of the first assigned technician. Null for a closed or unknown link.
create function app.visit_by_link(p_token text)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', v.id, 'status', v.status,
    'window_starts_at', v.window_starts_at, 'window_ends_at', v.window_ends_at,
    'time_zone', coalesce(p.time_zone, t.time_zone),
    'job', j.kind, 'street', p.street, 'city', p.city,
    'company', t.name, 'company_phone', t.phone, 'logo_key', t.logo_key,
    'technician', (select split_part(btrim(m.full_name), ' ', 1)
                     from public.visit_assignments a
                     join public.memberships m
                       on m.tenant_id = a.tenant_id and m.account_id = a.technician_id
                    where a.tenant_id = v.tenant_id and a.visit_id = v.id
                    order by a.created_at, a.id limit 1))
  from app.visit_of_link(p_token) v
  join public.jobs j on j.tenant_id = v.tenant_id and j.id = v.job_id
  join public.properties p on p.tenant_id = j.tenant_id and p.id = j.property_id
  join public.tenants t on t.id = v.tenant_id
  where v.id is not null
$$;
revoke execute on function app.visit_by_link(text) from public;
grant execute on function app.visit_by_link(text) to plenum_signin;
