"""Loopback Twilio and SendGrid for the tests: threaded HTTP servers on free ports that answer
the official SDKs as the real APIs do, for as much as Plenum uses (Twilio's Messages resource,
SendGrid's v3 mail/send), check credentials, record every accepted message once (O(1), under a
lock, with a count per recipient and body to check "exactly once"), and refuse on demand:
`fail_next` (busy or down), `refuse_number` (Twilio's permanent codes), `latency`.

Twilio's side of the webhooks is here too: `twilio_signature` signs as Twilio does (HMAC-SHA1 of
the URL followed by the sorted form fields and their values, base64), `TwilioServer.status_callback`
builds the signed status callback of a sent message and `deliver_status` posts it, and
`inbound_params` is the form Twilio posts for a text a homeowner sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
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


class LoopbackServer:
    """A threaded HTTP/1.1 server on a free loopback port, with failures on demand."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # seconds each request waits before it is answered
        self.lock = threading.Lock()
        self._failures: list[tuple[int, int | None]] = []
        self.requests = 0

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # many senders at once

        self.server = Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail_next(self, n: int = 1, *, status: int = 500, code: int | None = None) -> None:
        """The next `n` API requests are refused with `status` (and the provider's `code`)."""
        with self.lock:
            self._failures.extend([(status, code)] * n)

    def clear_failures(self) -> None:
        with self.lock:
            self._failures.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next_failure(self) -> tuple[int, int | None] | None:
        with self.lock:
            self.requests += 1
            return self._failures.pop(0) if self._failures else None

    def handle(self, method: str, path: str, query: dict[str, str], request: Any) -> None:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connections
            disable_nagle_algorithm = True  # each answer at once, not after a delayed ACK
            wbufsize = 64 * 1024  # headers and body in one write

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                self.raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if owner.latency:
                    time.sleep(owner.latency)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
                owner.handle(self.command, parts.path, query, self)

            def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler


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


@dataclass(frozen=True)
class Mail:
    """An email the loopback SendGrid accepted."""

    message_id: str  # SendGrid's X-Message-Id
    api_key: str
    to: tuple[str, ...]
    from_: str
    from_name: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]
    custom_args: dict[str, str]


def sendgrid_errors(*problems: tuple[str | None, str]) -> dict[str, Any]:
    return {"errors": [{"field": f, "message": m, "help": None} for f, m in problems]}


def mail_problems(body: Any) -> list[tuple[str | None, str]]:
    """What SendGrid's v3 mail/send says is wrong with `body` (nothing: it is accepted)."""
    if not isinstance(body, dict):
        return [(None, "Bad Request")]
    problems: list[tuple[str | None, str]] = []
    people = body.get("personalizations")
    if not isinstance(people, list) or not people:
        problems.append(("personalizations", "The personalizations field is required."))
    for i, person in enumerate(people if isinstance(people, list) else []):
        recipients = person.get("to") if isinstance(person, dict) else None
        if not isinstance(recipients, list) or not recipients:
            problems.append((f"personalizations.{i}.to", "The to array is required."))
        for j, to in enumerate(recipients if isinstance(recipients, list) else []):
            if not (isinstance(to, dict) and EMAIL.match(str(to.get("email", "")))):
                problems.append(
                    (f"personalizations.{i}.to.{j}.email", "Does not contain a valid address.")
                )
    sender = body.get("from")
    if not (isinstance(sender, dict) and EMAIL.match(str(sender.get("email", "")))):
        problems.append(("from.email", "The from email does not contain a valid address."))
    if not (isinstance(body.get("subject"), str) and body["subject"]):
        problems.append(("subject", "The subject is required."))
    content = body.get("content")
    if not isinstance(content, list) or not content:
        problems.append(("content", "Unless a valid template_id is provided, content is required."))
    for i, part in enumerate(content if isinstance(content, list) else []):
        if not (isinstance(part, dict) and isinstance(part.get("value"), str) and part["value"]):
            problems.append(
                (f"content.{i}.value", "The content value must be a string at least one character.")
            )
    for name in ("headers", "custom_args"):
        values = body.get(name, {})
        if not (isinstance(values, dict) and all(isinstance(v, str) for v in values.values())):
            problems.append((name, f"Invalid type. Expected: object of strings, given: {name}."))
    return problems


class SendGridServer(LoopbackServer):
    """SendGrid's v3 `POST /v3/mail/send` for the `sendgrid` SDK."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__(latency)
        self.keys: set[str] = set()
        self.mails: list[Mail] = []
        self.counts: Counter[tuple[str, str]] = Counter()  # (to, subject) → times accepted

    def add_key(self, api_key: str) -> None:
        self.keys.add(api_key)

    def received(self, to: str | None = None) -> list[Mail]:
        """The emails accepted, oldest first (those to `to` only, when given)."""
        with self.lock:
            return [m for m in self.mails if to is None or to in m.to]

    def count(self, to: str, subject: str) -> int:
        return self.counts[(to, subject)]

    def handle(self, method: str, path: str, query: dict[str, str], request: Any) -> None:
        if (method, path) != ("POST", "/v3/mail/send"):
            request.answer(404, sendgrid_errors((None, "not found")))
            return
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if key not in self.keys:
            problem = "The provided authorization grant is invalid, expired, or revoked"
            request.answer(401, sendgrid_errors((None, problem)))
            return
        failure = self._next_failure()
        if failure is not None:
            request.answer(failure[0], sendgrid_errors((None, "Service failure")))
            return
        try:
            body = json.loads(request.raw)
        except ValueError:
            body = None
        problems = mail_problems(body)
        if problems:
            request.answer(400, sendgrid_errors(*problems))
            return
        mail = self._record(key, body)
        request.answer(202, None, {"X-Message-Id": mail.message_id})

    def _record(self, api_key: str, body: dict[str, Any]) -> Mail:
        parts = {part["type"]: part["value"] for part in body["content"]}
        mail = Mail(
            message_id=secrets.token_urlsafe(16)[:22],
            api_key=api_key,
            to=tuple(to["email"] for p in body["personalizations"] for to in p["to"]),
            from_=body["from"]["email"],
            from_name=body["from"].get("name", ""),
            subject=body["subject"],
            text=parts.get("text/plain", ""),
            html=parts.get("text/html"),
            headers=dict(body.get("headers", {})),
            custom_args=dict(body.get("custom_args", {})),
        )
        with self.lock:
            self.mails.append(mail)
            for to in mail.to:
                self.counts[(to, mail.subject)] += 1
        return mail
