-- The growth scenario's companies, made by the database (bench/growth.py): companies n in
-- [first, last], each with a dispatcher and two technicians, 20 customers with a property and a
-- job, and 20 visits booked on the day (each technician 8:00 to 17:00 on the hour, 45 minutes).
-- Ids are digests of the company's number, so company 1 is the same in every build. Loaded by
-- the owner with triggers off (see bench/README.md, `scale`); constraints still apply.

-- name: companies
insert into public.tenants (id, name, time_zone)
select md5('growth-t' || n)::uuid, 'Growth ' || n, 'America/New_York'
from generate_series(%(first)s::int, %(last)s::int) n;

-- name: people
insert into iam.accounts (id, email, full_name, password_hash)
select md5('growth-a' || n || r)::uuid, r || n || '@growth.bench', initcap(r) || ' ' || n,
       case when n = 1 and r = 'dispatch' then %(password_hash)s else '$argon2id$bench' end
from generate_series(%(first)s::int, %(last)s::int) n,
     unnest(array['dispatch', 'techa', 'techb']) r;

-- name: members
insert into public.memberships (tenant_id, account_id, full_name, email, role)
select md5('growth-t' || n)::uuid, md5('growth-a' || n || r)::uuid, initcap(r) || ' ' || n,
       r || n || '@growth.bench', case r when 'dispatch' then 'dispatcher' else 'technician' end
from generate_series(%(first)s::int, %(last)s::int) n,
     unnest(array['dispatch', 'techa', 'techb']) r;

-- name: customers
insert into public.customers (tenant_id, id, first_name, last_name)
select md5('growth-t' || n)::uuid, md5('growth-c' || n || '-' || i)::uuid, 'Pat' || i, 'Nowak'
from generate_series(%(first)s::int, %(last)s::int) n, generate_series(1, 20) i;

-- name: properties
insert into public.properties (tenant_id, id, customer_id, street, city, region, postal_code)
select md5('growth-t' || n)::uuid, md5('growth-p' || n || '-' || i)::uuid,
       md5('growth-c' || n || '-' || i)::uuid, i || ' Elm Street', 'Boston', 'MA', '02110'
from generate_series(%(first)s::int, %(last)s::int) n, generate_series(1, 20) i;

-- name: jobs
insert into public.jobs (tenant_id, id, customer_id, property_id, kind, priority, summary)
select md5('growth-t' || n)::uuid, md5('growth-j' || n || '-' || i)::uuid,
       md5('growth-c' || n || '-' || i)::uuid, md5('growth-p' || n || '-' || i)::uuid,
       'repair', 'normal', 'No heat'
from generate_series(%(first)s::int, %(last)s::int) n, generate_series(1, 20) i;

-- name: visits
insert into public.visits (tenant_id, id, job_id, status, window_starts_at, window_ends_at,
                           scheduled_at, duration_minutes)
select md5('growth-t' || n)::uuid, md5('growth-v' || n || '-' || i)::uuid,
       md5('growth-j' || n || '-' || i)::uuid, 'scheduled',
       %(day)s::timestamptz + make_interval(hours => 8 + (i - 1) %% 10),
       %(day)s::timestamptz + make_interval(hours => 10 + (i - 1) %% 10), now(), 45
from generate_series(%(first)s::int, %(last)s::int) n, generate_series(1, 20) i;

-- name: assignments
insert into public.visit_assignments (tenant_id, visit_id, technician_id, booked)
select md5('growth-t' || n)::uuid, md5('growth-v' || n || '-' || i)::uuid,
       md5('growth-a' || n || case when i <= 10 then 'techa' else 'techb' end)::uuid,
       tstzrange(%(day)s::timestamptz + make_interval(hours => 8 + (i - 1) %% 10),
                 %(day)s::timestamptz + make_interval(hours => 8 + (i - 1) %% 10, mins => 45))
from generate_series(%(first)s::int, %(last)s::int) n, generate_series(1, 20) i;
