alter table outbox.messages enable row level security;

-- No insert policy: messages are queued only by code that renders a known template, the
-- identity functions (iam.queue_email, as the table's owner) and the worker (service_role).

create policy "Owners can read their company's outbox"
  on outbox.messages for select to authenticated
  using (tenant_id = (select app.tenant_id()) and (select app.is_owner()));

-- A homeowner's sign-in code and link, once the worker has put them here (no SendGrid or
-- Twilio connected), stay unread by the company too (see public.messages): while they work
-- they would let their reader sign in as the homeowner.
create policy "Sign-in codes are read by nobody but their recipient"
  on outbox.messages as restrictive for select to authenticated
  using (kind <> 'portal_sign_in');
