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


def _insert(admin: Connection, statement: str | sql.Composed, params: dict[str, Any]) -> Any:
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


def _row(world: World, table: str, values: dict[str, Any], key: str = "id") -> Made:
    """Insert `values` into `table`; the row is known by `key`."""
    query = sql.SQL("insert into {} ({}) values ({}) returning {} as key").format(
        _name(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(map(sql.Placeholder, values)),
        sql.Identifier(key),
    )
    return _exists(table, key, _insert(world.admin, query, values))


def _owner(world: World) -> UUID:
    return world.tenant.owner.account_id


def message_at(world: World, at: datetime) -> Made:
    text = {"direction": "in", "channel": "sms", "kind": "inbound", "purpose": "conversation"}
    return _row(
        world,
        "public.messages",
        text
        | {"tenant_id": world.tenant.id, "to_address": "+13125550100", "from_address": _phone()}
        | {"body": "Old text", "time_zone": "UTC", "status": "received", "created_at": at},
    )


def opt_out_at(world: World, at: datetime) -> Made:
    values = {"tenant_id": world.tenant.id, "phone": _phone(), "opted_out_at": at}
    return _row(world, "public.sms_opt_outs", values)


def sign_in_attempt_at(world: World, at: datetime) -> Made:
    subject = f"person{next(_serial)}@example.com"
    values = {"kind": "password", "subject": subject, "created_at": at}
    return _row(world, "iam.sign_in_attempts", values)


def link_request_at(world: World, at: datetime) -> Made:
    values = {"subject": f"reset:{next(_serial)}", "requested_at": at}
    return _row(world, "iam.link_requests", values)


def _account_token(table: str) -> Builder:
    """Rows keyed by a token hash for the company owner's account, expiring at `at`."""

    def build(world: World, at: datetime) -> Made:
        made = at - timedelta(hours=1)
        values = {"token_hash": uuid4().bytes, "account_id": _owner(world)}
        return _row(world, table, values | {"created_at": made, "expires_at": at}, "token_hash")

    return build


def sign_in_challenge_at(world: World, at: datetime) -> Made:
    values = {"id": uuid4().bytes, "account_id": _owner(world), "session_version": 1}
    return _row(world, "iam.sign_in_challenges", values | {"created_at": at, "expires_at": at})


def session_at(world: World, at: datetime) -> Made:
    values = {"id": uuid4().bytes, "account_id": _owner(world)}
    return _row(world, "iam.sessions", values | {"created_at": at, "expires_at": at})


def sign_up_at(world: World, at: datetime) -> Made:
    person = {"email": f"new{next(_serial)}@example.com", "full_name": "New Owner"}
    company = {"password_hash": password_hash(), "company_name": "New Co", "time_zone": "UTC"}
    return _row(
        world,
        "iam.sign_ups",
        {"token_hash": uuid4().bytes} | person | company | {"created_at": at, "expires_at": at},
        "token_hash",
    )


def portal_session_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    customer = world.make.customer(tenant)
    values = {"token_hash": uuid4().bytes, "tenant_id": tenant, "customer_id": customer}
    return _row(
        world,
        "iam.portal_sessions",
        values | {"address": "home@example.com", "created_at": at, "expires_at": at},
    )


def _hashes(*names: str) -> dict[str, bytes]:
    return {name: uuid4().bytes for name in names}


def portal_challenge_at(world: World, at: datetime) -> Made:
    return _row(
        world,
        "iam.portal_challenges",
        _hashes("handle_hash", "link_hash", "code_hash")
        | {"address": "home@example.com", "created_at": at, "expires_at": at},
    )


def portal_choice_at(world: World, at: datetime) -> Made:
    values = {"address": "home@example.com", "method": "code", "created_at": at, "expires_at": at}
    return _row(world, "iam.portal_choices", _hashes("token_hash") | values, "token_hash")


def portal_send_at(world: World, at: datetime) -> Made:
    """A send of a challenge that is itself still open, so only the send's own rule applies."""
    challenge = portal_challenge_at(world, at + timedelta(days=3650)).params["v"]
    values = {"code": "123456", "link": "http://plenum.test/portal/x", "created_at": at}
    return _row(
        world, "iam.portal_sign_in_sends", {"challenge_id": challenge} | values, "challenge_id"
    )


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
    visit = {"tenant_id": tenant, "visit_id": world.make.visit(tenant, job)}
    return _row(world, "public.visit_links", visit | _hashes("token_hash") | {"closes_at": at})


def estimate_link_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    estimate = {"tenant_id": tenant, "estimate_id": world.make.estimate(tenant)}
    return _row(
        world, "public.estimate_links", estimate | _hashes("token_hash") | {"closes_at": at}
    )


def invoice_link_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    sent = world.make.invoice(tenant, lines=("100.00",), status="sent")
    invoice = {"tenant_id": tenant, "invoice_id": sent}
    return _row(world, "public.invoice_links", invoice | _hashes("token_hash") | {"closes_at": at})


def calendar_feed_at(world: World, at: datetime) -> Made:
    tenant = world.tenant.id
    technician = world.make.member(tenant, "technician").account_id
    feed = {"tenant_id": tenant, "technician_id": technician}
    return _row(world, "public.calendar_feeds", feed | _hashes("token_hash") | {"revoked_at": at})


def stripe_event_at(world: World, at: datetime) -> Made:
    event = {"event_id": f"evt_{next(_serial)}", "type": "checkout.session.completed"}
    return _row(
        world, "public.stripe_events", {"tenant_id": world.tenant.id, "received_at": at} | event
    )


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


def export_at(world: World, at: datetime) -> Made:
    """A company export whose zip was ready at `at`."""
    export = _insert(
        world.admin,
        "insert into public.company_exports (tenant_id, id, status, storage_key, byte_size,"
        " created_at, started_at, finished_at, expires_at) select %(t)s, x.id, 'done',"
        " %(t)s::text || '/exports/' || x.id || '.zip', 100, %(at)s, %(at)s, %(at)s,"
        " %(at)s + interval '7 days' from (select gen_random_uuid() as id) x returning id as key",
        {"t": world.tenant.id, "at": at},
    )
    return Made(
        "select exists (select from public.company_exports where id = %(v)s"
        " and status = 'done' and storage_key is not null) as present",
        {"v": export},
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
    "password resets": _account_token("iam.password_resets"),
    "sign-in unlocks": _account_token("iam.sign_in_unlocks"),
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
    "export files": export_at,
}
