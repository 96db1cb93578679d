"""Bearer secrets out of what the logs print: request lines, paths, queries and headers.

Emailed links trade their token for the session on first use, but that first request, and
every calendar-feed request (calendar apps keep no cookies), still names a token in its path.
Every path gunicorn's access log (app/server.py) and the app's logs (app/logs.py) print is
passed through `redact` first."""

from __future__ import annotations

import re

REDACTED = "[redacted]"
# Paths whose next segment is a bearer token, whatever its length (not a URL rule's `<token>`).
_TOKEN_AFTER = re.compile(
    r"(/(?:password/reset|invitations|sign-in/unlock|sign-up/confirm|calendar|estimate|invoice|unsubscribe|visit|portal/link|certificate)/)"
    r"(?!(?:pending|view)(?:[/?#\s\"]|$)|<)[^/?#\s\".]+"
)
# Any other long random-looking segment (tokens are 43 characters); ids (UUIDs) stay readable.
_LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=[/?#.\s\"]|$)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Query values under names that carry secrets.
_SECRET_PARAMETER = re.compile(
    r"(?i)((?:^|[?&;])(?:[\w.-]*token|code|key|secret|signature|sig|password)=)[^&;#\s\"]*"
)


def _segment(match: re.Match[str]) -> str:
    return match.group(0) if _UUID.fullmatch(match.group(0)) else REDACTED


def redact(value: str) -> str:
    """`value` (a request line, path, query or header) with its bearer secrets replaced."""
    value = _TOKEN_AFTER.sub(lambda m: m.group(1) + REDACTED, value)
    value = _LONG_SEGMENT.sub(_segment, value)
    return _SECRET_PARAMETER.sub(lambda m: m.group(1) + REDACTED, value)
