-- Files live in Supabase Storage, one private bucket per environment (plenum-<environment>);
-- the app and the worker reach them with the service role, which bypasses these policies.
-- They are here so that a leaked anon key, or a member's token used against Storage's API,
-- cannot list, read or change another company's files. The restrictive policies hold
-- whatever permissive policy someone adds in the dashboard. Storage's schema is not ours: the
-- policies are dropped by name and created again, and row-level security is Supabase's own.

drop policy if exists "Signed-out requests reach no file" on storage.objects;
drop policy if exists "Members reach only their own company's files" on storage.objects;
drop policy if exists "Files are added only by the service role" on storage.objects;
drop policy if exists "Files are changed only by the service role" on storage.objects;
drop policy if exists "Files are removed only by the service role" on storage.objects;
drop policy if exists "Office staff can read their company's files; managers its exports"
  on storage.objects;

create policy "Signed-out requests reach no file"
  on storage.objects as restrictive for all to anon
  using (false) with check (false);

-- A key's first folder is its company (app/integrations/files.py).
create policy "Members reach only their own company's files"
  on storage.objects as restrictive for select to authenticated
  using ((storage.foldername(name))[1] = (select app.tenant_id())::text);

create policy "Files are added only by the service role"
  on storage.objects as restrictive for insert to authenticated
  with check (false);

create policy "Files are changed only by the service role"
  on storage.objects as restrictive for update to authenticated
  using (false) with check (false);

create policy "Files are removed only by the service role"
  on storage.objects as restrictive for delete to authenticated
  using (false);

-- As in the app: the office sees the company's photos and documents; an export holds all of
-- the company's data, so only owners and admins see those (company_exports.sql).
create policy "Office staff can read their company's files; managers its exports"
  on storage.objects for select to authenticated
  using (
    bucket_id like 'plenum-%'
    and (storage.foldername(name))[1] = (select app.tenant_id())::text
    and case when (storage.foldername(name))[2] = 'exports' then (select app.is_manager())
             else (select app.is_office_staff()) end
  );
