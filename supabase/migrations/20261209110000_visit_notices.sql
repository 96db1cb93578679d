-- What the visit notices job (jobs/notices.py) looks for, across companies, every few seconds:
-- visits booked or moved lately (a confirmation), windows starting within two days (the
-- reminder the day before), technicians on the way, and visits completed lately (a review
-- request). Each index holds only the visits in that state, so a sweep reads the few that may
-- need a message, not every visit of every company.

-- Why: booking confirmations go for visits changed lately that have a window.
create index visits_booked_changes_idx on public.visits (updated_at)
  where status in ('scheduled', 'dispatched') and window_starts_at is not null;

-- Why: reminders the day before go for windows starting soon.
create index visits_booked_windows_idx on public.visits (window_starts_at)
  where status in ('scheduled', 'dispatched');

-- Why: "on my way" goes for visits whose technician is on the way.
create index visits_en_route_idx on public.visits (en_route_at) where status = 'en_route';

-- Why: review requests go some hours after a visit is completed.
create index visits_completed_idx on public.visits (completed_at) where status = 'completed';
