"""The process's logs are JSON lines, one object each, with an access line per request that
names the request, the company, the route, the method, the status and the time taken; and a
whole flow (sign in, a new customer with name, email and phone, a password reset by its
emailed token, a homeowner's portal link) leaves no token, password or personal value in them."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import pytest

from app import create_app
from app.logs import JsonFormatter, mask
from tests.auth.test_access_log import _emailed_path
from tests.conftest import Client, TestDatabase, make_settings
from tests.customers.support import customer_form
from tests.factories import PASSWORD, Factory
from tests.portal.support import link_from_outbox

NEW_PASSWORD = "a new passphrase nobody logs"


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


def whole_flow(client: Client, admin: Any, owner_email: str, customer: dict[str, str]) -> list[str]:
    """Sign in, add the customer, reset the password, open the customer's portal link; the
    tokens the emails carried."""
    client.sign_in(owner_email)
    assert client.submit("/customers/new", customer).status_code == 302
    client.submit("/sign-out")
    assert client.submit("/password/forgot", {"email": owner_email}).status_code == 302
    reset = _emailed_path(admin, owner_email, "password_reset")
    assert client.get(reset).status_code == 303
    assert client.submit("/password/reset", {"password": NEW_PASSWORD}).status_code == 302
    assert client.submit("/portal/sign-in", {"address": customer["email"]}).status_code == 303
    portal = link_from_outbox(admin, customer["email"])
    assert client.get(portal).status_code == 303
    assert client.submit("/portal/link", {}).status_code == 303
    return [reset.rsplit("/", 1)[1], portal.rsplit("/", 1)[1]]


def test_a_whole_flow_logs_json_lines_without_tokens_passwords_or_personal_data(
    database: TestDatabase, make: Factory, admin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    company = make.tenant()
    customer = customer_form(
        first_name="Quentin",
        last_name="Parrishford",
        email=f"quentin.{secrets.token_hex(4)}@parrish-home.example",
        phone="(508) 555-0142",
    )
    app = create_app(make_settings(database))  # its logs go to this test's captured stderr
    app.test_client_class = Client
    try:
        tokens = whole_flow(app.test_client(), admin, company.owner.email, customer)  # type: ignore[arg-type]
    finally:
        app.extensions["plenum.pool"].close()
    logged = capsys.readouterr().err
    entries = json_lines(logged)

    secrets_and_personal = [
        *tokens,
        PASSWORD,
        NEW_PASSWORD,
        company.owner.email,
        customer["first_name"],
        customer["last_name"],
        customer["email"],
        "555-0142",
        "5085550142",
    ]
    assert [value for value in secrets_and_personal if value in logged] == []
    access = [entry for entry in entries if entry["logger"] == "app.access"]
    routes = {(entry["method"], entry["route"], entry["status"]) for entry in access}
    assert {
        ("POST", "/customers/new", 302),
        ("GET", "/password/reset/<token>", 303),
        ("GET", "/portal/link/<token>", 303),
    } <= routes
    new_customer = next(entry for entry in access if entry["route"] == "/customers/new")
    assert new_customer["company_id"] == str(company.id)
    assert len(new_customer["request_id"]) == 32 and new_customer["duration_ms"] >= 0
    assert {"time", "level", "logger", "message"} <= set(new_customer)


def test_a_logged_error_is_one_masked_line_with_its_traceback() -> None:
    email, token = "pat@example.com", secrets.token_urlsafe(32)
    try:
        raise RuntimeError(f"no answer from {email} ({token})")
    except RuntimeError as error:
        record = logging.makeLogRecord(
            {"name": "jobs", "levelno": logging.ERROR, "levelname": "ERROR",
             "msg": "job %s failed: %r", "args": ("messages", error),
             "exc_info": (RuntimeError, error, error.__traceback__), "job": "messages"}
        )  # fmt: skip
    (entry,) = json_lines(JsonFormatter().format(record))
    assert (
        entry["message"]
        == "job messages failed: RuntimeError('no answer from [redacted] ([redacted])')"
    )
    assert entry["job"] == "messages" and entry["level"] == "error"
    assert entry["error"].startswith("Traceback") and "RuntimeError" in entry["error"]
    assert email not in entry["error"] and token not in entry["error"]


TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call (508) 555-0142 or +1 508 555 0142", "call [redacted] or [redacted]"),
        (
            "Key (tenant_id, email)=(x, pat@example.com) already exists.",
            "Key (tenant_id, email)=([redacted]) already exists.",
        ),
        (
            'invalid input syntax for type uuid: "Pat Quill"',
            "invalid input syntax for type uuid: [redacted]",
        ),
        (
            "DETAIL:  Failing row contains (1, Pat Quill, pat, null).\nHINT: x",
            "DETAIL:  Failing row contains ([redacted]).\nHINT: x",
        ),
        ("Invalid request from ip=203.0.113.9: bad", "Invalid request from ip=[redacted]: bad"),
        (f"GET /password/reset/{TOKEN}", "GET /password/reset/[redacted]"),
    ],
)
def test_mask_takes_out_what_logs_must_not_hold(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "customer 550e8400-e29b-41d4-a716-446655440000 of request 3f2a9c0b1d2e4f5a6b7c8d9e0f1a2b3c",
        "next attempt after 2026-12-06T12:30:00+00:00",
        "Listening at: http://127.0.0.1:36349 (30262)",
    ],
)
def test_mask_leaves_ids_and_times_readable(kept: str) -> None:
    assert mask(kept) == kept
