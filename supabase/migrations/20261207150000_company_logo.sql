-- The company's logo, printed on its estimates and invoices and shown on their pages: the key
-- of the picture kept through the files port (app/integrations/files.py). The key must lie in
-- the company's own prefix and folder (`<tenant>/company/logo-<uuid>.png`), so a company's row
-- can never name another company's file, whoever writes it. Null: no logo.
alter table public.tenants
  add column logo_key text
    constraint tenants_logo_key_format check (
      logo_key is null
      or (length(logo_key) <= 200
          and logo_key ~ ('^' || id::text || '/company/logo-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.png$'))
    );

-- Owners and admins change it on the Company page, under the policy "Owners and admins can
-- update their company", as 20261207110000_company_settings_editable.sql granted the other
-- columns of that page.
grant update (logo_key) on public.tenants to authenticated;
