-- When each kind of message goes, per company (its messaging account): the local time of the
-- reminder the day before, the days before an unviewed estimate is followed up and after which
-- an unpaid invoice is reminded, and the review page with how often a customer may be asked.
alter table public.messaging_accounts
  add column reminder_time time not null default '17:00',
  add column estimate_follow_up_days integer not null default 3
    constraint messaging_accounts_follow_up_range check (estimate_follow_up_days between 1 and 60),
  add column invoice_overdue_days integer not null default 7
    constraint messaging_accounts_overdue_range check (invoice_overdue_days between 1 and 90),
  add column review_url text not null default ''
    constraint messaging_accounts_review_url_format
    check (review_url = '' or (review_url ~ '^https://\S+$' and length(review_url) <= 500)),
  add column review_every_months integer not null default 12
    constraint messaging_accounts_review_interval_range check (review_every_months between 1 and 60),
  add column review_delay_hours integer not null default 2
    constraint messaging_accounts_review_delay_range check (review_delay_hours between 0 and 336);
grant insert (reminder_time, estimate_follow_up_days, invoice_overdue_days, review_url,
              review_every_months, review_delay_hours),
  update (reminder_time, estimate_follow_up_days, invoice_overdue_days, review_url,
          review_every_months, review_delay_hours)
  on public.messaging_accounts to authenticated;
