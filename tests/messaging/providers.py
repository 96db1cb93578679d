"""Loopback Twilio and SendGrid for the tests: threaded HTTP servers on free ports that answer
the official SDKs as the real APIs do, for as much as Plenum uses (Twilio's Messages resource,
SendGrid's v3 mail/send), check credentials, record every accepted message once (O(1), under a
lock, with a count per recipient and body to check "exactly once"), and refuse on demand:
`fail_next` (busy or down), `refuse_number` (Twilio's permanent codes), `latency`.

Twilio's side of the webhooks is here too: `twilio_signature` signs as Twilio does (HMAC-SHA1 of
the URL followed by the sorted form fields and their values, base64), `TwilioServer.status_callback`
builds the signed status callback of a sent message and `deliver_status` posts it, and
`inbound_params` is the form Twilio posts for a text a homeowner sends."""

from tests.messaging.loopback import LoopbackServer
from tests.messaging.sendgrid_server import Mail, SendGridServer
from tests.messaging.twilio_server import (
    Sms,
    TwilioServer,
    Webhook,
    inbound_params,
    signed,
    twilio_sid,
    twilio_signature,
)

__all__ = [
    "LoopbackServer",
    "Mail",
    "SendGridServer",
    "Sms",
    "TwilioServer",
    "Webhook",
    "inbound_params",
    "signed",
    "twilio_sid",
    "twilio_signature",
]
