"""One row per retention rule, made at a given age, and a way to see whether the sweep left it as
it was: the boundary tests are driven by app.retention_rules, and a rule with a period but no
builder here fails them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from psycopg import sql

from app.db import Connection
from tests.factories import Factory, Tenant, password_hash

_serial = itertools.count(1000)


@dataclass
class World:
    """Where the rows are made: a company, and the database owner's connection."""

    admin: Connection
    make: Factory
    tenant: Tenant


@dataclass(frozen=True)
class Made:
    """A row the sweep may take: `present` is a query answering `present` (true while the row
    is there as it was made)."""

    present: str | sql.Composed
    params: dict[str, Any] = field(default_factory=dict)

    def is_present(self, admin: Connection) -> bool:
        row = admin.execute(self.present, self.params).fetchone()
        assert row is not None
        return bool(row["present"])


def _insert(admin: Connection, statement: str, params: dict[str, Any]) -> Any:
    row = admin.execute(statement, params).fetchone()
    assert row is not None
    return row["key"]


def _name(table: str) -> sql.Identifier:
    return sql.Identifier(*table.split("."))


def _exists(table: str, key: str, value: Any) -> Made:
    query = sql.SQL("select exists (select from {} where {} = %(v)s) as present").format(
        _name(table), sql.Identifier(key)
    )
    return Made(query, {"v": value})


def _phone() -> str:
    return f"+1508555{next(_serial) % 10000:04d}"


def invoice_at(world: World, at: datetime) -> Made:
    """A sent invoice of that date and making, with a line and a payment of that day."""
    admin, tenant = world.admin, world.tenant.id
    customer = world.make.customer(tenant)
    invoice = _insert(
        admin,
        "insert into public.invoices (tenant_id, customer_id, issued_on, currency, bill_to_name,"
        " number, created_at) values (%(t)s, %(c)s, %(day)s, 'USD', 'Old Customer', 0, %(at)s)"
        " returning id as key",
        {"t": tenant, "c": customer, "day": at.date(), "at": at},
    )
    world.make.invoice_line(tenant, invoice)
    admin.execute(
        "update public.invoices set status = 'sent', sent_at = %(at)s where id = %(id)s",
        {"at": at, "id": invoice},
    )
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on,"
        " created_at) values (%(t)s, %(i)s, 100, 'cash', %(day)s, %(at)s)",
        {"t": tenant, "i": invoice, "day": at.date(), "at": at},
    )
    return _exists("public.invoices", "id", invoice)


def audit_link_at(world: World, at: datetime) -> Made:
    """A company of its own whose every audit link was sealed at `at`."""
    company = world.make.tenant()
    with world.admin.transaction():
        world.admin.execute("set local session_replication_role = replica")
        world.admin.execute(
            "update audit.transactions set sealed_at = %(at)s where tenant_id = %(t)s",
            {"at": at, "t": company.id},
        )
    return _exists("audit.transactions", "tenant_id", company.id)


def message_at(world: World, at: datetime) -> Made:
    message = _insert(
        world.admin,
        "insert into public.messages (tenant_id, direction, channel, kind, purpose, to_address,"
        " from_address, body, time_zone, status, created_at) values (%(t)s, 'in', 'sms',"
        " 'inbound', 'conversation', '+13125550100', %(from)s, 'Old text', 'UTC', 'received',"
        " %(at)s) returning id as key",
        {"t": world.tenant.id, "from": _phone(), "at": at},
    )
    return _exists("public.messages", "id", message)


def opt_out_at(world: World, at: datetime) -> Made:
    opt_out = _insert(
        world.admin,
        "insert into public.sms_opt_outs (tenant_id, phone, opted_out_at)"
        " values (%(t)s, %(phone)s, %(at)s) returning id as key",
        {"t": world.tenant.id, "phone": _phone(), "at": at},
    )
    return _exists("public.sms_opt_outs", "id", opt_out)


def sign_in_attempt_at(world: World, at: datetime) -> Made:
    attempt = _insert(
        world.admin,
        "insert into iam.sign_in_attempts (kind, subject, created_at)"
        " values ('password', %(s)s, %(at)s) returning id as key",
        {"s": f"person{next(_serial)}@example.com", "at": at},
    )
    return _exists("iam.sign_in_attempts", "id", attempt)


def link_request_at(world: World, at: datetime) -> Made:
    request = _insert(
        world.admin,
        "insert into iam.link_requests (subject, requested_at) values (%(s)s, %(at)s)"
        " returning id as key",
        {"s": f"reset:{next(_serial)}", "at": at},
    )
    return _exists("iam.link_requests", "id", request)


def _account_token(world: World, table: str, at: datetime) -> Made:
    """A row of a table keyed by a token hash for the company owner's account, expiring at."""
    token = uuid4().bytes
    world.admin.execute(
        sql.SQL(
            "insert into {} (token_hash, account_id, created_at, expires_at)"
            " values (%(h)s, %(a)s, %(made)s, %(at)s)"
        ).format(_name(table)),
        {"h": token, "a": world.tenant.owner.account_id, "made": at - timedelta(hours=1), "at": at},
    )
    return _exists(table, "token_hash", token)


def sign_in_challenge_at(world: World, at: datetime) -> Made:
    challenge = uuid4().bytes
    world.admin.execute(
        "insert into iam.sign_in_challenges (id, account_id, session_version, created_at,"
        " expires_at) values (%(id)s, %(a)s, 1, %(made)s, %(at)s)",
        {"id": challenge, "a": world.tenant.owner.account_id, "made": at, "at": at},
    )
    return _exists("iam.sign_in_challenges", "id", challenge)


def session_at(world: World, at: datetime) -> Made:
    session = uuid4().bytes
    world.admin.execute(
        "insert into iam.sessions (id, account_id, created_at, expires_at)"
        " values (%(id)s, %(a)s, %(made)s, %(at)s)",
        {"id": session, "a": world.tenant.owner.account_id, "made": at, "at": at},
    )
    return _exists("iam.sessions", "id", session)


def sign_up_at(world: World, at: datetime) -> Made:
    token = uuid4().bytes
    world.admin.execute(
        "insert into iam.sign_ups (token_hash, email, full_name, password_hash, company_name,"
        " time_zone, created_at, expires_at) values (%(h)s, %(email)s, 'New Owner', %(pw)s,"
        " 'New Company', 'UTC', %(at)s, %(at)s)",
        {"h": token, "email": f"new{next(_serial)}@example.com", "pw": password_hash(), "at": at},
    )
    return _exists("iam.sign_ups", "token_hash", token)


def portal_session_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    session = _insert(
        world.admin,
        "insert into iam.portal_sessions (token_hash, tenant_id, customer_id, address,"
        " created_at, expires_at) values (%(h)s, %(t)s, %(c)s, 'home@example.com', %(at)s,"
        " %(at)s) returning id as key",
        {"h": uuid4().bytes, "t": tenant, "c": world.make.customer(tenant), "at": at},
    )
    return _exists("iam.portal_sessions", "id", session)


def _portal_challenge(world: World, at: datetime) -> UUID:
    return UUID(
        str(
            _insert(
                world.admin,
                "insert into iam.portal_challenges (handle_hash, link_hash, code_hash, address,"
                " created_at, expires_at) values (%(a)s, %(b)s, %(c)s, 'home@example.com',"
                " %(at)s, %(at)s) returning id as key",
                {"a": uuid4().bytes, "b": uuid4().bytes, "c": uuid4().bytes, "at": at},
            )
        )
    )


def portal_challenge_at(world: World, at: datetime) -> Made:
    return _exists("iam.portal_challenges", "id", _portal_challenge(world, at))


def portal_choice_at(world: World, at: datetime) -> Made:
    token = uuid4().bytes
    world.admin.execute(
        "insert into iam.portal_choices (token_hash, address, method, created_at, expires_at)"
        " values (%(h)s, 'home@example.com', 'code', %(at)s, %(at)s)",
        {"h": token, "at": at},
    )
    return _exists("iam.portal_choices", "token_hash", token)


def portal_send_at(world: World, at: datetime) -> Made:
    """A send of a challenge that is itself still open, so only the send's own rule applies."""
    challenge = _portal_challenge(world, at + timedelta(days=3650))
    world.admin.execute(
        "insert into iam.portal_sign_in_sends (challenge_id, code, link, created_at)"
        " values (%(c)s, '123456', 'http://plenum.test/portal/x', %(at)s)",
        {"c": challenge, "at": at},
    )
    return _exists("iam.portal_sign_in_sends", "challenge_id", challenge)


def invitation_at(world: World, at: datetime) -> Made:
    invitation, _ = world.make.invitation(world.tenant.id)
    world.admin.execute(
        "update public.invitations set expires_at = %(at)s where id = %(id)s",
        {"at": at, "id": invitation},
    )
    return _exists("public.invitations", "id", invitation)


def visit_link_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    job = world.make.job(tenant, world.make.property(tenant, world.make.customer(tenant)))
    visit = world.make.visit(tenant, job)
    link = _insert(
        world.admin,
        "insert into public.visit_links (tenant_id, visit_id, token_hash, created_at, closes_at)"
        " values (%(t)s, %(v)s, %(h)s, %(at)s, %(at)s) returning id as key",
        {"t": tenant, "v": visit, "h": uuid4().bytes, "at": at},
    )
    return _exists("public.visit_links", "id", link)


def estimate_link_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    link = _insert(
        world.admin,
        "insert into public.estimate_links (tenant_id, estimate_id, token_hash, closes_at)"
        " values (%(t)s, %(e)s, %(h)s, %(at)s) returning id as key",
        {"t": tenant, "e": world.make.estimate(tenant), "h": uuid4().bytes, "at": at},
    )
    return _exists("public.estimate_links", "id", link)


def invoice_link_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    invoice = world.make.invoice(tenant, lines=("100.00",), status="sent")
    link = _insert(
        world.admin,
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash, closes_at)"
        " values (%(t)s, %(i)s, %(h)s, %(at)s) returning id as key",
        {"t": tenant, "i": invoice, "h": uuid4().bytes, "at": at},
    )
    return _exists("public.invoice_links", "id", link)


def calendar_feed_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    technician = world.make.member(tenant, "technician")
    feed = _insert(
        world.admin,
        "insert into public.calendar_feeds (tenant_id, technician_id, token_hash, revoked_at)"
        " values (%(t)s, %(m)s, %(h)s, %(at)s) returning id as key",
        {"t": tenant, "m": technician.account_id, "h": uuid4().bytes, "at": at},
    )
    return _exists("public.calendar_feeds", "id", feed)


def stripe_event_at(world: World, at: datetime) -> Made:
    event = _insert(
        world.admin,
        "insert into public.stripe_events (tenant_id, event_id, type, received_at)"
        " values (%(t)s, %(e)s, 'checkout.session.completed', %(at)s) returning id as key",
        {"t": world.tenant.id, "e": f"evt_{next(_serial)}", "at": at},
    )
    return _exists("public.stripe_events", "id", event)


def import_at(world: World, at: datetime) -> Made:
    """A finished import whose file is still there, last changed at `at`."""
    done = _insert(
        world.admin,
        "insert into public.customer_imports (tenant_id, status, file_name, source_text,"
        " encoding, delimiter, headers, problems, created_at, updated_at, finished_at)"
        " values (%(t)s, 'done', 'customers.csv', %(text)s, 'utf-8', ',', '[\"name\"]',"
        " '[{\"row\": 2}]', %(at)s, %(at)s, %(at)s) returning id as key",
        {"t": world.tenant.id, "text": "name\nAda Lovelace\n", "at": at},
    )
    return Made(
        "select exists (select from public.customer_imports where id = %(v)s"
        " and source_text <> '' and headers <> '[]' and problems <> '[]') as present",
        {"v": done},
    )


def outbox_message_at(world: World, at: datetime) -> Made:
    message = world.make.outbox_message(world.tenant.id)
    world.admin.execute(
        "update outbox.messages set created_at = %(at)s, body_html = '<p>Body</p>'"
        " where id = %(id)s",
        {"at": at, "id": message},
    )
    return Made(
        "select exists (select from outbox.messages where id = %(v)s and body_text <> ''"
        " and body_html is not null) as present",
        {"v": message},
    )


Builder = Callable[[World, datetime], Made]

# Every rule with a period, by record kind: a new rule without an entry fails the boundary test.
BUILDERS: dict[str, Builder] = {
    "financial records": invoice_at,
    "audit logs": audit_link_at,
    "message logs": message_at,
    "text opt-outs": opt_out_at,
    "sign-in attempts": sign_in_attempt_at,
    "sign-in link requests": link_request_at,
    "sign-in challenges": sign_in_challenge_at,
    "staff sessions": session_at,
    "password resets": lambda world, at: _account_token(world, "iam.password_resets", at),
    "sign-in unlocks": lambda world, at: _account_token(world, "iam.sign_in_unlocks", at),
    "sign-ups": sign_up_at,
    "homeowner sessions": portal_session_at,
    "homeowner sign-in codes": portal_challenge_at,
    "homeowner sign-in choices": portal_choice_at,
    "homeowner sign-in sends": portal_send_at,
    "team invitations": invitation_at,
    "visit links": visit_link_at,
    "estimate links": estimate_link_at,
    "invoice links": invoice_link_at,
    "calendar feeds": calendar_feed_at,
    "payment provider events": stripe_event_at,
    "import files": import_at,
    "outbox bodies": outbox_message_at,
}
