-- The homeowner's portal: who a portal request is, and what it may read.
--
-- A homeowner signs in by proving control of the email or mobile number their company has on
-- file, and then works as ONE customer of ONE company. Their requests run as `authenticated`
-- with the claims {"sub": <portal session id>, "tenant_id": …, "customer_id": …, "portal": true}
-- and no staff role: `app.tenant_id()` finds no membership for them, so every staff policy
-- refuses them, and the homeowner policies below key on `app.portal_customer_id()`, which, like
-- `app.tenant_id()`, checks on every statement that the session is still open and the
-- customer still there (a removed customer's session sees nothing on its next request).

-- Why: the company's colour on its portal and booking pages (its name and logo are already kept).
alter table public.tenants
  add column brand_colour text not null default '#1d4ed8'
    constraint tenants_brand_colour_format check (brand_colour ~ '^#[0-9a-f]{6}$');

-- Why: a homeowner's signed-in browser, server-side, so that signing out (or the office removing
-- the customer) ends it at once; only the hash of the cookie's secret is kept. `address` is the
-- email or number that was proved, for "signed in as".
create table iam.portal_sessions (
  id uuid primary key default gen_random_uuid(),
  token_hash bytea not null constraint portal_sessions_token_once unique,
  tenant_id uuid not null,
  customer_id uuid not null,
  address text not null constraint portal_sessions_address_length check (length(address) <= 320),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz,
  unique (tenant_id, id),
  foreign key (tenant_id, customer_id) references public.customers (tenant_id, id) on delete cascade
);
create index portal_sessions_customer_idx on iam.portal_sessions (tenant_id, customer_id);
create index portal_sessions_expired_idx on iam.portal_sessions (expires_at);
alter table iam.portal_sessions enable row level security;
revoke all on iam.portal_sessions from anon, authenticated;

-- Why: the open portal session the claims name, if they are a homeowner's (no grant: the
-- helpers below answer for it).
create function app.portal_session() returns iam.portal_sessions
language plpgsql stable security definer set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  found iam.portal_sessions;
begin
  if coalesce(claims ->> 'portal', '') <> 'true' then
    return null;
  end if;
  select s.* into found
    from iam.portal_sessions s
    join public.tenants t on t.id = s.tenant_id and t.status = 'active'
   where s.id = auth.uid()
     and s.tenant_id::text = claims ->> 'tenant_id'
     and s.customer_id::text = claims ->> 'customer_id'
     and s.ended_at is null and s.expires_at > now();
  return found;
end
$$;
revoke execute on function app.portal_session() from public;

-- Why: the company of a signed-in homeowner (null for everyone else), for portal policies.
create function app.portal_tenant_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_session()).tenant_id; end $$;

-- Why: the customer a signed-in homeowner is (null for everyone else), for portal policies.
create function app.portal_customer_id() returns uuid
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_session()).customer_id; end $$;

-- Why: the rows of the signed-in customer that other rows hang from, computed once per statement
-- for the policies of tables without a customer column. Only documents that were sent count:
-- a draft is the office's until it goes out.
create function app.portal_seen(
  out property_ids uuid[], out job_ids uuid[], out visit_ids uuid[],
  out estimate_ids uuid[], out invoice_ids uuid[]
)
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  if me.id is null then
    return;
  end if;
  property_ids := array(select p.id from public.properties p
                         where p.tenant_id = me.tenant_id and p.customer_id = me.customer_id);
  job_ids := array(select j.id from public.jobs j
                    where j.tenant_id = me.tenant_id and j.customer_id = me.customer_id);
  visit_ids := array(select v.id from public.visits v
                      where v.tenant_id = me.tenant_id and v.job_id = any (job_ids));
  estimate_ids := array(select e.id from public.estimates e
                         where e.tenant_id = me.tenant_id and e.customer_id = me.customer_id
                           and e.status <> 'draft');
  invoice_ids := array(select i.id from public.invoices i
                        where i.tenant_id = me.tenant_id and i.customer_id = me.customer_id
                          and i.status <> 'draft');
end
$$;
revoke execute on function app.portal_seen() from public;

create function app.portal_property_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_seen()).property_ids; end $$;

create function app.portal_job_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_seen()).job_ids; end $$;

create function app.portal_visit_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_seen()).visit_ids; end $$;

create function app.portal_estimate_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_seen()).estimate_ids; end $$;

create function app.portal_invoice_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$ begin return (app.portal_seen()).invoice_ids; end $$;

revoke execute on function app.portal_tenant_id(), app.portal_customer_id(),
  app.portal_property_ids(), app.portal_job_ids(), app.portal_visit_ids(),
  app.portal_estimate_ids(), app.portal_invoice_ids() from public;
grant execute on function app.portal_tenant_id(), app.portal_customer_id(),
  app.portal_property_ids(), app.portal_job_ids(), app.portal_visit_ids(),
  app.portal_estimate_ids(), app.portal_invoice_ids() to authenticated;

-- Why: the portal page's first read: the session a browser's secret opens (hashed here), for the
-- claims of the request. The pre-sign-in role only; a closed or unknown secret answers nothing.
create function app.portal_session_of(p_token text)
returns table (session_id uuid, tenant_id uuid, customer_id uuid)
language sql stable security definer set search_path = ''
as $$
  select s.id, s.tenant_id, s.customer_id
    from iam.portal_sessions s
    join public.tenants t on t.id = s.tenant_id and t.status = 'active'
   where s.token_hash = iam.token_hash(left(p_token, 200))
     and s.ended_at is null and s.expires_at > now()
$$;
revoke execute on function app.portal_session_of(text) from public;
grant execute on function app.portal_session_of(text) to plenum_signin;

-- Why: sign-out: the homeowner ends their own session (the one the claims name).
create function app.end_portal_session() returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  update iam.portal_sessions s set ended_at = now()
   where s.id = (app.portal_session()).id and s.ended_at is null;
end
$$;
revoke execute on function app.end_portal_session() from public;
grant execute on function app.end_portal_session() to authenticated;
