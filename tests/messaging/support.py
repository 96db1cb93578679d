"""Shared by the messaging tests: a company connected to the loopback Twilio and SendGrid with
sealed credentials, and a time zone where it is working hours right now (for tests that run
on the real clock, so that quiet hours do not hold their messages)."""

from __future__ import annotations

from uuid import UUID

from app import crypto
from app.config import Settings
from app.db import Connection
from app.integrations.email import SendGridAccount
from app.integrations.sms import TwilioAccount

CONNECT = """
insert into public.messaging_accounts
  (tenant_id, twilio_account_sid, twilio_from_number, twilio_messaging_service_sid,
   sms_per_second, sendgrid_from_email, sendgrid_from_name)
values (%(tenant)s, %(sid)s, %(number)s, %(service)s, %(rate)s, %(from_email)s, %(from_name)s)
returning id
"""


def connect(
    admin: Connection,
    settings: Settings,
    tenant_id: UUID,
    twilio: TwilioAccount | None = None,
    sendgrid: SendGridAccount | None = None,
    rate: float = 1,
) -> UUID:
    """Give the company a messaging account on the loopback providers, its secrets sealed as
    the settings page seals them."""
    row = admin.execute(
        CONNECT,
        {
            "tenant": tenant_id,
            "sid": twilio.account_sid if twilio else "",
            "number": twilio.from_number if twilio else "",
            "service": twilio.messaging_service_sid if twilio else "",
            "rate": rate,
            "from_email": sendgrid.from_email if sendgrid else "",
            "from_name": sendgrid.from_name if sendgrid else "",
        },
    ).fetchone()
    assert row is not None
    ring = crypto.keyring_of(settings)
    for column, secret in (
        (crypto.TWILIO_AUTH_TOKEN, twilio.auth_token if twilio else ""),
        (crypto.SENDGRID_API_KEY, sendgrid.api_key if sendgrid else ""),
    ):
        if secret:
            sealed = crypto.encrypt(secret, place=column.at(tenant_id, row["id"]), keyring=ring)
            admin.execute(
                f"update public.messaging_accounts set {column.column} = %s where id = %s",  # noqa: S608
                [sealed, row["id"]],
            )
    return UUID(str(row["id"]))


def daytime_zone(admin: Connection) -> str:
    """A time zone where it is between 10am and 6pm now (the real clock)."""
    row = admin.execute(
        "select name from app.time_zones"
        " where (now() at time zone name)::time between '10:00' and '18:00'"
        " order by name limit 1"
    ).fetchone()
    assert row is not None
    return str(row["name"])
