-- The homeowner's estimate as a document they can keep: app.estimate_by_link (from
-- 20261207140000_estimate_links.sql) also answers what the printed estimate shows and the page
-- did not: the company's logo (the key of its file, read by the app through the files port)
-- and time zone (in which the document's dates are given), and when the estimate was made and
-- sent. Same argument, same grant: only the answer grows.

-- Why: what the homeowner's page and PDF show, as one document; a first look marks a sent
-- estimate viewed. Null for a link that is unknown, revoked, or whose estimate is no longer
-- open to them.
create or replace function app.estimate_by_link(p_token text) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_e public.estimates := app.estimate_of_link(p_token);
  v_today date;
begin
  if v_e.id is null then
    return null;
  end if;
  v_today := app.company_today(v_e.tenant_id);
  if v_e.status = 'sent' then
    update public.estimates e set status = 'viewed', viewed_at = now()
     where e.tenant_id = v_e.tenant_id and e.id = v_e.id;
    v_e.status := 'viewed';
  end if;
  return jsonb_build_object(
    'company', (select jsonb_build_object('name', t.name, 'phone', t.phone,
                                          'address', t.address, 'licence', t.licence_number,
                                          'time_zone', t.time_zone, 'logo_key', t.logo_key)
                from public.tenants t where t.id = v_e.tenant_id),
    'estimate', jsonb_build_object(
      'id', v_e.id, 'number', v_e.number, 'revision', v_e.revision, 'title', v_e.title,
      'note', v_e.note, 'valid_until', v_e.valid_until, 'currency', v_e.currency,
      'status', case when v_e.status = 'viewed' and v_e.valid_until < v_today then 'expired'
                     else v_e.status end,
      'approved_option_id', v_e.approved_option_id, 'approved_at', v_e.approved_at,
      'approved_by_name', v_e.approved_by_name, 'declined_at', v_e.declined_at,
      'created_at', v_e.created_at, 'sent_at', v_e.sent_at),
    'customer', (select c.display_name from public.customers c
                  where c.tenant_id = v_e.tenant_id and c.id = v_e.customer_id),
    'property', (select jsonb_build_object('street', p.street, 'unit', p.unit, 'city', p.city,
                                           'region', p.region, 'postal_code', p.postal_code)
                 from public.properties p
                 where p.tenant_id = v_e.tenant_id and p.id = v_e.property_id),
    'rates', coalesce((select jsonb_agg(jsonb_build_object('name', r.name, 'percent', r.percent)
                                        order by r.position, r.name)
                       from public.estimate_tax_rates r
                       where r.tenant_id = v_e.tenant_id and r.estimate_id = v_e.id), '[]'),
    'options', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', o.id, 'name', o.name, 'description', o.description,
               'lines', coalesce((
                 select jsonb_agg(jsonb_build_object(
                          'description', l.description, 'quantity', l.quantity, 'unit', l.unit,
                          'unit_price', l.unit_price, 'discount_percent', l.discount_percent,
                          'taxable', l.taxable) order by l.position, l.created_at, l.id)
                 from public.estimate_lines l
                 where l.tenant_id = o.tenant_id and l.option_id = o.id), '[]'))
             order by o.position)
      from public.estimate_options o
      where o.tenant_id = v_e.tenant_id and o.estimate_id = v_e.id), '[]'));
end
$$;
revoke all on function app.estimate_by_link(text) from public;
grant execute on function app.estimate_by_link(text) to plenum_signin;
