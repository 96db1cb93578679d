"""Errors reach Sentry (the loopback one) without personal data (P-18): a request that carried
a homeowner's name, email and phone, a password and a reset token in its form, query, path,
a cookie and a header fails, and none of them is anywhere in what Sentry receives, while the
event names the request, the company, the release and the environment. A failed job of the
worker reaches Sentry the same way, a database's refusal that quotes a name included."""

from __future__ import annotations

import contextlib
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
import sentry_sdk
from flask import Flask, request
from psycopg import sql as pgsql

from app import create_app, db
from app.db import service_role_transaction
from jobs import REGISTRY, Job
from jobs.__main__ import main
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.observability.sentry_server import SentryServer

RELEASE = "plenum@2026.12.06-test"


def personal_values() -> dict[str, str]:
    """What a request must never bring to Sentry; fresh for each test."""
    return {
        "name": "Quentin Parrish",
        "email": f"quentin.{secrets.token_hex(4)}@parrish-home.example",
        "phone": "+1 (508) 555-" + str(secrets.randbelow(10**4)).zfill(4),
        "password": "hunter2 " + secrets.token_hex(6),
        "token": secrets.token_urlsafe(32),
    }


def encodings(value: str) -> set[bytes]:
    """`value` as it could appear in an envelope: plain, URL-encoded, in JSON."""
    forms = {value, urllib.parse.quote(value), urllib.parse.quote_plus(value)}
    forms |= {urllib.parse.quote(value, safe="")}
    return {form.encode() for form in forms}


def assert_nowhere(raw: bytes, values: dict[str, str]) -> None:
    found = [kind for kind, value in values.items() for form in encodings(value) if form in raw]
    assert found == [], f"{found} reached Sentry"


def failing_app(database: TestDatabase, sentry: SentryServer) -> Flask:
    """The app reporting to the loopback Sentry, with two routes that fail after reading every
    input: one in the database, whose message quotes the values, one in Python after an
    outbound call that carries them in its query. Every request is traced too."""
    settings = make_settings(
        database, sentry_dsn=sentry.dsn, release=RELEASE, sentry_traces_sample_rate=1.0
    )
    app = create_app(settings)
    app.test_client_class = Client

    def everything(token: str) -> str:
        sent = [*request.form.items(), *request.args.items(), *request.cookies.items()]
        return " ".join([token, str(sent), str(request.headers)])

    def in_the_database(token: str) -> str:
        db.query("select %(value)s::integer", {"value": everything(token)})
        return "unreachable"

    def in_python(token: str) -> str:
        form = request.form
        look_up = f"http://{sentry.host}:{sentry.port}/look-up?" + urllib.parse.urlencode(form)
        with contextlib.suppress(urllib.error.HTTPError):  # traced: a span and a breadcrumb
            urllib.request.urlopen(look_up, timeout=5).close()
        raise RuntimeError(f"could not reach {form['email']} or {form['phone']} with {token}")

    app.add_url_rule("/failing/database/<token>", view_func=in_the_database, methods=["POST"])
    app.add_url_rule("/failing/python/<token>", view_func=in_python, methods=["POST"])
    return app


def post_everything(client: Client, kind: str, values: dict[str, str]) -> Any:
    client.set_cookie("remember", urllib.parse.quote(f"{values['email']} {values['token']}"))
    response = client.submit(
        f"/failing/{kind}/{values['token']}?" + urllib.parse.urlencode(values),
        values,
        headers={
            "Authorization": f"Bearer {values['token']}",
            "X-Customer": f"{values['name']} <{values['email']}> {values['phone']}",
        },
    )
    assert response.status_code == 500
    return response


def single_event(sentry: SentryServer) -> dict[str, Any]:
    sentry_sdk.flush(timeout=10)
    events = sentry.events()
    assert len(events) == 1, events
    return events[0]


@pytest.mark.promise("P-18")
@pytest.mark.parametrize("kind", ["database", "python"])
def test_an_error_reaches_sentry_without_personal_data(
    database: TestDatabase, sentry: SentryServer, make: Factory, kind: str
) -> None:
    values = personal_values()
    company = make.tenant()
    app = failing_app(database, sentry)
    try:
        client: Client = app.test_client()  # type: ignore[assignment]
        client.sign_in(company.owner.email)
        response = post_everything(client, kind, values)
        event = single_event(sentry)
    finally:
        app.extensions["plenum.pool"].close()

    assert_nowhere(sentry.raw(), values)
    assert sentry.payloads("transaction")  # the traces were scrubbed as well
    assert event["tags"]["request_id"] == response.headers["X-Request-Id"]
    assert event["tags"]["company_id"] == str(company.id)
    assert event["tags"]["process"] == "web"
    assert (event["release"], event["environment"]) == (RELEASE, "test")
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"] == f"http://localhost/failing/{kind}/<token>"
    assert event["transaction"] == f"/failing/{kind}/<token>"
    (error,) = event["exception"]["values"][-1:]
    if kind == "database":
        assert error["type"] == "InvalidTextRepresentation"
        assert error["value"] == "SQLSTATE 22P02"
    else:
        assert error["type"] == "RuntimeError"
        assert error["value"] == "could not reach [redacted] or [redacted] with [redacted]"
    assert error["stacktrace"]["frames"][-1]["function"] in ("in_python", "execute")


def explode_with(values: dict[str, str]) -> Job:
    def sweep(_pool: Any) -> int:
        raise RuntimeError(f"could not text {values['phone']} at {values['email']}")

    return Job("explodes", 60, sweep)


def refused_by_the_database(values: dict[str, str]) -> Job:
    """A job the database refuses in words that quote a customer's name, as a trigger's
    `raise exception '… %', name` does: a shape no mask knows."""

    def sweep(pool: Any) -> int:
        refusal = pgsql.SQL(
            "do $$ begin raise exception 'customer % is on legal hold', {}; end $$"
        ).format(pgsql.Literal(values["name"]))
        with service_role_transaction(pool) as conn:
            conn.execute(refusal)
        return 0

    return Job("refused", 60, sweep)


@pytest.mark.promise("P-18")
def test_a_failed_job_of_the_worker_reaches_sentry_without_personal_data(
    database: TestDatabase,
    sentry: SentryServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = personal_values()
    for name, value in {
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "PLENUM_ENV": "test",
        "SENTRY_DSN": sentry.dsn,
        "PLENUM_RELEASE": RELEASE,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(REGISTRY, "explodes", explode_with(values))
    monkeypatch.setitem(REGISTRY, "refused", refused_by_the_database(values))

    with pytest.raises(SystemExit):
        main(["--once"])
    sentry_sdk.flush(timeout=10)
    events = {event["tags"].get("job"): event for event in sentry.events()}

    assert_nowhere(sentry.raw(), values)
    assert sorted(events) == ["explodes", "refused"]
    for event in events.values():
        assert event["tags"]["process"] == "worker"
        assert (event["release"], event["environment"]) == (RELEASE, "test")
        assert event["logentry"]["message"].startswith("job %s failed")
    (error,) = events["explodes"]["exception"]["values"]
    assert error["value"] == "could not text [redacted] at [redacted]"
    (refusal,) = events["refused"]["exception"]["values"]
    assert (refusal["type"], refusal["value"]) == ("RaiseException", "SQLSTATE P0001")
    logged = capsys.readouterr().err  # the worker's JSON lines say no more than Sentry got
    assert_nowhere(logged.encode(), values)
    assert "RaiseException: SQLSTATE P0001" in logged
