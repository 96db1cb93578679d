"""A loopback Google Maps for the tests: a threaded HTTP server that answers the Geocoding API
(`/maps/api/geocode/json`), the Time Zone API (`/maps/api/timezone/json`) and the Distance
Matrix API (`/maps/api/distancematrix/json`) in Google's documented JSON, enough for the
`googlemaps` SDK. It checks the `key` parameter (REQUEST_DENIED otherwise), records every
request, and can be told to fail: `fail_with = 500` (an HTTP error, which the SDK retries),
`"OVER_QUERY_LIMIT"`, `"ZERO_RESULTS"` or any other status, or `GARBAGE` (a body that is not
JSON)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "AIzaSyTestKey0123456789abcdefghijklmn"
GARBAGE = "<html>a proxy's error page, not JSON</html>"


@dataclass
class FakeMaps:
    """What the server answers, and what it was asked (`requests`: path and parameters)."""

    url: str = ""
    key: str = KEY
    # Addresses it knows: a piece of the one-line address → (latitude, longitude).
    places: dict[str, tuple[float, float]] = field(default_factory=dict)
    time_zone: str = "America/New_York"
    driving_seconds: int = 1500
    fail_with: int | str | None = None  # every answer, until set back to None
    fail_only: str | None = None  # the API that fails ("geocode", "timezone", …); None: all
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def reset(self) -> None:
        self.places.clear()
        self.time_zone = "America/New_York"
        self.driving_seconds = 1500
        self.fail_with = self.fail_only = None
        self.requests.clear()

    def asked(self, api: str) -> list[dict[str, str]]:
        return [params for path, params in self.requests if f"/maps/api/{api}/" in path]

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any] | str]:
        self.requests.append((path, params))
        api = path.split("/")[3] if path.count("/") >= 4 else ""
        if params.get("key") != self.key:
            return 200, {
                "status": "REQUEST_DENIED",
                "error_message": "The provided API key is invalid.",
            }
        if self.fail_with is not None and self.fail_only in (None, api):
            if isinstance(self.fail_with, int):
                return self.fail_with, {"error": "backend error"}
            if self.fail_with == GARBAGE:
                return 200, GARBAGE
            return 200, {"status": self.fail_with, "results": [], "rows": []}
        handler = {
            "geocode": self._geocode,
            "timezone": self._timezone,
            "distancematrix": self._matrix,
        }.get(api)
        if handler is None:
            return 404, {"error": "not found"}
        return 200, handler(params)

    def _geocode(self, params: dict[str, str]) -> dict[str, Any]:
        address = params.get("address", "")
        for piece, (lat, lng) in self.places.items():
            if piece in address:
                return {
                    "status": "OK",
                    "results": [
                        {
                            "formatted_address": address,
                            "geometry": {
                                "location": {"lat": lat, "lng": lng},
                                "location_type": "ROOFTOP",
                            },
                            "place_id": "ChIJtest",
                            "types": ["street_address"],
                        }
                    ],
                }
        return {"status": "ZERO_RESULTS", "results": []}

    def _timezone(self, params: dict[str, str]) -> dict[str, Any]:
        return {
            "status": "OK",
            "timeZoneId": self.time_zone,
            "timeZoneName": self.time_zone,
            "rawOffset": -18000,
            "dstOffset": 0,
        }

    def _matrix(self, params: dict[str, str]) -> dict[str, Any]:
        element = {
            "status": "OK",
            "duration": {
                "value": self.driving_seconds,
                "text": f"{self.driving_seconds // 60} mins",
            },
            "distance": {"value": 16093, "text": "10 mi"},
        }
        return {
            "status": "OK",
            "origin_addresses": [params.get("origins", "")],
            "destination_addresses": [params.get("destinations", "")],
            "rows": [{"elements": [element]}],
        }


def _handler(fake: FakeMaps) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status, body = fake.answer(parts.path, params)
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running() -> Iterator[FakeMaps]:
    """The server on a loopback port, stopped after."""
    fake = FakeMaps()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
