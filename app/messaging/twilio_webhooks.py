"""Twilio's webhooks for a company's number: texts homeowners send (inbound) and what became of
the texts the company sent (status callbacks). No session and no CSRF token: Twilio's
signature with the company's auth token stands for both. The company is named by the URL's
endpoint id; the URL that was signed is the configured public URL, never the Host header a
proxy passed on. Unsigned, mis-signed or unknown → 403 and nothing stored; a replayed
MessageSid changes nothing (app.receive_text, app.record_text_status)."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from flask import Response, current_app, request

from app import crypto, db
from app.integrations import sms
from app.messaging import bp
from app.messaging.inbox import queries
from app.security import csrf

log = logging.getLogger(__name__)
WEBHOOK_CLAIMS: dict[str, Any] = {**db.SIGN_IN, "actor": "system:twilio"}
MAX_FORM_BYTES = 64 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

# Twilio's error codes for a text that did not arrive, in words for the office.
DELIVERY_FAILURES = {
    30003: "The phone is unreachable (switched off or out of coverage).",
    30004: "The recipient's phone or carrier blocked the text.",
    30005: "The number is unknown or no longer in service.",
    30006: "The number is a landline or cannot receive texts.",
    30007: "The carrier filtered the text (taken for spam).",
    30008: "The carrier could not deliver the text (unknown error).",
    21610: "The recipient had unsubscribed (texted STOP to the company's number).",
}


def failure_words(status: str, error_code: str) -> str:
    """The reason shown for an undelivered or failed text."""
    code = int(error_code) if error_code.isdigit() else 0
    if code in DELIVERY_FAILURES:
        return DELIVERY_FAILURES[code]
    said = "could not deliver" if status == "undelivered" else "failed to send"
    return f"Twilio {said} the text" + (f" (error {code})." if code else ".")


def _signed_url() -> str:
    """The URL Twilio called, as the company configured it: this site's public URL."""
    query = request.query_string.decode("latin-1")
    return (
        str(current_app.config["PLENUM"].public_url) + request.path + (f"?{query}" if query else "")
    )


def _verified(endpoint_id: str) -> dict[str, str] | None:
    """The form Twilio posted, when it carries the signature of the endpoint's company and names
    its account; None otherwise (nothing is stored)."""
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return None
    db.set_claims(WEBHOOK_CLAIMS)
    endpoint = db.one(queries.twilio_endpoint, {"endpoint_id": endpoint_id[:100]})
    if endpoint is None:
        return None
    try:
        token = crypto.decrypt(
            endpoint["auth_token"],
            place=crypto.TWILIO_AUTH_TOKEN.at(endpoint["tenant_id"], endpoint["account_id"]),
            keyring=crypto.app_keyring(),
        )
    except crypto.UnreadableSecret as error:
        log.warning("messaging: a Twilio auth token does not open: %s", error)
        return None
    params = request.form.to_dict()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not sms.valid_signature(token, _signed_url(), params, signature):
        return None
    if params.get("AccountSid") != endpoint["account_sid"]:
        return None
    return params


def _forbidden() -> Response:
    return Response("forbidden", status=403, mimetype="text/plain")


@bp.post("/messaging/twilio/<endpoint_id>/inbound")
@csrf.exempt
def twilio_inbound(endpoint_id: str) -> Response:
    """A text a homeowner sent: stored in its conversation (STOP, START, HELP acted on); the
    answer is empty TwiML, since any reply is queued and sent by the worker."""
    params = _verified(endpoint_id)
    if params is None:
        return _forbidden()
    text = {
        "endpoint_id": endpoint_id[:100],
        "message_sid": params.get("MessageSid", "")[:64],
        "from": params.get("From", "")[:32],
        "to": params.get("To", "")[:32],
        "body": params.get("Body", "")[:20000],
    }
    try:
        outcome = db.write(queries.receive_text, text)[0]["outcome"]
    except psycopg.Error as error:
        if error.sqlstate != db.COMPANY_CLOSED:
            raise
        # A closed company keeps no conversation, but a STOP still holds (P-15).
        outcome = db.write(queries.receive_stop_while_closed, text)[0]["outcome"]
    if outcome == "refused":
        return _forbidden()
    log.info("messaging: inbound text: %s", outcome)
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/messaging/twilio/<endpoint_id>/status")
@csrf.exempt
def twilio_status(endpoint_id: str) -> Response:
    """What became of a text the company sent: sent, delivered, undelivered or failed."""
    params = _verified(endpoint_id)
    if params is None:
        return _forbidden()
    status = params.get("MessageStatus", "")[:20]
    outcome = db.write(
        queries.record_text_status,
        {
            "endpoint_id": endpoint_id[:100],
            "message_sid": params.get("MessageSid", "")[:64],
            "status": status,
            "failure": failure_words(status, params.get("ErrorCode", "")[:10]),
        },
    )[0]["outcome"]
    log.info("messaging: status callback %s: %s", status, outcome)
    return Response(status=204)
