"""A loopback Stripe for the tests: localstripe (a stateful fake Stripe, run as its own
process) answers payment intents, payment methods, charges and refunds; localstripe has no
Checkout Sessions, so this small server answers `/v1/checkout/sessions` in Stripe's documented
JSON shape (honouring `Idempotency-Key`, as Stripe does) and forwards every other call to
localstripe. `pay` plays the payer on Stripe's page: a card payment method and a confirmed
payment intent in localstripe carrying the session's amount and metadata.

For a real browser the session's `url` is a minimal hosted page on this server (`/c/pay/<id>`):
its Pay button pays as `pay` does, delivers the signed `checkout.session.completed` event to
the webhook endpoints registered for the account whose secret key made the session (what
Stripe's dashboard holds: `add_webhook`), then redirects to the session's `success_url`."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_localstripe(attempts: int = 3) -> tuple[subprocess.Popen[bytes], str]:
    """localstripe on a loopback port, waited for until it answers (a port taken meanwhile by
    another process: another port)."""
    for _ in range(attempts):
        port = free_port()
        process = subprocess.Popen(
            # From scratch: localstripe otherwise loads the state every instance on the machine
            # saves to one file (/tmp/localstripe.pickle), and fails to start when it reads it
            # while another instance writes it.
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60  # a loaded machine imports aiohttp slowly
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return process, f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.2)
        process.terminate()
        process.wait(timeout=10)
    raise RuntimeError("localstripe did not start")


def sign(payload: bytes, secret: str, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends: t=<unix time>,v1=HMAC-SHA256 of "t.payload"."""
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


@contextmanager
def running() -> Iterator[FakeStripe]:
    """localstripe and the Checkout server, stopped after."""
    process, url = start_localstripe()
    fake = FakeStripe(url)
    try:
        yield fake
    finally:
        fake.close()
        process.terminate()
        process.wait(timeout=10)


def _nested(form: dict[str, list[str]]) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) as nested dicts (lists as dicts by index)."""
    out: dict[str, Any] = {}
    for key, values in form.items():
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = values[-1]
    return out


class FakeStripe:
    def __init__(self, localstripe: str) -> None:
        self.localstripe = localstripe
        self.sessions: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) as received
        self.session_keys: dict[str, str] = {}  # session id → the secret key that made it
        self.webhooks: dict[str, list[tuple[str, str]]] = {}  # secret key → (URL, secret)
        self.deliveries: list[tuple[str, int]] = []  # (event type, the endpoint's answer)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_webhook(self, secret_key: str, url: str, secret: str) -> None:
        """A webhook endpoint of the account of `secret_key`, signed with `secret` (what the
        company pastes into Stripe's dashboard)."""
        self.webhooks.setdefault(secret_key, []).append((url, secret))

    def deliver(self, session_id: str, kind: str = "checkout.session.completed") -> None:
        """The session's event, signed as Stripe signs it, sent to its account's endpoints."""
        payload = json.dumps(
            {
                "id": "evt_" + secrets.token_hex(12),
                "object": "event",
                "type": kind,
                "data": {"object": self.sessions[session_id]},
            }
        ).encode()
        for url, secret in self.webhooks.get(self.session_keys.get(session_id, ""), []):
            request = urllib.request.Request(url, data=payload, method="POST")  # noqa: S310 (loopback)
            request.add_header("Content-Type", "application/json")
            request.add_header("Stripe-Signature", sign(payload, secret))
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    self.deliveries.append((kind, response.status))
            except urllib.error.HTTPError as error:
                self.deliveries.append((kind, error.code))

    def close(self) -> None:
        self.server.shutdown()

    def local(self, method: str, path: str, params: dict[str, str] | None = None) -> Any:
        """Call localstripe directly, as Stripe's own page would."""
        data = urllib.parse.urlencode(params or {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.localstripe + path, data=data, method=method)  # noqa: S310 (loopback)
        request.add_header("Authorization", "Bearer sk_test_fake")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return json.loads(response.read())

    def pay(self, session_id: str, card: str = "4242424242424242") -> dict[str, Any]:
        """Pay a session with a card: returns the payment intent (its charge inside)."""
        session = self.sessions[session_id]
        method = self.local(
            "POST",
            "/v1/payment_methods",
            {
                "type": "card",
                "card[number]": card,
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
            },
        )
        params = {
            "amount": str(session["amount_total"]),
            "currency": session["currency"],
            "payment_method": method["id"],
            "confirm": "true",
        }
        for key, value in session["metadata"].items():
            params[f"metadata[{key}]"] = value
        intent = self.local("POST", "/v1/payment_intents", params)
        session.update(payment_intent=intent["id"], status="complete", payment_status="paid")
        return dict(intent)

    def _create_session(self, body: dict[str, Any]) -> dict[str, Any]:
        item = body["line_items"]["0"]
        amount = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", "1"))
        session_id = "cs_test_" + secrets.token_hex(12)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": body["mode"],
            "amount_total": amount,
            "currency": item["price_data"]["currency"],
            "metadata": body.get("metadata", {}),
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": body["success_url"],
            "cancel_url": body["cancel_url"],
            "url": f"{self.url}/c/pay/{session_id}",
            "livemode": False,
        }
        self.sessions[session_id] = session
        return session

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _hosted_page(self, session_id: str) -> None:
                """Stripe's page for a session: what it costs and a Pay button."""
                found = fake.sessions.get(session_id)
                if found is None:
                    self._answer(404, {"error": {"type": "invalid_request_error"}})
                    return
                amount = f"{found['amount_total'] / 100:,.2f} {found['currency'].upper()}"
                raw = (
                    "<!doctype html><html><head><meta name=viewport"
                    ' content="width=device-width"><title>Stripe Checkout</title></head><body>'
                    f"<h1>Pay {html.escape(amount)}</h1>"
                    f'<form method="post" action="/c/pay/{html.escape(session_id)}">'
                    "<label>Card number <input name=card value=4242424242424242></label>"
                    "<button type=submit>Pay</button></form></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _paid_on_the_page(self, session_id: str) -> None:
                """The Pay button: paid, the event delivered, back to the success URL."""
                found = fake.sessions.get(session_id)
                if found is None:
                    self._answer(404, {"error": {"type": "invalid_request_error"}})
                    return
                if found["status"] == "open":
                    fake.pay(session_id)
                    fake.deliver(session_id)
                self.send_response(303)
                self.send_header("Location", found["success_url"])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _forward(self, raw: bytes | None) -> None:
                key = self.headers.get("Idempotency-Key", "") if raw is not None else ""
                if key:  # Stripe answers a repeated key with the first answer, as-is
                    with fake.lock:
                        if key in fake.by_key:
                            self._answer(200, fake.by_key[key])
                            return
                request = urllib.request.Request(  # noqa: S310 (loopback)
                    fake.localstripe + self.path, data=raw, method=self.command
                )
                for name in ("Authorization", "Content-Type"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        answer = json.loads(response.read())
                        if key:
                            fake.by_key[key] = answer
                        self._answer(response.status, answer)
                except urllib.error.HTTPError as error:
                    self._answer(error.code, json.loads(error.read() or b"{}"))

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path))
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/c/pay/"):
                    self._hosted_page(path.rsplit("/", 1)[1])
                    return
                if path.startswith("/v1/checkout/sessions/"):
                    found = fake.sessions.get(path.rsplit("/", 1)[1])
                    if found is None:
                        self._answer(404, {"error": {"type": "invalid_request_error"}})
                    else:
                        self._answer(200, found)
                    return
                self._forward(None)

            def do_POST(self) -> None:
                fake.requests.append(("POST", self.path))
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/c/pay/"):
                    self._paid_on_the_page(path.rsplit("/", 1)[1])
                    return
                if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
                    self._answer(401, {"error": {"type": "invalid_request_error"}})
                    return
                if urllib.parse.urlsplit(self.path).path != "/v1/checkout/sessions":
                    self._forward(raw)
                    return
                key = self.headers.get("Idempotency-Key", "")
                with fake.lock:
                    if key and key in fake.by_key:
                        self._answer(200, fake.by_key[key])
                        return
                    body = _nested(urllib.parse.parse_qs(raw.decode(), keep_blank_values=True))
                    session = fake._create_session(body)
                    fake.session_keys[session["id"]] = self.headers["Authorization"][7:]
                    if key:
                        fake.by_key[key] = session
                self._answer(200, session)

        return Handler
