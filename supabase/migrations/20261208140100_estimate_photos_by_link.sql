-- The homeowner sees the photos chosen for their estimate (20261208140000_estimate_photos.sql):
-- app.estimate_by_link also answers them (id, caption, and the key of the file, read by the
-- app through the files port for the PDF), and app.estimate_photo_by_link serves one picture
-- to the browser that holds the link. Same argument and grant as before for the first.

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
      where o.tenant_id = v_e.tenant_id and o.estimate_id = v_e.id), '[]'),
    'photos', coalesce((
      select jsonb_agg(jsonb_build_object('id', p.id, 'caption', p.caption,
                                          'key', f.storage_key) order by p.position)
      from public.estimate_photos p
      join public.visit_files f on f.tenant_id = p.tenant_id and f.id = p.file_id
      where p.tenant_id = v_e.tenant_id and p.estimate_id = v_e.id), '[]'));
end
$$;
revoke all on function app.estimate_by_link(text) from public;
grant execute on function app.estimate_by_link(text) to plenum_signin;

-- Why: one photo of the estimate a link opens, for the homeowner's page: the estimate it
-- belongs to and where its file is kept; nothing for a photo of any other estimate, or for a
-- link that is unknown, revoked or no longer open. Read only: looking at a photo marks
-- nothing viewed.
create function app.estimate_photo_by_link(p_token text, p_photo uuid)
returns table (estimate_id uuid, storage_key text, content_type text)
language sql stable security definer set search_path = ''
as $$
  select p.estimate_id, f.storage_key, f.content_type
  from public.estimate_links l
  join public.estimates e on e.tenant_id = l.tenant_id and e.id = l.estimate_id
  join public.estimate_photos p on p.tenant_id = e.tenant_id and p.estimate_id = e.id
  join public.visit_files f on f.tenant_id = p.tenant_id and f.id = p.file_id
  where l.token_hash = iam.token_hash(p_token) and l.revoked_at is null
    and e.status in ('sent', 'viewed', 'approved', 'declined')
    and p.id = p_photo
$$;
revoke all on function app.estimate_photo_by_link(text, uuid) from public;
grant execute on function app.estimate_photo_by_link(text, uuid) to plenum_signin;
