-- What a company's estimates and invoices need to say about the company itself: the currency
-- its prices are in (ISO 4217; amounts are always numeric to the cent in it), and what a
-- customer's documents print under its name. Owners and admins change them (the policy
-- "Owners and admins can update their company" already covers the row).
alter table public.tenants
  add column currency text not null default 'USD'
    constraint tenants_currency_code check (currency ~ '^[A-Z]{3}$'),
  add column licence_number text not null default ''
    constraint tenants_licence_number_length check (length(licence_number) <= 100),
  add column address text not null default ''
    constraint tenants_address_length check (length(address) <= 500),
  add column phone text not null default ''
    constraint tenants_phone_length check (length(phone) <= 40);
