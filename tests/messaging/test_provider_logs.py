"""At the worker's log level (INFO), sending and refusals log the kind of failure and the
provider's code, never a token, an API key, a number, an address or a body (P-17)."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.integrations.email import send_email
from app.integrations.sms import SendFailed, find_sent_sms, send_sms


def test_texts_and_emails_leave_no_secret_or_personal_data_in_the_logs(
    caplog, twilio_server, twilio_account, sendgrid_server, sendgrid_account
):
    caplog.set_level(logging.INFO)
    to, body, since = "+15551250001", "Gate code 4471", datetime.now(UTC) - timedelta(seconds=1)
    base = twilio_server.url
    send_sms(twilio_account, to=to, body=body, status_callback=None, api_base=base)
    assert find_sent_sms(twilio_account, to=to, body=body, since=since, api_base=base)
    wrong = dataclasses.replace(twilio_account, auth_token="f" * 32)
    twilio_server.fail_next(1, status=500)
    for account in (wrong, twilio_account):
        with pytest.raises(SendFailed):
            send_sms(account, to=to, body=body, status_callback=None, api_base=base)
    email: dict[str, Any] = {
        "subject": "Your code",
        "text": body,
        "html": None,
        "headers": {},
        "message_id": "m",
    }
    send_email(sendgrid_account, to="ann@example.com", api_base=sendgrid_server.url, **email)
    with pytest.raises(SendFailed):
        bad_key = dataclasses.replace(sendgrid_account, api_key="SG.bad.key")
        send_email(bad_key, to="ann@example.com", api_base=sendgrid_server.url, **email)

    logged = caplog.text
    assert "Twilio refused: HTTP 401 code 20003" in logged and "HTTP 500" in logged
    assert "SendGrid refused: HTTP 401" in logged
    secrets = [twilio_account.auth_token, "f" * 32, sendgrid_account.api_key, "SG.bad.key"]
    personal = [to, to.replace("+", "%2B"), "4471", "ann@example.com", "ann%40example.com"]
    assert [word for word in secrets + personal if word in logged] == []
