-- P-12: how long each kind of record is kept, one rule per kind; jobs/retention.py sweeps every
-- rule with a period daily. The rules here are for the sweep only (on_purge stays with each
-- table's own rule). Short periods for records that serve sign-in or delivery and nothing after.

-- The promised periods, each swept by its own function.
insert into app.retention_rules
  (record_kind, table_name, period, age_column, sweep_function, reason) values
  ('financial records', 'public.invoices', interval '7 years', 'issued_on',
   'app.sweep_expired_invoices',
   'Invoices (drafts and voided ones too) with their lines, taxes, links, payments and refunds: '
   'kept 7 years after the invoice''s date and its last payment or refund, as tax law asks.'),
  ('audit logs', 'audit.transactions', interval '2 years', 'sealed_at', 'audit.sweep_expired',
   'The record of who changed what: kept 2 years, then deleted, oldest first.'),
  ('message logs', 'public.messages', interval '3 years', 'created_at',
   'app.sweep_expired_messages',
   'Texts and emails with their delivery status, and conversations left with none.'),
  ('text opt-outs', 'public.sms_opt_outs', interval '3 years', 'opted_out_at',
   'app.sweep_expired_opt_outs',
   'A number that replied STOP: kept 3 years after the STOP and after the last text to or from '
   'the number, whichever is later, so it outlives every message about the number.');

-- Records of signing in, links and notices: a plain delete by age.
insert into app.retention_rules (record_kind, table_name, period, age_column, reason) values
  ('sign-in attempts', 'iam.sign_in_attempts', interval '1 day', 'created_at',
   'Password and code attempts count against the limit for 15 minutes.'),
  ('sign-in link requests', 'iam.link_requests', interval '1 day', 'requested_at',
   'Requests for emailed links count against the limit for a day at most.'),
  ('sign-in challenges', 'iam.sign_in_challenges', interval '1 day', 'expires_at',
   'The step between password and second factor lasts 5 minutes; counted from its expiry.'),
  ('staff sessions', 'iam.sessions', interval '30 days', 'expires_at',
   'A signed-in session, with its browser name; counted from its expiry.'),
  ('password resets', 'iam.password_resets', interval '7 days', 'expires_at',
   'A password reset link, used or not; counted from its expiry.'),
  ('sign-in unlocks', 'iam.sign_in_unlocks', interval '7 days', 'expires_at',
   'A link that lifts a sign-in pause, used or not; counted from its expiry.'),
  ('sign-ups', 'iam.sign_ups', interval '7 days', 'expires_at',
   'A sign-up waiting for its email to be confirmed; counted from its link''s expiry.'),
  ('homeowner sessions', 'iam.portal_sessions', interval '30 days', 'expires_at',
   'A homeowner signed in to the portal; counted from the session''s expiry.'),
  ('homeowner sign-in codes', 'iam.portal_challenges', interval '1 day', 'expires_at',
   'A portal sign-in code and link; counted from their expiry.'),
  ('homeowner sign-in choices', 'iam.portal_choices', interval '1 day', 'expires_at',
   'The choice of customer after a portal sign-in; counted from its expiry.'),
  ('homeowner sign-in sends', 'iam.portal_sign_in_sends', interval '1 day', 'created_at',
   'A portal sign-in code waiting to be sent (normally for a moment).'),
  ('team invitations', 'public.invitations', interval '90 days', 'expires_at',
   'An invitation to join the team, accepted or not; counted from its expiry.'),
  ('visit links', 'public.visit_links', interval '30 days', 'closes_at',
   'A "technician on the way" link; counted from when it closes.'),
  ('estimate links', 'public.estimate_links', interval '90 days', 'closes_at',
   'A link to an estimate that has a closing date; counted from when it closes.'),
  ('invoice links', 'public.invoice_links', interval '90 days', 'closes_at',
   'A link to an invoice that has a closing date; counted from when it closes.'),
  ('calendar feeds', 'public.calendar_feeds', interval '30 days', 'revoked_at',
   'A technician''s calendar address; counted from when it is turned off.'),
  ('payment provider events', 'public.stripe_events', interval '90 days', 'received_at',
   'Notices from the card processor, kept only to ignore repeats (sent for 3 days at most).');

-- Files and message bodies: blanked, the record of them kept.
insert into app.retention_rules
  (record_kind, table_name, period, age_column, action, sweep_function, reason) values
  ('import files', 'public.customer_imports', interval '30 days', 'updated_at', 'anonymise',
   'app.sweep_finished_imports',
   'An uploaded customer file, once its import ends (or is left unfinished); the import''s name, '
   'counts and dates stay.'),
  ('outbox bodies', 'outbox.messages', interval '30 days', 'created_at', 'anonymise',
   'app.sweep_outbox_bodies',
   'The words of a message in the outbox; its address, subject and date stay.');
