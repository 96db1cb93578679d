-- Each homeowner helper reads only the rows it answers for. They answered from one record of
-- all five lists (app.portal_seen), so a statement that needed the customer's jobs also read
-- their properties, visits, estimates and invoices, once for each helper it called.

create or replace function app.portal_property_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  return array(select p.id from public.properties p
                where p.tenant_id = me.tenant_id and p.customer_id = me.customer_id);
end
$$;

create or replace function app.portal_job_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  return array(select j.id from public.jobs j
                where j.tenant_id = me.tenant_id and j.customer_id = me.customer_id);
end
$$;

create or replace function app.portal_visit_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  return array(select v.id from public.jobs j
                 join public.visits v on v.tenant_id = j.tenant_id and v.job_id = j.id
                where j.tenant_id = me.tenant_id and j.customer_id = me.customer_id);
end
$$;

-- Only documents that were sent count: a draft is the office's until it goes out.
create or replace function app.portal_estimate_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  return array(select e.id from public.estimates e
                where e.tenant_id = me.tenant_id and e.customer_id = me.customer_id
                  and e.status <> 'draft');
end
$$;

create or replace function app.portal_invoice_ids() returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  me iam.portal_sessions := app.portal_session();
begin
  return array(select i.id from public.invoices i
                where i.tenant_id = me.tenant_id and i.customer_id = me.customer_id
                  and i.status <> 'draft');
end
$$;

drop function app.portal_seen();
