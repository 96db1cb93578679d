"""A loopback Twilio: enough of the REST API's Messages resource for the `twilio` SDK (create,
list with Twilio's filters and paging, fetch), with credentials checked, every accepted text
recorded once, and refusals on demand. Twilio's side of the webhooks too: `twilio_signature`
signs as Twilio does (HMAC-SHA1 of the URL followed by the sorted form fields and their values,
base64), `TwilioServer.status_callback` builds the signed status callback of a sent text and
`deliver_status` posts it, and `inbound_params` is the form Twilio posts for a text a homeowner
sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from tests.messaging.loopback import LoopbackServer

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
GSM_CHARACTERS = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: HMAC-SHA1, keyed with the auth token, of the full URL followed by
    each form field's name and value in name order; base64."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Webhook:
    """A signed request Twilio makes: post `params` as a form to `url` with `headers` (a Flask
    test client takes the absolute URL as it is)."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]

    def post(self) -> int:
        """Send it over HTTP, as Twilio does; the endpoint's HTTP status."""
        data = urllib.parse.urlencode(self.params).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310 (loopback)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        for name, value in self.headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


def signed(auth_token: str, url: str, params: dict[str, str]) -> Webhook:
    return Webhook(url, params, {"X-Twilio-Signature": twilio_signature(auth_token, url, params)})


def twilio_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def inbound_params(account_sid: str, from_: str, to: str, body: str) -> dict[str, str]:
    """The form Twilio posts to a number's messaging webhook for a text it received."""
    sid = twilio_sid("SM")
    return {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": str(segments(body)),
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }


def segments(body: str) -> int:
    """How many SMS parts `body` takes: 160 GSM-7 characters (153 when split), else 70 (67)."""
    single, part = (160, 153) if set(body) <= GSM_CHARACTERS else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // part)


@dataclass
class Sms:
    """A text the loopback Twilio accepted."""

    sid: str
    account: str
    to: str
    from_: str
    messaging_service_sid: str
    body: str
    status_callback: str
    resource: dict[str, Any] = field(repr=False)

    @property
    def status(self) -> str:
        return str(self.resource["status"])


def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


REFUSAL_MESSAGES = {
    21211: "The 'To' number is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}
MESSAGES = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages(?:/(SM[0-9a-f]{32}))?\.json$"
)


class TwilioServer(LoopbackServer):
    """Enough of Twilio's REST API for the `twilio` SDK's Messages calls."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__(latency)
        self.accounts: dict[str, str] = {}  # account SID → auth token
        self.refused: dict[str, int] = {}  # number → Twilio error code
        self.messages: dict[str, Sms] = {}  # by SID, in the order accepted
        self.counts: Counter[tuple[str, str]] = Counter()  # (to, body) → times accepted

    def add_account(self, sid: str, token: str) -> None:
        self.accounts[sid] = token

    def refuse_number(self, to: str, code: int = 21211) -> None:
        """Texts to `to` are refused with Twilio's permanent error `code` (HTTP 400)."""
        self.refused[to] = code

    def received(self, to: str | None = None) -> list[Sms]:
        """The texts accepted, oldest first (those to `to` only, when given)."""
        with self.lock:
            return [m for m in self.messages.values() if to is None or m.to == to]

    def count(self, to: str, body: str) -> int:
        return self.counts[(to, body)]

    def status_callback(self, sid: str, status: str, error_code: int | None = None) -> Webhook:
        """The signed callback Twilio makes when text `sid` reaches `status` (which it takes)."""
        sms = self.messages[sid]
        with self.lock:
            sms.resource["status"] = status
            if status in ("sent", "delivered") and not sms.resource["date_sent"]:
                sms.resource["date_sent"] = format_datetime(datetime.now(UTC), usegmt=True)
            sms.resource["error_code"] = error_code
        params = {
            "AccountSid": sms.account,
            "ApiVersion": "2010-04-01",
            "From": sms.from_,
            "To": sms.to,
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": status,
            "MessageStatus": status,
        }
        if sms.messaging_service_sid:
            params["MessagingServiceSid"] = sms.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return signed(self.accounts[sms.account], sms.status_callback, params)

    def deliver_status(self, sid: str, status: str, error_code: int | None = None) -> int:
        """Post the status callback over HTTP; the endpoint's answer."""
        return self.status_callback(sid, status, error_code).post()

    def handle(self, method: str, path: str, query: dict[str, str], request: Any) -> None:
        matched = MESSAGES.match(path)
        if matched is None:
            request.answer(404, twilio_error(404, 20404, "The requested resource was not found"))
            return
        account, sid = matched.groups()
        credentials = base64.b64encode(f"{account}:{self.accounts.get(account)}".encode()).decode()
        if account not in self.accounts or request.headers.get("Authorization") != (
            "Basic " + credentials
        ):
            request.answer(401, twilio_error(401, 20003, "Authenticate"))
            return
        failure = self._next_failure()
        if failure is not None:
            status, code = failure
            request.answer(status, twilio_error(status, code or status * 100, "Service failure"))
        elif method == "POST" and sid is None:
            form = dict(urllib.parse.parse_qsl(request.raw.decode(), keep_blank_values=True))
            request.answer(*self._create(account, form))
        elif method == "GET" and sid is None:
            request.answer(200, self._page(account, path, query))
        elif method == "GET" and sid in self.messages and self.messages[sid].account == account:
            request.answer(200, self.messages[sid].resource)
        else:
            request.answer(404, twilio_error(404, 20404, "The requested resource was not found"))

    def _create(self, account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        to, body = form.get("To", ""), form.get("Body", "")
        service = form.get("MessagingServiceSid", "")
        sender = form.get("From", "")
        if not to:
            return 400, twilio_error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return 400, twilio_error(400, 21602, "Message body is required.")
        if not sender and not service:
            return 400, twilio_error(400, 21603, "The 'From' phone number is required.")
        code = self.refused.get(to) or (0 if E164.match(to) else 21211)
        if code:
            return 400, twilio_error(400, code, REFUSAL_MESSAGES.get(code, "Refused"))
        sid, now = twilio_sid("SM"), format_datetime(datetime.now(UTC), usegmt=True)
        resource = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "num_media": "0",
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        sms = Sms(sid, account, to, sender, service, body, form.get("StatusCallback", ""), resource)
        with self.lock:
            self.messages[sid] = sms
            self.counts[(to, body)] += 1
        return 201, resource

    def _page(self, account: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        """A page of the account's texts, newest first, filtered as Twilio filters them
        (DateSent by day, and only texts that have a date sent)."""
        after, before = query.get("DateSent>", "")[:10], query.get("DateSent<", "")[:10]
        on = query.get("DateSent", "")[:10]

        def kept(sms: Sms) -> bool:
            sent = sms.resource["date_sent"]
            day = (
                datetime.strptime(sent, "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()
                if sent
                else ""
            )
            return (
                sms.account == account
                and query.get("To", sms.to) == sms.to
                and query.get("From", sms.from_) == sms.from_
                and (not (after or before or on) or bool(day))
                and day >= after
                and (not before or day <= before)
                and (not on or day == on)
            )

        found = [m.resource for m in reversed(self.received()) if kept(m)]
        size, number = int(query.get("PageSize") or 50), int(query.get("Page") or 0)
        rows = found[number * size : (number + 1) * size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(page: int) -> str:
            params = urllib.parse.urlencode({**filters, "PageSize": size, "Page": page})
            return f"{path}?{params}"

        more = (number + 1) * size < len(found)
        return {
            "messages": rows,
            "end": number * size + max(len(rows) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(number + 1) + f"&PageToken=PA{number + 1}" if more else None,
            "page": number,
            "page_size": size,
            "previous_page_uri": uri(number - 1) if number else None,
            "start": number * size,
            "uri": uri(number),
        }
