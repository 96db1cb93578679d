-- Photos of the problem, added by the homeowner to the visit they just booked in the portal:
-- kept as the visit's photos (public.visit_files), so the office and the technician see them
-- where they see the technician's own.

-- Why: the homeowner may add up to 5 photos to a visit they booked online in the last hour; the
-- customer comes from the portal session, the file's key must lie under the company's prefix
-- for that visit (the app stored the cleaned bytes there first).
create function app.portal_add_booking_photo(p_visit uuid, p_storage_key text,
                                             p_content_type text, p_byte_size integer)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  booking public.online_bookings;
  added uuid;
begin
  select b.* into booking from public.online_bookings b
   where b.tenant_id = app.portal_tenant_id() and b.visit_id = p_visit
     and b.customer_id = app.portal_customer_id() and b.source = 'portal'
     and b.created_at > now() - interval '1 hour';
  if booking.id is null then
    raise exception 'no such booking' using errcode = 'no_data_found';
  end if;
  if p_storage_key is null
     or p_storage_key not like booking.tenant_id::text || '/visits/' || p_visit::text || '/%' then
    raise exception 'the photo is not stored for this visit'
      using errcode = 'check_violation', constraint = 'visit_files_key_in_tenant';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('booking photos ' || p_visit::text, 0));
  if (select count(*) from public.visit_files f
       where f.tenant_id = booking.tenant_id and f.visit_id = p_visit) >= 5 then
    raise exception 'at most 5 photos'
      using errcode = 'check_violation', constraint = 'online_bookings_photo_count';
  end if;
  insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type, byte_size)
  values (booking.tenant_id, p_visit, 'photo', p_storage_key, p_content_type, p_byte_size)
  returning id into added;
  return added;
end
$$;
revoke execute on function app.portal_add_booking_photo(uuid, text, text, integer) from public;
grant execute on function app.portal_add_booking_photo(uuid, text, text, integer)
  to authenticated;
