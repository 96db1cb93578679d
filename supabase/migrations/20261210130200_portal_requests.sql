-- The homeowner's writes of service requests and privacy requests (issue 14, P-10). A homeowner
-- reads their own requests through the policies of supabase/policies/ ("Homeowners can see …");
-- they write only through these definers, which take the company and the customer from the
-- portal session (app.portal_tenant_id(), app.portal_customer_id()), never from an argument,
-- and write the author as the homeowner. Executable by `authenticated`; for anyone without an
-- open portal session they refuse.

-- Why: opening a request: the request and its first message (the description) in one step.
-- The property, when given, must be the customer's own (the composite key refuses any other).
-- At most 20 requests of a customer may be open at once, so the queue cannot be flooded.
create function app.portal_open_service_request(p_property uuid, p_subject text, p_body text)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.portal_tenant_id();
  v_customer uuid := app.portal_customer_id();
  v_request uuid;
begin
  if v_tenant is null or v_customer is null then
    raise exception 'only a signed-in homeowner can open a request'
      using errcode = 'insufficient_privilege';
  end if;
  if (select count(*) from public.service_requests r
       where r.tenant_id = v_tenant and r.customer_id = v_customer
         and r.status <> 'closed') >= 20 then
    raise exception 'too many open requests'
      using errcode = 'check_violation', constraint = 'service_requests_open_limit';
  end if;
  insert into public.service_requests (tenant_id, customer_id, property_id, subject)
  values (v_tenant, v_customer, p_property, p_subject)
  returning id into v_request;
  insert into public.service_request_messages
    (tenant_id, request_id, customer_id, author_kind, author_id, body)
  values (v_tenant, v_request, v_customer, 'homeowner', null, p_body);
  return v_request;
end
$$;
revoke execute on function app.portal_open_service_request(uuid, text, text) from public;
grant execute on function app.portal_open_service_request(uuid, text, text) to authenticated;

-- Why: the check the writes to a request share: the signed-in homeowner's own request, locked
-- for the change that follows; false for anyone else's. Raises without a portal session. Called
-- only by the definers below (as their owner), never by a role of the API.
create function app.portal_lock_own_request(p_request uuid)
returns boolean
language plpgsql volatile set search_path = ''
as $$
begin
  if app.portal_customer_id() is null then
    raise exception 'only a signed-in homeowner can write to a request'
      using errcode = 'insufficient_privilege';
  end if;
  perform from public.service_requests r
   where r.tenant_id = app.portal_tenant_id() and r.id = p_request
     and r.customer_id = app.portal_customer_id()
   for update;
  return found;
end
$$;
revoke execute on function app.portal_lock_own_request(uuid) from public;

-- Why: the homeowner's answer in the thread; it puts the request back in the office's open
-- queue (a closed one too: the homeowner has more to say). Returns the message's id; null when
-- the request is not the homeowner's.
create function app.portal_reply_to_service_request(p_request uuid, p_body text)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.portal_tenant_id();
  v_customer uuid := app.portal_customer_id();
  v_message uuid;
begin
  if not app.portal_lock_own_request(p_request) then
    return null;
  end if;
  insert into public.service_request_messages
    (tenant_id, request_id, customer_id, author_kind, author_id, body)
  values (v_tenant, p_request, v_customer, 'homeowner', null, p_body)
  returning id into v_message;
  update public.service_requests r
     set status = 'open', closed_at = null, last_activity_at = now(), updated_at = now()
   where r.tenant_id = v_tenant and r.id = p_request;
  return v_message;
end
$$;
revoke execute on function app.portal_reply_to_service_request(uuid, text) from public;
grant execute on function app.portal_reply_to_service_request(uuid, text) to authenticated;

-- Why: a photo the homeowner sent with a request (its bytes already kept by the app through the
-- files port). The key must lie under the homeowner's company and that request
-- (`<tenant>/requests/<request>/`), so that a caller cannot name another company's or another
-- request's file; the message, when given, is one of the same request's. At most 10 photos a
-- request. Returns the photo's id; null when the request is not the homeowner's.
create function app.portal_add_service_request_photo(
  p_request uuid, p_message uuid, p_storage_key text, p_content_type text, p_byte_size integer
)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.portal_tenant_id();
  v_customer uuid := app.portal_customer_id();
  v_photo uuid;
begin
  if not app.portal_lock_own_request(p_request) then
    return null;
  end if;
  if p_storage_key is null
     or left(p_storage_key, length(v_tenant::text || '/requests/' || p_request::text || '/'))
        <> v_tenant::text || '/requests/' || p_request::text || '/' then
    raise exception 'the photo is not kept under this request'
      using errcode = 'check_violation', constraint = 'service_request_photos_key_in_company';
  end if;
  if (select count(*) from public.service_request_photos x
       where x.tenant_id = v_tenant and x.request_id = p_request) >= 10 then
    raise exception 'too many photos'
      using errcode = 'check_violation', constraint = 'service_request_photos_limit';
  end if;
  insert into public.service_request_photos
    (tenant_id, request_id, customer_id, message_id, storage_key, content_type, byte_size)
  values (v_tenant, p_request, v_customer, p_message, p_storage_key, p_content_type, p_byte_size)
  returning id into v_photo;
  return v_photo;
end
$$;
revoke execute on function
  app.portal_add_service_request_photo(uuid, uuid, text, text, integer) from public;
grant execute on function
  app.portal_add_service_request_photo(uuid, uuid, text, text, integer) to authenticated;

-- Why: P-10, a homeowner asks from the portal's "my data" page to correct or delete their data.
-- The source is 'portal' and the due date the database's (app.privacy_requests_dates); at most
-- 5 of a customer's requests may be open at once.
create function app.portal_file_privacy_request(p_kind text, p_details text)
returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_tenant uuid := app.portal_tenant_id();
  v_customer uuid := app.portal_customer_id();
  v_request uuid;
begin
  if v_tenant is null or v_customer is null then
    raise exception 'only a signed-in homeowner can file a request'
      using errcode = 'insufficient_privilege';
  end if;
  if p_kind is null or p_kind not in ('correction', 'deletion') then
    raise exception 'the portal files corrections and deletions'
      using errcode = 'check_violation', constraint = 'privacy_requests_portal_kind';
  end if;
  if (select count(*) from public.privacy_requests x
       where x.tenant_id = v_tenant and x.customer_id = v_customer
         and x.status = 'open') >= 5 then
    raise exception 'too many open requests'
      using errcode = 'check_violation', constraint = 'privacy_requests_open_limit';
  end if;
  insert into public.privacy_requests (tenant_id, customer_id, kind, details, source)
  values (v_tenant, v_customer, p_kind, coalesce(p_details, ''), 'portal')
  returning id into v_request;
  return v_request;
end
$$;
revoke execute on function app.portal_file_privacy_request(text, text) from public;
grant execute on function app.portal_file_privacy_request(text, text) to authenticated;
