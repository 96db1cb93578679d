"""The loopback servers' common part: a threaded HTTP/1.1 server on a free loopback port that
answers each request after `latency` seconds, refuses the next requests on demand
(`fail_next`), and hands each request to the subclass's `handle`."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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

            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client killed mid-request (the exactly-once tests SIGKILL the worker)
                # resets its connection: that is the scenario, not the server's error.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

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
