-- A property's visit history is not deleted silently. Office staff archive a property that
-- has jobs (gone from the lists and from new bookings, its history kept); deleting it with its
-- jobs, visits, equipment and files is for owners and admins, as deleting a customer is (the
-- delete policy in supabase/policies/properties.sql says who).

-- Why: an archived property keeps its jobs and visits; null while it is in use.
alter table public.properties add column archived_at timestamptz;

-- Why: new work is not booked at an archived property, whoever writes the job; tune-ups of a
-- plan there are left to the plan (archiving pauses the property's plans).
create function app.jobs_not_at_archived_property() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.agreement_id is null and exists (
       select from public.properties p
       where p.tenant_id = new.tenant_id and p.id = new.property_id
         and p.archived_at is not null) then
    raise exception 'the property is archived: restore it before booking work there'
      using errcode = 'check_violation', constraint = 'jobs_property_archived';
  end if;
  return new;
end
$$;
revoke execute on function app.jobs_not_at_archived_property() from public;

create trigger jobs_not_at_archived_property
  before insert on public.jobs
  for each row execute function app.jobs_not_at_archived_property();
