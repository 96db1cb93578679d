-- No member writes the outbox by hand any more: a message is queued only by code that renders a
-- known template (the identity functions for account mail, the worker for audit receipts), so a
-- member's session cannot send text of its choosing from Plenum's address to anyone.

-- Why: members' requests never queue mail themselves (invitations are queued by iam.invite).
revoke insert on outbox.messages from anon, authenticated;

-- Why: the worker queues each company's daily audit receipt, as service_role in the company's
-- name (the audit log records it with the job's actor).
grant insert on outbox.messages to service_role;
