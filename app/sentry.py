"""Errors to Sentry, without personal data (PROMISES.md P-18), when SENTRY_DSN is set.

What an event may carry is an allow-list: the exception (types, masked messages, code frames
without local variables), the log line that reported it, the request's method and URL rule
(`/password/reset/<token>`, never the path as sent), a few harmless headers, and the tags
release, environment, request id, company id and job. Everything else (cookies, the query,
form data, user, the other headers, `extra`) never leaves. A database error is reported by its
code and the names of its constraint, table and column only: PostgreSQL's own words quote the
row ("Key (email)=(…)"). Every text that remains is masked (app.logs.mask): tokens, email
addresses and phone numbers become [redacted]."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any, cast

import psycopg
import sentry_sdk
from flask import g, has_request_context, request
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Hint
from sentry_sdk.types import Event as SentryEvent

from app.config import Settings
from app.logs import company_id, database_error_text, describe, mask, route

Event = dict[str, Any]
# The parts of an event that may leave; each is reduced further below.
EVENT_KEYS = frozenset(
    {
        "event_id", "timestamp", "start_timestamp", "level", "logger", "platform", "release",
        "environment", "server_name", "sdk", "exception", "threads", "logentry", "message",
        "request", "tags", "contexts", "breadcrumbs", "transaction", "transaction_info", "type",
        "spans", "fingerprint", "modules",
    }
)  # fmt: skip
CONTEXTS = frozenset({"runtime", "os", "trace"})
# Of a span (and of the trace context): what it timed, never its data (an outbound call's
# query, such as the address sent to be geocoded).
SPAN_KEYS = frozenset(
    {
        "op", "description", "span_id", "trace_id", "parent_span_id", "start_timestamp",
        "timestamp", "status", "same_process_as_parent", "origin",
    }
)  # fmt: skip
HEADERS = frozenset({"accept", "content-length", "content-type", "host", "user-agent"})
BREADCRUMB_DATA = frozenset({"method", "status_code", "reason", "route", "status"})
# Keys whose values are never sent, wherever they appear in what is passed on.
DENIED_KEY = re.compile(
    r"(?i)(?:^|[_-])(?:token|password|passwd|secret|key|authorization|auth|cookie|session|csrf"
    r"|email|phone|name|address|ip)s?(?:$|[_-])"
)
# Values kept as they are: code frames name our code; ids look like tokens to `mask`; the
# SDK's own description and the few contexts kept hold no one's data.
TRUSTED_KEYS = frozenset(
    {
        "filename", "abs_path", "function", "module", "lineno", "in_app", "event_id",
        "trace_id", "span_id", "parent_span_id", "release", "environment", "timestamp",
        "start_timestamp", "sdk", "contexts", "modules", "server_name",
    }
)  # fmt: skip


def init(settings: Settings, process: str) -> None:
    """Start reporting errors of this process ("web" or "worker") if SENTRY_DSN is set."""
    if not settings.sentry_dsn:
        return
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        release=settings.release,
        environment=settings.env,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        max_request_body_size="never",
        include_local_variables=False,
        # No personal data is the SDK's default (send_default_pii, deprecated in newer SDKs,
        # is left unset); the scrubbers below are what guarantees it.
        integrations=[FlaskIntegration(transaction_style="url")],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        trace_propagation_targets=[],  # no tracing headers on calls to Stripe, Twilio, …
    )
    sentry_sdk.get_global_scope().set_tag("process", process)


def scrub_event(sent: SentryEvent, hint: Hint) -> SentryEvent:
    """The event reduced to what may leave, every text masked, with the request's tags."""
    event: Event = dict(sent)
    kept = {key: value for key, value in event.items() if key in EVENT_KEYS}
    kept["tags"] = _tags(event.get("tags") or {}, event.get("extra") or {})
    kept["contexts"] = {k: v for k, v in (event.get("contexts") or {}).items() if k in CONTEXTS}
    if "trace" in kept["contexts"]:
        kept["contexts"]["trace"] = _span(kept["contexts"]["trace"])
    kept["spans"] = [_span(span) for span in event.get("spans") or []]
    if "request" in event:
        kept["request"] = _request(event["request"])
    _describe_database_errors(kept, hint)
    if "logentry" in event:
        kept["logentry"] = _logentry(event["logentry"])
        kept.pop("message", None)
    breadcrumbs = (event.get("breadcrumbs") or {}).get("values", [])
    kept["breadcrumbs"] = {"values": [_breadcrumb(crumb) for crumb in breadcrumbs]}
    return cast(SentryEvent, _masked(kept))


def scrub_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb:
    """A breadcrumb's kind, time and masked message, and of its data only harmless fields; a log
    line's message is its template (the values it was given stay behind)."""
    record = (hint or {}).get("log_record")
    if isinstance(record, logging.LogRecord):
        crumb = {**crumb, "message": str(record.msg)}
    return _breadcrumb(dict(crumb))


def _logentry(entry: Event) -> Event:
    """The log line that reported an error: its template, and its values with errors told as
    the logs tell them (a database error by its code and names); masked later like the rest."""
    params = entry.get("params") or []
    return {
        "message": entry.get("message"),
        "params": [describe(p) if isinstance(p, BaseException) else p for p in params],
    }


def _breadcrumb(crumb: Event) -> Event:
    data = crumb.get("data") or {}
    kept: Event = {k: crumb[k] for k in ("type", "category", "level", "timestamp") if k in crumb}
    kept["message"] = mask(str(crumb.get("message") or ""))
    kept["data"] = {k: v for k, v in data.items() if k in BREADCRUMB_DATA}
    return kept


def _tags(tags: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The SDK's own tags, and the request id and company, or the job that failed."""
    kept = {k: v for k, v in tags.items() if not DENIED_KEY.search(k)}
    if has_request_context():
        kept["request_id"] = g.get("request_id")
        kept["company_id"] = company_id()
    if "job" in extra:
        kept["job"] = str(extra["job"])
    return {k: v for k, v in kept.items() if v is not None}


def _request(sent: Event) -> Event:
    """The request as its method, URL rule and harmless headers."""
    headers = sent.get("headers") or {}
    kept: Event = {
        "method": sent.get("method"),
        "headers": {k: v for k, v in headers.items() if k.lower() in HEADERS},
    }
    if has_request_context():
        kept["url"] = request.host_url.rstrip("/") + route()
    return kept


def _span(span: Event) -> Event:
    """A span's timing and kind; its description (`GET http://host/path`) without a query."""
    kept = {key: value for key, value in span.items() if key in SPAN_KEYS}
    if isinstance(kept.get("description"), str):
        kept["description"] = kept["description"].split("?", 1)[0]
    return kept


def _exceptions(error: BaseException | None) -> Iterator[BaseException]:
    """`error` and the exceptions it was raised from or while handling."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _describe_database_errors(event: Event, hint: dict[str, Any]) -> None:
    """Each database error of the event gets `database_error_text` as its message."""
    exc_info = hint.get("exc_info") or (None, None, None)
    texts = {
        type(error).__name__: database_error_text(error)
        for error in _exceptions(exc_info[1])
        if isinstance(error, psycopg.Error)
    }
    for value in (event.get("exception") or {}).get("values", []):
        if str(value.get("module", "")).startswith("psycopg"):
            value["value"] = texts.get(value.get("type"), "[redacted database message]")


def _masked(value: Any) -> Any:
    """Every text masked, and what denied keys hold dropped, except under trusted keys."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {
            key: item if key in TRUSTED_KEYS else _masked(item)
            for key, item in value.items()
            if not DENIED_KEY.search(str(key))
        }
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value
