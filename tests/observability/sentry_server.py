"""A loopback Sentry for the tests: takes the envelopes the official SDK sends to
POST /api/<project>/envelope/ (gzip, deflate or brotli compressed, as the SDK chooses), keeps
each one's raw bytes, and parses its items so a test can read the events."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _brotli(body: bytes) -> bytes:
    import brotli  # the SDK compresses with brotli only when it is installed

    return bytes(brotli.decompress(body))


DECODERS = {
    "": lambda body: body,
    "identity": lambda body: body,
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
    "br": _brotli,
}


@dataclass
class Envelope:
    raw: bytes  # decompressed, as the SDK wrote it
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        """The JSON payloads of the items of `kind` (event, transaction, session, …)."""
        return [json.loads(body) for header, body in self.items if header.get("type") == kind]


def parse(raw: bytes) -> Envelope:
    """An envelope: a JSON header line, then items, each a JSON header line and a payload of
    the header's `length` bytes (or, without one, up to the end of the line)."""
    first, _, rest = raw.partition(b"\n")
    envelope = Envelope(raw, json.loads(first))
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        if "length" in header:
            body, rest = rest[: header["length"]], rest[header["length"] :]
            rest = rest.removeprefix(b"\n")
        else:
            body, _, rest = rest.partition(b"\n")
        envelope.items.append((header, body))
    return envelope


class SentryServer:
    """Records every envelope posted to it; `dsn` points the SDK here."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.path.startswith("/api/") or not self.path.endswith("/envelope/"):
                    self._answer(404, {"detail": "not found"})
                    return
                decode = DECODERS[self.headers.get("Content-Encoding", "").lower()]
                envelope = parse(decode(body))
                with owner.lock:
                    owner.envelopes.append(envelope)
                self._answer(200, {"id": envelope.header.get("event_id")})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host, self.port = "127.0.0.1", int(self.server.server_address[1])
        self.dsn = f"http://public@{self.host}:{self.port}/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self, kind: str) -> list[dict[str, Any]]:
        """The items of `kind` received, oldest first."""
        with self.lock:
            return [item for envelope in self.envelopes for item in envelope.payloads(kind)]

    def events(self) -> list[dict[str, Any]]:
        return self.payloads("event")

    def raw(self) -> bytes:
        """Every byte received, decompressed, for looking for what must not be there."""
        with self.lock:
            return b"\n".join(envelope.raw for envelope in self.envelopes)

    def clear(self) -> None:
        with self.lock:
            self.envelopes.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
