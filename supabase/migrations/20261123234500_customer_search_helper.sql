-- Customer search under row-level security.
--
-- LIKE and ILIKE are not leakproof, so under row-level security PostgreSQL will not use them as
-- index conditions (a non-leakproof function must not see rows before the policies have
-- filtered them): the trigram indexes went unused and every search read the whole company
-- (bench/customers.py: 100-270 ms at 100,000 customers). This helper runs the match as the
-- table owner, where the indexes apply, limited by hand to exactly what the select policies
-- allow: the caller's company, office roles. It returns ids only; the page itself is read
-- under row-level security as before. Keep it in step with supabase/policies/customers.sql.

create function app.customer_ids_matching(
  p_text text, p_digits text, p_address text, p_limit integer
) returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select matched.id from (
    select c.id from public.customers c
    where c.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and (c.search_text ilike p_text or c.search_text ilike p_digits)
    union all
    select pr.customer_id from public.properties pr
    where pr.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and pr.search_text ilike p_address
    union all
    select ct.customer_id from public.customer_contacts ct
    where ct.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and (ct.full_name || ' ' || ct.email || ' ' || regexp_replace(ct.phone, '[^0-9]', '', 'g'))
          ilike any (array[p_text, p_digits])
    limit p_limit
  ) matched
$$;
grant execute on function app.customer_ids_matching(text, text, text, integer) to authenticated;
