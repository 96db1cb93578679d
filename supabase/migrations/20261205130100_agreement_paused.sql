-- A maintenance plan can be paused (a customer away for a season, an unpaid renewal) and
-- resumed. app.generate_maintenance_jobs makes tune-ups for active plans only, so a paused plan
-- makes none until it is resumed; 'canceled' is the plan the office ended.

-- Why: the three states of a plan: active, paused, and ended ('canceled').
alter table public.service_agreements drop constraint service_agreements_status_check;
alter table public.service_agreements add constraint service_agreements_status_check
  check (status in ('active', 'paused', 'canceled'));
