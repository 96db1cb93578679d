-- Why: owners and admins choose the colour of their homeowners' pages on the Company page (the
-- tenants policy says who); the column, added by the portal's foundation, needs its update
-- grant like the company's other editable columns.
grant update (brand_colour) on public.tenants to authenticated;
