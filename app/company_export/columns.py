"""Which columns of the company's tables an export leaves out (P-09), decided in one place.

Every column of a company table whose name looks like it may hold a secret (SECRET_LOOKING) is
classified here: NEVER exported (password and token hashes, provider keys, the keys that open
the audit log's sealed values), HARMLESS (a file's key in the store, a chain hash), or
DECRYPTED_ON_REQUEST (gate and alarm codes: written decrypted only when the owner asked, left
out otherwise). tests/exports fails for a company-table column that looks secret and is not
classified, so a new secret column cannot leak into an export unnoticed."""

from __future__ import annotations

import re

from app import crypto

SECRET_LOOKING = re.compile(
    r"hash|secret|token|passw|key|seal|encrypt|crypt|credential|api|otp|recovery|salt|"
    r"cipher|nonce|sid|pin_|_pin|signature",
    re.IGNORECASE,
)

# schema.table.column → why it is never exported.
NEVER: dict[str, str] = {
    "audit.subject_keys.key": "the key that opens a homeowner's values in the audit log",
    "iam.portal_sessions.token_hash": "a homeowner's sign-in session (a token's hash)",
    "public.calendar_feeds.token_hash": "a calendar feed link's token hash",
    "public.estimate_links.token_hash": "an estimate link's token hash",
    "public.invitations.token_hash": "an invitation's token hash",
    "public.invoice_links.token_hash": "an invoice link's token hash",
    "public.messages.unsubscribe_token_hash": "an unsubscribe link's token hash",
    "public.visit_links.token_hash": "a visit link's token hash",
    "public.messaging_accounts.sendgrid_api_key_encrypted": "the email provider's key",
    "public.messaging_accounts.twilio_auth_token_encrypted": "the text provider's key",
    "public.stripe_accounts.secret_key_encrypted": "the payment provider's key",
    "public.stripe_accounts.webhook_secret_encrypted": "the payment provider's webhook secret",
}

# schema.table.column → why it is safe to export.
HARMLESS: dict[str, str] = {
    "audit.chain_heads.chain_hash": "the audit log's chain: proves it was not altered",
    "audit.chain_heads.start_hash": "the audit log's chain: proves it was not altered",
    "audit.checkpoints.chain_hash": "the audit log's chain: proves it was not altered",
    "audit.checkpoints.key_id": "names the signing key, not the key",
    "audit.checkpoints.signature": "a public signature of the audit log's checkpoint",
    "audit.transactions.chain_hash": "the audit log's chain: proves it was not altered",
    "audit.transactions.sealed_at": "a time",
    "audit.changes.row_key": "the changed row's id",
    "public.estimates.signature_key": "where the signature picture is kept (exported under files/)",
    "public.service_request_photos.storage_key": "where the photo is kept (under files/)",
    "public.visit_files.storage_key": "where the photo or signature is kept (under files/)",
    "public.tenants.logo_key": "where the logo is kept (under files/)",
    "public.company_exports.storage_key": "where an export's zip is kept",
    "public.messaging_accounts.twilio_account_sid": "the text account's id, not its key",
    "public.messaging_accounts.twilio_messaging_service_sid": "an id, not a key",
    "public.sms_opt_outs.keyword": "the word a homeowner texted to stop messages",
}

# schema.table.column → (how it is sealed, the column name it is exported under).
DECRYPTED_ON_REQUEST: dict[str, tuple[crypto.EncryptedColumn, str]] = {
    "public.properties.access_notes_encrypted": (crypto.PROPERTY_ACCESS_NOTES, "access_notes"),
}

# Tables whose rows carry other tables' rows as jsonb (the audit log's before and after):
# table → (the column naming the other table, the jsonb columns). The other table's NEVER and
# DECRYPTED_ON_REQUEST columns are taken out of those values too.
ROW_IMAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "audit.changes": ("table_name", ("old_values", "new_values")),
}


# Text that carries links with their one-time tokens (emails and texts as they were sent): the
# token of each link is replaced by LINK_REMOVED, the rest of the text kept.
LINKS_IN_TEXT = frozenset(
    {"outbox.messages.body_text", "outbox.messages.body_html", "public.messages.body"}
)
# A link's last segment when it is a token (app.crypto.new_token: 43 URL-safe characters).
TOKEN_IN_LINK = r"(https?://[^[:space:]\"'<>]*/)[A-Za-z0-9_-]{43}"  # noqa: S105 (a pattern)
LINK_REMOVED = "[link removed]"


def looks_secret(column: str) -> bool:
    return SECRET_LOOKING.search(column) is not None


def unclassified(table: str, columns: list[str]) -> list[str]:
    """The columns of `table` that look secret and are classified nowhere."""
    known = NEVER.keys() | HARMLESS.keys() | DECRYPTED_ON_REQUEST.keys()
    return [c for c in columns if looks_secret(c) and f"{table}.{c}" not in known]


def hidden_in_row_images() -> dict[str, list[str]]:
    """table → the columns taken out of its row images (audit log values)."""
    hidden: dict[str, list[str]] = {}
    for name in (*NEVER, *DECRYPTED_ON_REQUEST):
        table, _, column = name.rpartition(".")
        hidden.setdefault(table, []).append(column)
    return hidden
