"""Gunicorn, as deployed (gunicorn.conf.py): the pages it writes itself, without Flask (a
malformed request line, headers over its limit, an invalid header), carry the app's security
headers; its access and error logs are JSON lines without bearer tokens."""

from __future__ import annotations

import dataclasses
import json
import secrets
import socket
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from app.server import error_headers
from tests.auth.test_access_log import _read_when_flushed, gunicorn  # noqa: F401
from tests.conftest import TestDatabase, make_settings

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(self), geolocation=(), microphone=(), payment=()",
    "cache-control": "no-store",
}


def exchange(base_url: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `raw` bytes as they are; (status, headers, body) of the answer, read until the
    server closes the connection."""
    address = urllib.parse.urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(raw)
        answer = b""
        while chunk := conn.recv(65536):  # gunicorn closes after an error page
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.promise("P-06")
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NOT A REQUEST LINE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400),
    ],
    ids=["bad request line", "header over the limit", "invalid header"],
)
def test_gunicorns_own_error_pages_carry_the_security_headers(
    gunicorn: tuple[str, Path],  # noqa: F811
    raw: bytes,
    status: int,
) -> None:
    base_url, _ = gunicorn
    answered, headers, body = exchange(base_url, raw)
    assert answered == status
    assert {name: headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "strict-transport-security" not in headers  # not in production
    assert b"<html>" in body  # gunicorn's page, written whole


def test_in_production_its_error_pages_carry_hsts_too(database: TestDatabase) -> None:
    production = dataclasses.replace(make_settings(database), env="production")
    lines = error_headers(production).decode().split("\r\n")
    assert "Strict-Transport-Security: max-age=63072000; includeSubDomains" in lines
    assert not any(
        line.startswith("Strict-Transport")
        for line in error_headers(make_settings(database)).decode().split("\r\n")
    )


@pytest.mark.promise("P-06")
def test_gunicorns_logs_are_json_lines_without_the_token(
    gunicorn: tuple[str, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    base_url, access_log = gunicorn
    token = secrets.token_urlsafe(32)
    status, headers, _ = exchange(
        base_url,
        f"GET /password/reset/{token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
    )
    assert status == 410  # a link no longer (here: never) valid
    exchange(base_url, f"GET /password/reset/{token} HTTP/1.1 extra\r\n\r\n".encode())
    logged = _read_when_flushed(access_log, "/password/reset/[redacted]")

    (line,) = [entry for entry in json_lines(logged) if entry["path"] != "/healthz"]
    assert line["logger"] == "gunicorn.access" and line["level"] == "info"
    assert (line["method"], line["path"], line["status"]) == (
        "GET",
        "/password/reset/[redacted]",
        status,
    )
    assert line["request_id"] == headers["x-request-id"]
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")
    errors = (tmp_path / "error.log").read_text()
    warnings = [entry for entry in json_lines(errors) if entry["level"] == "warning"]
    assert any("Invalid" in entry["message"] for entry in warnings), errors
    assert token not in logged and token not in errors
