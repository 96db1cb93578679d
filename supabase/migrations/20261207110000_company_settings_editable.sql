-- The company's settings page: owners and admins change the currency, licence number, address
-- and phone that 20261207090000_company_money_settings.sql added. Members could update only the
-- columns granted when `tenants` was created (name, time zone), so the policy "Owners and
-- admins can update their company" never reached the new ones. Status and termination stay
-- out of reach of every member.
grant update (currency, licence_number, address, phone) on public.tenants to authenticated;
