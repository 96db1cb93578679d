"""Logs as JSON, one object a line, for the web process and the worker; and one access line per
request (request id, company, route, method, status, time).

Every line passes through `mask` on its way out: bearer tokens, email addresses, phone numbers
and the values a database error quotes are replaced, and a database error in a traceback is told
by its code and names only (`database_error_text`), so a log line never holds a secret or a
homeowner's contact details even when a message or a traceback names them (PROMISES.md P-05,
P-17). Paths are logged as their URL rule (`/password/reset/<token>`), never as sent."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import psycopg
from flask import Flask, Response, g, request

from app.access_log import REDACTED, redact

ACCESS = logging.getLogger("app.access")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number as people write it: international (+ and 8 to 15 digits, any separators) or North
# American ((508) 555-0123, 508.555.0123, 5085550123); not a piece of a UUID or a longer word.
PHONE = re.compile(
    r"(?<![\w-])(?:\+\d(?:[\s().-]{0,2}\d){7,14}|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})(?![\w-])"
)
# The client's address in gunicorn's complaints ("Invalid request from ip=203.0.113.9: …").
CLIENT_ADDRESS = re.compile(r"(?<=\bip=)[0-9A-Fa-f.:]*[0-9A-Fa-f]")
# A bearer token outside a path: a long run of URL-safe characters that mixes digits with
# letters beyond hex (request ids, hashes and UUIDs are hex, and stay readable).
TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[g-zG-Z_])[\w-]{32,}(?![\w-])")
# What PostgreSQL quotes from the row in its messages: `Key (email)=(pat@example.com)`,
# `Failing row contains (…)` and `invalid input syntax for type integer: "Pat Quill"`.
DATABASE_VALUE = re.compile(
    r"(\bKey \([^)]*\)=\().*?(\) (?:already exists|is not present|is still referenced))"
    r"|(Failing row contains \().*(\))"
)
QUOTED_INPUT = re.compile(r'((?:invalid input (?:syntax|value)|value too long)[^:"]*: )".*?"')
# The attributes every log record has: anything else was passed in `extra` and is logged too.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_HANDLER_MARK = "_plenum_json"


def mask(text: str) -> str:
    """`text` with bearer secrets, email addresses, phone numbers, client addresses and quoted
    database values replaced by [redacted]."""
    text = DATABASE_VALUE.sub(lambda m: m.expand(r"\1\3") + REDACTED + m.expand(r"\2\4"), text)
    text = QUOTED_INPUT.sub(lambda m: m.group(1) + REDACTED, text)
    text = EMAIL.sub(REDACTED, text)
    text = PHONE.sub(REDACTED, text)
    text = CLIENT_ADDRESS.sub(REDACTED, text)
    text = TOKEN.sub(REDACTED, text)
    return redact(text)


def database_error_text(error: psycopg.Error) -> str:
    """A database error by its code and the names involved, never its words: PostgreSQL's
    messages quote values (a row, a name a trigger's `raise exception` put in), and no mask
    knows every shape of them."""
    diag = error.diag
    names = [
        f"{label} {value}"
        for label, value in (
            ("constraint", diag.constraint_name),
            ("table", diag.table_name),
            ("column", diag.column_name),
            ("type", diag.datatype_name),
        )
        if value
    ]
    return ", ".join([f"SQLSTATE {error.sqlstate or 'unknown'}", *names])


def describe(error: BaseException) -> str:
    """What a log line says of `error`: a database error by `database_error_text`, any other
    by its repr (masked on the way out)."""
    if isinstance(error, psycopg.Error):
        return f"{type(error).__name__}({database_error_text(error)!r})"
    return repr(error)


def _quiet_database_words(
    shown: traceback.TracebackException | None, error: BaseException | None, seen: set[int]
) -> None:
    """Each database error of a traceback (and of the errors it was raised from or while
    handling) told by `database_error_text` instead of its own words."""
    if shown is None or error is None or id(error) in seen:
        return
    seen.add(id(error))
    if isinstance(error, psycopg.Error):
        # What format() prints after the type (a private attribute, set by name for mypy).
        setattr(shown, "_str", database_error_text(error))  # noqa: B010
    _quiet_database_words(shown.__cause__, error.__cause__, seen)
    _quiet_database_words(shown.__context__, error.__context__, seen)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the record's `extra` fields
    and, for an exception, its traceback; every text masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = mask(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        """The traceback, with database errors told by their code and names only."""
        if ei[1] is None:
            return super().formatException(ei)
        shown = traceback.TracebackException.from_exception(ei[1])
        _quiet_database_words(shown, ei[1], set())
        return "".join(shown.format()).rstrip("\n")


def configure(level: int = logging.INFO) -> None:
    """Every logger of the process writes JSON lines to stderr. Run again, it replaces its own
    handler only: handlers that others added (pytest's log capture) stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    """JSON logs for the app, and its access line after every request."""
    configure()
    app.before_request(_start_clock)
    app.after_request(_log_access)


def _start_clock() -> None:
    g.started = time.perf_counter()


def company_id() -> str | None:
    """The company this request acts for (staff or homeowner), from its database claims."""
    return g.get("db_claims", {}).get("tenant_id")


def route() -> str:
    """The request's URL rule (`/customers/<uuid:customer_id>`), or its path with the bearer
    secrets redacted when no rule matched."""
    return request.url_rule.rule if request.url_rule else redact(request.path)


def _log_access(response: Response) -> Response:
    started, rule = g.get("started", time.perf_counter()), route()
    ACCESS.info(
        "%s %s %s",
        request.method,
        rule,
        response.status_code,
        extra={
            "request_id": g.get("request_id"),
            "company_id": company_id(),
            "route": rule,
            "method": request.method,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
