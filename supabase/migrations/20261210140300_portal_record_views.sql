-- "Who looked at my record": the homeowner sees, from the audit log's access entries, when a
-- member of the company opened their record (the member's role and first name, and when), and
-- their own downloads of their data are recorded in the same log. Homeowners cannot read the
-- audit schema or the staff's names: both go through the definers below.

-- Why: the recorded reads of the signed-in customer's record and of its jobs, visits, estimates
-- and invoices by the company's members, newest first, `p_limit` at a time before `p_before`
-- (keyset paging). Only the role, the first name, the time and which page; never another
-- customer's, and nothing for anyone who is not a signed-in homeowner.
create function app.portal_record_views(p_before timestamptz default null,
                                        p_limit integer default 50)
returns table (role text, first_name text, viewed_at timestamptz, what text, view text)
language sql stable security definer set search_path = ''
as $$
  with me as (select s.tenant_id, s.customer_id from app.portal_session() s
               where s.id is not null),
  mine (table_name, row_key) as (
    select 'public.customers', me.customer_id::text from me
    union all
    select 'public.jobs', j.id::text from me join public.jobs j
      on j.tenant_id = me.tenant_id and j.customer_id = me.customer_id
    union all
    select 'public.visits', v.id::text from me
      join public.jobs j on j.tenant_id = me.tenant_id and j.customer_id = me.customer_id
      join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
    union all
    select 'public.estimates', e.id::text from me join public.estimates e
      on e.tenant_id = me.tenant_id and e.customer_id = me.customer_id
    union all
    select 'public.invoices', i.id::text from me join public.invoices i
      on i.tenant_id = me.tenant_id and i.customer_id = me.customer_id
  )
  select m.role, nullif(split_part(btrim(m.full_name), ' ', 1), ''), c.changed_at,
         case c.table_name when 'public.customers' then 'your record'
                           when 'public.jobs' then 'a job'
                           when 'public.visits' then 'a visit'
                           when 'public.estimates' then 'an estimate'
                           else 'an invoice' end,
         coalesce(c.new_values ->> 'view', '')
    from me
    cross join mine
    join audit.changes c
      on c.tenant_id = me.tenant_id and c.table_name = mine.table_name
     and c.row_key = mine.row_key and c.operation = 'access'
    join public.memberships m on m.tenant_id = c.tenant_id and m.account_id = c.actor_id
   where p_before is null or c.changed_at < p_before
   order by c.changed_at desc, c.id desc
   limit least(greatest(coalesce(p_limit, 50), 1), 200)
$$;
revoke execute on function app.portal_record_views(timestamptz, integer) from public;
grant execute on function app.portal_record_views(timestamptz, integer) to authenticated;

-- Why: a homeowner's download of their own data is a read of their record like any other:
-- one access entry on their customer row, saying which download (a view name and a format
-- from a short list, nothing free).
create function app.portal_record_access(p_view text, p_format text) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  if me.id is null then
    raise exception 'only a signed-in homeowner records their reads'
      using errcode = 'insufficient_privilege';
  end if;
  if coalesce(p_view, '') !~ '^[a-z][a-z -]{0,40}$' or coalesce(p_format, '') !~ '^[a-z]{1,10}$' then
    raise exception 'a view and a format are short lowercase words'
      using errcode = 'invalid_parameter_value';
  end if;
  perform audit.append(me.tenant_id, 'public.customers', me.customer_id::text, 'access', null,
                       jsonb_build_object('view', p_view, 'format', p_format,
                                          'shown_in', 'portal'));
end
$$;
revoke execute on function app.portal_record_access(text, text) from public;
grant execute on function app.portal_record_access(text, text) to authenticated;
