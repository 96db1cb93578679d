-- Reading sealed values back (the audit viewer) and erasing a homeowner (P-10).

-- Why: one sealed value back in clear; null when the key is gone or the value is not one of ours.
create function audit.decrypt_value(p_value jsonb, p_key bytea) returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  v_data bytea;
begin
  if p_key is null then
    return null;
  end if;
  v_data := decode(p_value ->> 'erasable', 'base64');
  return convert_from(extensions.decrypt_iv(substring(v_data from 17), p_key,
                                            substring(v_data for 16), 'aes-cbc/pad:pkcs'),
                      'UTF8')::jsonb;
exception when data_exception or external_routine_invocation_exception then
  return null;
end
$$;

-- Why: the viewer shows owners and admins their company's log with personal values readable,
-- and {"erased": true} where the homeowner was erased. The keys are those of the caller's
-- company only (app.tenant_id()), whatever the values passed in say.
create function audit.readable_values(p_values jsonb) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_tenant uuid;
begin
  if p_values is null or not jsonb_path_exists(p_values, '$.*.erasable') then
    return p_values;
  end if;
  v_tenant := app.tenant_id();
  if v_tenant is null or not app.has_role('owner', 'admin') then
    raise exception 'only owners and admins can read the audit log'
      using errcode = 'insufficient_privilege';
  end if;
  return (
    select jsonb_object_agg(e.key, case
      when jsonb_typeof(e.value) = 'object' and e.value ? 'erasable'
        then coalesce(audit.decrypt_value(e.value, k.key),
                      jsonb_build_object('subject', e.value -> 'subject', 'erased', true))
      else e.value end)
    from jsonb_each(p_values) e
    left join audit.subject_keys k
      on k.tenant_id = v_tenant and jsonb_typeof(e.value) = 'object'
     and k.subject_id = case when e.value ->> 'subject' ~ '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$'
                             then (e.value ->> 'subject')::uuid end
  );
end
$$;
grant execute on function audit.readable_values(jsonb) to authenticated;

-- Why: an import's file and report are the company's working copy of many people's data; when
-- one of them is erased, every import that mentions them (email, phone digits, first and last
-- name, company, a street of theirs) loses its file and report, and one not yet finished is
-- cancelled. Counts and dates stay.
create function app.discard_imports_mentioning(p_tenant uuid, p_customer uuid) returns integer
language plpgsql set search_path = ''
as $$
declare
  v_customer public.customers;
  v_streets text[];
  v_count integer;
begin
  select * into v_customer from public.customers c
   where c.tenant_id = p_tenant and c.id = p_customer;
  v_streets := array(select lower(btrim(p.street)) from public.properties p
                     where p.tenant_id = p_tenant and p.customer_id = p_customer);
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
       or exists (select from unnest(v_streets) s where s <> '' and strpos(m.said, s) > 0));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- Why: P-10, a homeowner's erasure, in one transaction: the imports that mention them lose
-- their file; the customer goes with everything that is theirs (contacts, notes, properties,
-- equipment, agreements, jobs, visits with their notes, photos and signatures: the foreign keys
-- cascade, and the files are queued for deletion); their audit key is destroyed, so every value
-- of theirs in the log becomes unreadable; and an `erasure` entry without any personal value
-- records that it happened. Owners and admins of the customer's company only: the company is
-- the caller's, never an argument.
create function app.erase_customer(p_customer uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.tenant_id();
  v_imports integer;
begin
  if v_tenant is null or not app.has_role('owner', 'admin') then
    raise exception 'only owners and admins can erase a customer'
      using errcode = 'insufficient_privilege';
  end if;
  perform from public.customers c where c.tenant_id = v_tenant and c.id = p_customer for update;
  if not found then
    raise exception 'no such customer' using errcode = 'no_data_found';
  end if;
  v_imports := app.discard_imports_mentioning(v_tenant, p_customer);
  delete from public.customers c where c.tenant_id = v_tenant and c.id = p_customer;
  insert into audit.subject_keys as k (tenant_id, subject_id, key, erased_at)
  values (v_tenant, p_customer, null, now())
  on conflict (tenant_id, subject_id) do update set key = null, erased_at = now();
  perform audit.append(v_tenant, 'public.customers', p_customer::text, 'erasure', null,
                       jsonb_build_object('imports_discarded', v_imports));
end
$$;
grant execute on function app.erase_customer(uuid) to authenticated;
