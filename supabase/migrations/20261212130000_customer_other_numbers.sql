-- Issue 16: a customer's other phones and emails (customer_phones, customer_emails of
-- 20261212090000_imports_whole_book.sql) are theirs everywhere the customer's own number and
-- address are: the search box finds a customer by any of them, a restricted customer's other
-- numbers and addresses get no message, and an erasure leaves none of them behind (in the
-- messages, the outbox and the import files that carry them).

-- Why: the search box matches any part of a number or address (`ilike '%555014%'`): trigram
-- indexes. Not led by the company's id, unlike the customers' own search text: a number's
-- trigrams are digits, few and shared, so a GIN index that also lists the company's every row
-- spends its time on that list (50,000 numbers of one company: 41 ms, against 0.2 ms for the
-- trigrams alone, the company then checked on the few rows found).
create index customer_phones_search_idx on public.customer_phones
  using gin (number extensions.gin_trgm_ops);
create index customer_emails_search_idx on public.customer_emails
  using gin (email extensions.gin_trgm_ops);

-- Why: the customer search helper of 20261130090000_scheduling.sql, finding a customer by their
-- other numbers and addresses too (and by those of their contact people). The other numbers and
-- addresses are the office's only, as their select policies say (supabase/policies/
-- customer_phones.sql, customer_emails.sql): keep them in step.
create or replace function app.customer_ids_matching(
  p_text text, p_digits text, p_address text, p_limit integer
) returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select matched.id from (
    select c.id from public.customers c
    where c.tenant_id = (select app.tenant_id())
      and ((select app.has_role('owner', 'admin', 'dispatcher', 'office'))
           or c.id = any ((select app.technician_customer_ids())::uuid[]))
      and (c.search_text ilike p_text or c.search_text ilike p_digits)
    union all
    select pr.customer_id from public.properties pr
    where pr.tenant_id = (select app.tenant_id())
      and ((select app.has_role('owner', 'admin', 'dispatcher', 'office'))
           or pr.id = any ((select app.technician_property_ids())::uuid[]))
      and pr.search_text ilike p_address
    union all
    select ct.customer_id from public.customer_contacts ct
    where ct.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and (ct.full_name || ' ' || ct.email || ' ' || regexp_replace(ct.phone, '[^0-9]', '', 'g'))
          ilike any (array[p_text, p_digits])
    union all
    select ph.customer_id from public.customer_phones ph
    where ph.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and ph.number ilike p_digits
    union all
    select em.customer_id from public.customer_emails em
    where em.tenant_id = (select app.tenant_id())
      and (select app.has_role('owner', 'admin', 'dispatcher', 'office'))
      and em.email ilike p_text
    limit p_limit
  ) matched
$$;

-- Why: whether an address is a restricted customer's (20261211130200_restriction_enforced.sql),
-- counting their other numbers and addresses and their contact people's. No grant: only the
-- messaging guard and the outbox's trigger (definers) call it.
create or replace function app.restricted_address(p_tenant uuid, p_address text) returns boolean
language sql stable set search_path = ''
as $$
  select btrim(coalesce(p_address, '')) <> '' and (
    exists (select from public.customers c
             where c.tenant_id = p_tenant and c.restrict_processing
               and (lower(c.email) = lower(btrim(p_address)) or c.phone = btrim(p_address)))
    or exists (select from public.customer_contacts x
                 join public.customers c on c.tenant_id = x.tenant_id and c.id = x.customer_id
                where x.tenant_id = p_tenant and c.restrict_processing
                  and (lower(x.email) = lower(btrim(p_address)) or x.phone = btrim(p_address)))
    or exists (select from public.customer_phones ph
                 join public.customers c on c.tenant_id = ph.tenant_id and c.id = ph.customer_id
                where ph.tenant_id = p_tenant and c.restrict_processing
                  and ph.number = btrim(p_address))
    or exists (select from public.customer_emails em
                 join public.customers c on c.tenant_id = em.tenant_id and c.id = em.customer_id
                where em.tenant_id = p_tenant and c.restrict_processing
                  and em.email = lower(btrim(p_address))))
$$;
revoke execute on function app.restricted_address(uuid, text) from public;

-- Why: the imports whose file mentions an erased customer lose it (20261204130200_erase_customer
-- .sql), now also when it mentions one of their other numbers or addresses, or when the import
-- created or changed them (its preview and undo records hold their values).
create or replace function app.discard_imports_mentioning(p_tenant uuid, p_customer uuid)
returns integer
language plpgsql set search_path = ''
as $$
declare
  v_customer public.customers;
  v_streets text[];
  v_emails text[];
  v_numbers text[];
  v_count integer;
begin
  select * into v_customer from public.customers c
   where c.tenant_id = p_tenant and c.id = p_customer;
  v_streets := array(select lower(btrim(p.street)) from public.properties p
                     where p.tenant_id = p_tenant and p.customer_id = p_customer);
  v_emails := array(select e.email from public.customer_emails e
                    where e.tenant_id = p_tenant and e.customer_id = p_customer);
  v_numbers := array(select right(ph.number, 9) from public.customer_phones ph
                     where ph.tenant_id = p_tenant and ph.customer_id = p_customer);
  update public.customer_imports i
     set source_text = '', problems = '[]', headers = '[]',
         status = case when i.status in ('done', 'cancelled') then i.status else 'cancelled' end,
         updated_at = now()
    from (select x.id, lower(x.source_text || ' ' || x.problems::text) as said
            from public.customer_imports x
           where x.tenant_id = p_tenant and x.source_text <> '') m
   where i.tenant_id = p_tenant and i.id = m.id
     and ((v_customer.email <> '' and strpos(m.said, v_customer.email) > 0)
       or (v_customer.phone <> ''
           and strpos(regexp_replace(m.said, '[^0-9]', '', 'g'), right(v_customer.phone, 9)) > 0)
       or (btrim(v_customer.first_name) <> '' and btrim(v_customer.last_name) <> ''
           and strpos(m.said, lower(btrim(v_customer.first_name))) > 0
           and strpos(m.said, lower(btrim(v_customer.last_name))) > 0)
       or (btrim(v_customer.company_name) <> ''
           and strpos(m.said, lower(btrim(v_customer.company_name))) > 0)
       or exists (select from unnest(v_streets) s where s <> '' and strpos(m.said, s) > 0)
       or exists (select from unnest(v_emails) e where strpos(m.said, e) > 0)
       or exists (select from unnest(v_numbers) n
                   where strpos(regexp_replace(m.said, '[^0-9]', '', 'g'), n) > 0)
       or exists (select from public.import_records r
                   where r.tenant_id = p_tenant and r.import_id = i.id and r.row_id = p_customer)
       or exists (select from public.import_items t
                   where t.tenant_id = p_tenant and t.import_id = i.id
                     and t.target_id = p_customer));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- Why: the traces of an erased homeowner (20261211130100_erasure_complete.sql), counting their
-- other numbers and addresses, and their contact people's: the messages to or from them that
-- name no customer, the outbox's copies, their opt-outs (kept as digests) and the platform's
-- pending sign-in records. The rows themselves go with the customer (the foreign keys cascade).
create or replace function app.erase_traces(p_tenant uuid, p_customer uuid) returns void
language plpgsql set search_path = ''
as $$
declare
  v_addresses text[];
  v_phones text[];
begin
  select array_agg(distinct lower(btrim(a))) filter (where btrim(coalesce(a, '')) <> '')
    into v_addresses
    from (select c.email as a from public.customers c
           where c.tenant_id = p_tenant and c.id = p_customer
          union all select c.phone from public.customers c
           where c.tenant_id = p_tenant and c.id = p_customer
          union all select x.email from public.customer_contacts x
           where x.tenant_id = p_tenant and x.customer_id = p_customer
          union all select x.phone from public.customer_contacts x
           where x.tenant_id = p_tenant and x.customer_id = p_customer
          union all select ph.number from public.customer_phones ph
           where ph.tenant_id = p_tenant and ph.customer_id = p_customer
          union all select em.email from public.customer_emails em
           where em.tenant_id = p_tenant and em.customer_id = p_customer
          union all select v.phone from public.conversations v
           where v.tenant_id = p_tenant and v.customer_id = p_customer
          union all select m.to_address from public.messages m
           where m.tenant_id = p_tenant and m.customer_id = p_customer and m.direction = 'out'
          union all select m.from_address from public.messages m
           where m.tenant_id = p_tenant and m.customer_id = p_customer and m.direction = 'in'
         ) found;
  v_addresses := coalesce(v_addresses, '{}');
  v_phones := array(select a from unnest(v_addresses) a where a ~ '^\+[0-9]');

  delete from public.messages m
   where m.tenant_id = p_tenant and m.customer_id is null
     and (lower(m.to_address) = any (v_addresses) or lower(m.from_address) = any (v_addresses));
  delete from public.conversations v
   where v.tenant_id = p_tenant and v.customer_id is null and v.phone = any (v_phones);
  delete from outbox.messages o
   where o.tenant_id = p_tenant and lower(o.to_address) = any (v_addresses);
  update public.sms_opt_outs o
     set phone_digest = app.number_digest(o.tenant_id, o.phone), phone = 'erased:' || o.id::text
   where o.tenant_id = p_tenant and o.phone = any (v_phones);

  -- Their invoices stay; the addresses they were sent to and the payers' words go.
  delete from public.invoice_links l
   using public.invoices i
   where l.tenant_id = p_tenant and i.tenant_id = l.tenant_id and i.id = l.invoice_id
     and i.customer_id = p_customer;
  update public.payments p set reference = ''
    from public.invoices i
   where p.tenant_id = p_tenant and i.tenant_id = p.tenant_id and i.id = p.invoice_id
     and i.customer_id = p_customer and p.reference <> '';
  update public.refunds r set reason = ''
    from public.invoices i
   where r.tenant_id = p_tenant and i.tenant_id = r.tenant_id and i.id = r.invoice_id
     and i.customer_id = p_customer and r.reason <> '';

  insert into app.discarded_files (storage_key)
  select e.signature_key from public.estimates e
   where e.tenant_id = p_tenant and e.customer_id = p_customer and e.signature_key is not null
  on conflict do nothing;

  -- The platform's sign-in records hold an address, not a company: they go once no customer of
  -- any company has it (another company's customer with the same address keeps theirs).
  v_addresses := array(
    select a from unnest(v_addresses) a
     where not exists (select from public.customers c
                        where (lower(c.email) = a or c.phone = a)
                          and not (c.tenant_id = p_tenant and c.id = p_customer)));
  delete from iam.portal_challenges c where lower(c.address) = any (v_addresses);
  delete from iam.portal_choices c where lower(c.address) = any (v_addresses);
  delete from iam.link_requests r
   where r.subject = any (array(select 'portal-code-address:' || a from unnest(v_addresses) a));
end
$$;
revoke execute on function app.erase_traces(uuid, uuid) from public;
