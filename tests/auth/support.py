"""What the staff-identity tests share: reading pages and emails, and two-step sign-in steps."""

from __future__ import annotations

import html
import re
import time
from typing import Any
from uuid import UUID

import pyotp

from app.db import Connection

FIELD_ERROR = re.compile(r'<p class="error" id="(\w+)-error">(.*?)</p>', re.DOTALL)
TOTP_KEY = re.compile(r'data-secret="([A-Z2-7]+)"')
RECOVERY_CODE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
RESET_LINK = re.compile(r"http://plenum\.test/password/reset/([\w-]+)")
CSRF_VALUES = re.compile(r'(name="csrf_token"[^>]*value="|name="csrf-token" content=")[^"]+"')


def text(response: Any) -> str:
    """The page as a person reads it: HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def field_errors(response: Any) -> dict[str, str]:
    """The message shown next to each field of the page's form, by field name."""
    return {
        name: html.unescape(message)
        for name, message in FIELD_ERROR.findall(response.get_data(as_text=True))
    }


def without_csrf(page: str) -> str:
    """A page with its per-session CSRF tokens blanked, to compare two pages."""
    return CSRF_VALUES.sub(r'\1"', page)


def count(admin: Connection, table: str) -> int:
    """Rows in a table, seen by the database owner (tables named by the tests only)."""
    row = admin.execute(f"select count(*) as n from {table}").fetchone()  # noqa: S608
    assert row is not None
    return int(row["n"])


def account(admin: Connection, email: str) -> dict[str, Any]:
    """The account's row as stored, seen by the database owner."""
    row = admin.execute("select * from iam.accounts where email = %s", (email,)).fetchone()
    assert row is not None, f"no account {email}"
    return row


def totp_key(page: str) -> str:
    """The key shown on the two-step setup page."""
    match = TOTP_KEY.search(page)
    assert match, page
    return match.group(1)


def emails_to(admin: Connection, address: str) -> list[dict[str, Any]]:
    return admin.execute(
        "select * from outbox.messages where to_address = %s order by created_at", (address,)
    ).fetchall()


def reset_token_from_email(admin: Connection, address: str) -> str:
    """The token of the newest reset link emailed to `address`."""
    messages = emails_to(admin, address)
    assert messages, f"no email to {address}"
    match = RESET_LINK.search(messages[-1]["body_text"])
    assert match, messages[-1]["body_text"]
    return match.group(1)


def sign_in_response(client: Any, email: str, password: str, **kwargs: Any) -> Any:
    """Submit the sign-in form, whatever the outcome."""
    return client.submit("/sign-in", {"email": email, "password": password}, **kwargs)


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (±1 step), and newer than a code just used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def wrong_code(secret: str) -> str:
    """Six digits that match none of the steps the app accepts right now."""
    totp = pyotp.TOTP(secret)
    accepted = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in accepted)


def forget_used_steps(admin: Connection, account_id: UUID) -> None:
    """Let the next sign-in use a code of a step already used (instead of waiting 30 seconds)."""
    admin.execute("update iam.accounts set totp_last_step = null where id = %s", (account_id,))


def enrol(client: Any) -> tuple[str, list[str]]:
    """Turn two-step sign-in on for the signed-in client; returns (secret, recovery codes)."""
    secret = totp_key(client.get("/account/two-step").get_data(as_text=True))
    response = client.submit("/account/two-step", {"code": pyotp.TOTP(secret).now()})
    codes = RECOVERY_CODE.findall(response.get_data(as_text=True))
    assert len(codes) == 10, response.get_data(as_text=True)
    return secret, codes


def start_two_step_sign_in(client: Any, email: str, password: str) -> None:
    """The password step of a two-step sign-in: the app then asks for a code."""
    response = sign_in_response(client, email, password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in/code"


def open_link(client: Any, link: str) -> Any:
    """Open an emailed link as a browser does: its token is exchanged for the session and the
    browser is sent (303) to a URL without it; returns that page (or the 410 of a dead link)."""
    exchanged = client.get(link)
    assert exchanged.headers["Referrer-Policy"] == "no-referrer"
    if exchanged.status_code == 410:  # a link that no longer works is refused at once
        return exchanged
    assert exchanged.status_code == 303, exchanged.status_code
    location = exchanged.headers["Location"]
    assert link.rsplit("/", 1)[1] not in location
    return client.get(location)
