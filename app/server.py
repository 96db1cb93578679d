"""Gunicorn's own parts (gunicorn.conf.py): its logs as the app's JSON lines, and its error pages
with the app's security headers.

Gunicorn answers some requests itself, without Flask: a malformed request line, headers over
its limits, an invalid header. Those pages get the headers every Flask response has (P-06,
P-20). Its access log holds one line per request, the path with bearer tokens redacted and no
query, address or user agent; the app's own line (app/logs.py) adds the route and company."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from app.access_log import redact
from app.config import Settings
from app.logs import JsonFormatter
from app.security import HEADERS, HSTS, content_security_policy


class JsonLogger(Logger):
    """Gunicorn's error and access logs as JSON lines, masked like the app's."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        path = redact(atoms["U"] or "")
        self.access_log.info(
            "%s %s %s %s",
            atoms["m"],
            path,
            atoms["H"],
            atoms["s"],
            extra={
                "request_id": atoms.get("{x-request-id}o"),
                "method": atoms["m"],
                "path": path,
                "status": int(atoms["s"]),
                "bytes": atoms["B"] or 0,
                "duration_ms": round(request_time / timedelta(milliseconds=1), 1),
            },
        )


def error_headers(settings: Settings) -> bytes:
    """The security headers of every response, as the header lines of a raw HTTP answer."""
    headers = {**HEADERS, "Content-Security-Policy": content_security_policy(settings)}
    headers["Cache-Control"] = "no-store"
    if settings.is_production:
        headers["Strict-Transport-Security"] = HSTS
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode("latin-1")


class _HeadedSocket:
    """The client's socket, through which gunicorn writes its error page: the headers are
    added after the status line. Everything else goes to the socket itself."""

    def __init__(self, sock: Any, headers: bytes) -> None:
        self._sock = sock
        self._headers = headers

    def sendall(self, data: bytes) -> None:
        status_line, newline, rest = data.partition(b"\r\n")
        self._sock.sendall(status_line + newline + self._headers + rest)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Worker(ThreadWorker):
    """Gunicorn's threaded worker (fly.toml runs it with --threads), whose own error pages
    carry the app's security headers."""

    headers = b""

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.headers = error_headers(self.wsgi.config["PLENUM"])

    def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
        super().handle_error(req, _HeadedSocket(client, self.headers), addr, exc)
