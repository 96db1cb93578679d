-- A property's own time zone, told by the geocoding job from its place. Messages to a homeowner
-- respect quiet hours in this zone (P-15), else in the company's.
alter table public.properties
  add column time_zone text constraint properties_time_zone_known references app.time_zones (name);
