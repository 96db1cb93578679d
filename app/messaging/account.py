"""The company's messaging settings (owners and admins): its Twilio account and SendGrid key,
sealed for its row (P-17) and never shown back, the webhook URLs to paste into Twilio, and when
each kind of message goes. Without keys, messages go to the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import crypto, db, roles, sql
from app.auth import identity
from app.messaging import bp
from app.messaging.account_forms import MessagingSettingsForm
from app.views import FormRefused, form_page, saved

queries = sql.load(__file__, "account.sql")
TEMPLATE = "messaging/settings.html"
WEBHOOKS = ("inbound", "status")

db.register_messages(
    {
        "messaging_accounts_twilio_sid_format": (
            "twilio_account_sid",
            "An account SID is AC followed by 32 letters a-f and digits.",
        ),
        "messaging_accounts_from_number_e164": (
            "twilio_from_number",
            "Write the sending number as +1 312 555 0100.",
        ),
        "messaging_accounts_service_sid_format": (
            "twilio_messaging_service_sid",
            "A messaging service SID is MG followed by 32 letters a-f and digits.",
        ),
        "messaging_accounts_sms_rate_range": (
            "sms_per_second",
            "Enter a rate from 0.1 to 1000 a second.",
        ),
        "messaging_accounts_from_email_format": (
            "sendgrid_from_email",
            "Enter a valid email address, like office@example.com.",
        ),
        "messaging_accounts_review_url_format": (
            "review_url",
            "Paste the page's whole address, starting with https://.",
        ),
    }
)


def account(tenant_id: UUID) -> db.Row | None:
    """The company's settings as the page shows them: whether each key is set, never the key."""
    return db.one(queries.account, {"tenant_id": tenant_id})


def webhook_urls(endpoint_id: str) -> dict[str, str]:
    """The two URLs to paste into Twilio (the number's or messaging service's settings)."""
    base = f"{current_app.config['PLENUM'].public_url}/messaging/twilio/{endpoint_id}"
    return {name: f"{base}/{name}" for name in WEBHOOKS}


def save(tenant_id: UUID, form: MessagingSettingsForm) -> None:
    """Save the settings and any key given (sealed for this company's row); a ticked "remove"
    forgets the saved key."""
    db.write(queries.create_account, {"tenant_id": tenant_id})
    row = account(tenant_id)
    if row is None:  # the policy let the insert through but hides the row: not a manager
        raise PermissionError("messaging settings")
    where = {"tenant_id": tenant_id, "id": row["id"]}
    db.write(queries.save_account, where | form.values())
    for given, remove, column, query in (
        (
            form.twilio_auth_token.data,
            form.remove_twilio_auth_token.data,
            crypto.TWILIO_AUTH_TOKEN,
            queries.set_auth_token,
        ),
        (
            form.sendgrid_api_key.data,
            form.remove_sendgrid_api_key.data,
            crypto.SENDGRID_API_KEY,
            queries.set_api_key,
        ),
    ):
        if given:
            sealed = crypto.encrypt(given, place=column.at(tenant_id, row["id"]))
            db.write(query, where | {"sealed": sealed})
        elif remove:
            db.write(query, where | {"sealed": ""})


def _context(found: db.Row | None) -> dict[str, Any]:
    return {
        "account": found,
        "webhooks": webhook_urls(found["endpoint_id"]) if found else None,
        "connected": bool(found and (found["has_auth_token"] or found["has_api_key"])),
    }


@bp.route("/company/messaging", methods=["GET", "POST"])
@identity.company_required(*roles.MANAGERS)
def settings() -> Response | str | tuple[str, int]:
    found = account(current_user.tenant_id)
    if request.method == "GET":
        form = MessagingSettingsForm(data=dict(found) if found else None)
        return form_page(TEMPLATE, form, **_context(found))
    form = MessagingSettingsForm()
    has_token = bool(found and found["has_auth_token"])
    has_key = bool(found and found["has_api_key"])
    if form.validate_on_submit() and not form.check_accounts(has_token, has_key):
        raise FormRefused(form_page(TEMPLATE, form, **_context(found)))
    saved(form, TEMPLATE, lambda: save(current_user.tenant_id, form), **_context(found))
    flash("Messaging settings saved.", "success")
    return redirect(url_for("messaging.settings"), code=303)
