"""P-07: every change to a company's rows is in its audit log, once, saying who changed what,
from what to what, and when; reads of sensitive data are recorded through one helper."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app import catalog, db, migrations
from app.audit.access import record_access
from app.db import ANON, Connection
from tests.audit.support import (
    chain_problems,
    changes_since,
    invite,
    job_claims,
    last_change_id,
    links_of,
    row_as_json,
)
from tests.conftest import Client
from tests.factories import Factory
from tests.policies.identity import claims_of

pytestmark = pytest.mark.promise("P-07")

# The company tables there are today; a new one is covered by the catalog check above all.
KNOWN_COMPANY_TABLES = {
    "public.tenants",
    "public.memberships",
    "public.invitations",
    "outbox.messages",
}
# Columns recorded as digests, not in clear (commented '@audit-digest').
DIGESTED = {
    # Outgoing mail and opted-out numbers name no customer whose key could seal them (P-10).
    "outbox.messages": ("to_address", "subject", "body_text", "body_html"),
    "public.customer_imports": ("source_text", "headers", "problems", "options"),
    # An import's preview and undo records repeat its file (P-10: they go with it).
    "public.import_items": ("label", "data", "flags"),
    "public.import_records": ("before",),
    "public.estimate_links": ("token_hash",),
    "public.invoice_links": ("token_hash",),
    "public.messages": ("body",),
    "public.sms_opt_outs": ("phone",),
    "public.visit_links": ("token_hash",),
}
# Tables keyed by other columns than `id`: their keys, as the log names a row.
KEYS = {
    "public.import_items": ("import_id", "position"),
    "public.import_records": ("import_id", "table_name", "row_id"),
}
# A homeowner's personal columns, sealed under their key: the column that leads to them, the
# parent table it names ('' when it names the customer), then the columns, by name.
PERSONAL = {
    "public.customers": (
        "id",
        "",
        "billing_address company_name display_name email first_name last_name lead_source"
        " legal_hold marketing_consent_source notes phone phone_extension search_text source_id"
        " tags",
    ),
    "public.customer_contacts": (
        "customer_id",
        "",
        "email full_name phone phone_extension title",
    ),
    "public.customer_phones": ("customer_id", "", "extension number"),
    "public.customer_emails": ("customer_id", "", "email"),
    "public.customer_notes": ("customer_id", "", "body"),
    "public.properties": (
        "customer_id",
        "",
        "access_notes_encrypted city geocode_failure label latitude longitude notes postal_code"
        " region search_text source_id street unit",
    ),
    "public.service_agreements": ("customer_id", "", "name notes"),
    "public.jobs": ("customer_id", "", "description summary"),
    "public.equipment": ("property_id", "public.properties", "notes serial"),
    "public.visits": (
        "job_id",
        "public.jobs",
        "booking_override_reason cancel_reason completion_notes signed_by unsigned_reason",
    ),
    "public.visit_notes": ("visit_id", "public.visits", "body"),
    "public.equipment_service_records": (
        "visit_id",
        "public.visits",
        "completion_notes job_summary",
    ),
    "public.estimates": (
        "customer_id",
        "",
        "approved_by_name approved_from decline_reason note signature_key title",
    ),
    "public.estimate_links": ("estimate_id", "public.estimates", "sent_to"),
    "public.estimate_options": ("estimate_id", "public.estimates", "description"),
    "public.estimate_lines": ("estimate_id", "public.estimates", "description"),
    "public.estimate_photos": ("estimate_id", "public.estimates", "caption"),
    "public.invoices": (
        "customer_id",
        "",
        "bill_to_address bill_to_email bill_to_name note void_reason",
    ),
    "public.invoice_lines": ("invoice_id", "public.invoices", "description"),
    "public.invoice_links": ("invoice_id", "public.invoices", "sent_to"),
    "public.payments": ("invoice_id", "public.invoices", "reference"),
    "public.refunds": ("invoice_id", "public.invoices", "reason"),
    "public.messages": ("customer_id", "", "from_address subject to_address"),
    "public.conversations": ("customer_id", "", "phone"),
    "public.service_requests": ("customer_id", "", "subject"),
    "public.service_request_messages": ("customer_id", "", "body"),
    "public.service_request_photos": ("customer_id", "", "storage_key"),
    "public.privacy_requests": ("customer_id", "", "answer details"),
    "public.service_history": ("customer_id", "", "source_id summary technician"),
    "public.invoice_history": ("customer_id", "", "description"),
}


def trigger_sections(table: str) -> str:
    """The digest and personal arguments a table's audit trigger is expected to carry."""
    quoted = []
    if table in DIGESTED:
        quoted += ["--digest", *DIGESTED[table]]
    if table in PERSONAL:
        column, parent, columns = PERSONAL[table]
        quoted += ["--personal", column, parent, *columns.split()]
    return "".join(f", '{argument}'" for argument in quoted)


def audited_tables(admin: Connection) -> list[str]:
    return [
        table
        for table in catalog.tenant_tables(admin)
        if table.split(".")[0] in migrations.AUDITED_SCHEMAS
    ]


def audit_triggers(admin: Connection) -> dict[str, list[str]]:
    """Each table's enabled `audit_changes` and `audit_inserts` triggers, as PostgreSQL spells
    their definitions."""
    rows = admin.execute(
        "select format('%I.%I', n.nspname, c.relname) as relation,"
        " pg_get_triggerdef(t.oid) as definition from pg_trigger t"
        " join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace"
        " where t.tgname in ('audit_changes', 'audit_inserts') and t.tgenabled = 'O'"
        " order by t.tgname"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["relation"], []).append(row["definition"])
    return found


def test_every_company_table_is_audited(admin: Connection) -> None:
    assert catalog.check_audit_triggers(admin) == []
    tables = audited_tables(admin)
    assert set(tables) >= KNOWN_COMPANY_TABLES
    triggers = audit_triggers(admin)
    for table in tables:
        tenant = "id" if table == "public.tenants" else "tenant_id"
        key = "', '".join(KEYS.get(table, ("id",)))
        arguments = f"'{tenant}', '{key}'{trigger_sections(table)}"
        assert triggers.get(table) == [
            f"CREATE TRIGGER audit_changes AFTER DELETE OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION audit.record_change({arguments})",
            f"CREATE TRIGGER audit_inserts AFTER INSERT ON {table} REFERENCING NEW TABLE AS"
            f" new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.record_inserts({arguments})",
        ], table
    # The log itself is not audited: its rows are the record.
    assert set(triggers) == set(tables)


def entry(tenant_id: UUID, row_id: UUID, operation: str, old: object, new: object) -> dict:
    return {
        "tenant_id": tenant_id,
        "table_name": "public.invitations",
        "row_key": str(row_id),
        "operation": operation,
        "old_values": old,
        "new_values": new,
        "actor_id": None,
        "actor_label": "postgres",  # the owner's session, with no claims
        "request_id": None,
        "client_addr": None,
    }


def test_insert_update_and_delete_each_write_one_exact_row(
    admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    mark = last_change_id(admin)
    invitation_id, _ = make.invitation(company.id)
    inserted = row_as_json(admin, "public.invitations", invitation_id)
    assert changes_since(admin, mark) == [
        entry(company.id, invitation_id, "insert", None, inserted)
    ]

    mark = last_change_id(admin)
    admin.execute(
        "update public.invitations set revoked_at = now(), role = role, email = email"
        " where id = %(id)s",
        {"id": invitation_id},
    )
    revoked = row_as_json(admin, "public.invitations", invitation_id)
    assert revoked["revoked_at"] is not None
    # Only what changed: role and email were set to themselves.
    assert changes_since(admin, mark) == [
        entry(
            company.id,
            invitation_id,
            "update",
            {"revoked_at": None},
            {"revoked_at": revoked["revoked_at"]},
        )
    ]

    mark = last_change_id(admin)
    admin.execute("delete from public.invitations where id = %(id)s", {"id": invitation_id})
    assert changes_since(admin, mark) == [entry(company.id, invitation_id, "delete", revoked, None)]


def test_an_update_that_changes_nothing_leaves_no_trace(admin: Connection, make: Factory) -> None:
    company = make.tenant()
    invitation_id, _ = make.invitation(company.id)
    mark, links = last_change_id(admin), len(links_of(admin, company.id))
    admin.execute(
        "update public.invitations set role = role, expires_at = expires_at where id = %(id)s",
        {"id": invitation_id},
    )
    assert changes_since(admin, mark) == []
    assert len(links_of(admin, company.id)) == links  # and no empty link in the chain


def test_each_row_a_statement_changes_is_recorded(admin: Connection, make: Factory) -> None:
    company = make.tenant()
    invitations = {make.invitation(company.id)[0] for _ in range(3)}
    mark = last_change_id(admin)
    admin.execute(
        "update public.invitations set revoked_at = now() where tenant_id = %(t)s",
        {"t": company.id},
    )
    logged = changes_since(admin, mark)
    assert {UUID(row["row_key"]) for row in logged} == invitations
    assert {row["operation"] for row in logged} == {"update"}
    assert len(logged) == 3


def test_a_multi_row_insert_records_each_row_in_each_companys_chain(
    admin: Connection, make: Factory
) -> None:
    """Inserts are logged once per statement (all its rows at once): still one entry per row,
    each company's rows in its own chain, one link per company, and every chain verifies."""
    first, second = make.tenant(), make.tenant()
    links = {company.id: len(links_of(admin, company.id)) for company in (first, second)}
    mark = last_change_id(admin)
    tenants = [first.id, second.id, first.id, second.id, first.id]
    rows = admin.execute(
        "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
        " select t, 'many' || n || '@example.com', 'technician',"
        "  sha256(convert_to(n::text, 'UTF8')), now() + interval '7 days'"
        " from unnest(%(tenants)s::uuid[]) with ordinality as x(t, n)"
        " returning tenant_id, id",
        {"tenants": tenants},
    ).fetchall()
    logged = changes_since(admin, mark)
    assert sorted((row["tenant_id"], row["row_key"]) for row in logged) == sorted(
        (row["tenant_id"], str(row["id"])) for row in rows
    )
    for row in rows:
        inserted = row_as_json(admin, "public.invitations", row["id"])
        assert entry(row["tenant_id"], row["id"], "insert", None, inserted) in logged
    for company in (first, second):
        assert len(links_of(admin, company.id)) == links[company.id] + 1
        assert chain_problems(admin, company.id) == []


def test_an_insert_of_no_rows_leaves_no_trace(admin: Connection, make: Factory) -> None:
    company = make.tenant()
    mark, links = last_change_id(admin), len(links_of(admin, company.id))
    admin.execute(
        "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
        " select tenant_id, email, role, token_hash, expires_at from public.invitations"
        " where false"
    )
    assert changes_since(admin, mark) == []
    assert len(links_of(admin, company.id)) == links


def test_a_change_made_in_the_app_names_the_member_the_request_and_the_address(
    client: Client, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    technician = make.member(company.id, "technician")
    client.sign_in(company.owner.email)
    mark = last_change_id(admin)

    response = client.submit(
        f"/team/members/{technician.membership_id}/role", {"role": "dispatcher"}
    )

    assert response.status_code == 302
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 32
    [change] = changes_since(admin, mark)
    assert set(change["old_values"]) == set(change["new_values"]) == {"role", "updated_at"}
    assert (change["old_values"]["role"], change["new_values"]["role"]) == (
        "technician",
        "dispatcher",
    )
    assert change | {"old_values": None, "new_values": None} == {
        "tenant_id": company.id,
        "table_name": "public.memberships",
        "row_key": str(technician.membership_id),
        "operation": "update",
        "old_values": None,
        "new_values": None,
        "actor_id": company.owner.account_id,
        "actor_label": "authenticated",
        "request_id": request_id,
        "client_addr": "127.0.0.1",
    }
    assert chain_problems(admin, company.id) == []


def test_a_change_made_by_a_job_names_the_job(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    mark = last_change_id(admin)
    with db.transaction(pool, job_claims(company.owner, "system:test")) as conn:
        invite(conn, company.id, "from-a-job@example.com")
    [change] = changes_since(admin, mark)
    assert change["operation"] == "insert"
    assert change["new_values"]["email"] == "from-a-job@example.com"
    assert (change["actor_id"], change["actor_label"]) == (company.owner.account_id, "system:test")
    assert (change["request_id"], change["client_addr"]) == (None, None)


# --- recorded reads ---------------------------------------------------------------------------


def test_a_read_is_recorded_for_the_company_of_the_request(
    app: Flask, admin: Connection, make: Factory
) -> None:
    company, elsewhere = make.tenant(), make.tenant()
    technician = make.member(company.id, "technician")
    make.member(elsewhere.id, "technician", account_id=company.owner.account_id)
    mark = last_change_id(admin)

    with app.test_request_context("/team", environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        app.preprocess_request()  # names the request, as for any request
        db.set_claims(claims_of(company.owner))
        record_access("public.memberships", technician.membership_id, view="phone number")
        response = app.process_response(app.response_class())  # commits, as after a view

    assert changes_since(admin, mark) == [
        {
            "tenant_id": company.id,
            "table_name": "public.memberships",
            "row_key": str(technician.membership_id),
            "operation": "access",
            "old_values": None,
            "new_values": {"view": "phone number"},
            "actor_id": company.owner.account_id,
            "actor_label": "authenticated",
            "request_id": response.headers["X-Request-Id"],
            "client_addr": "203.0.113.7",
        }
    ]
    assert chain_problems(admin, company.id) == []


@pytest.mark.parametrize(
    "whose", ["no company in the claims", "a company of which they are not a member", "anonymous"]
)
def test_a_read_cannot_be_recorded_outside_the_company_of_the_request(
    app: Flask, admin: Connection, make: Factory, whose: str
) -> None:
    company, other = make.tenant(), make.tenant()
    claims = {
        "no company in the claims": {"role": "authenticated", "sub": str(company.owner.account_id)},
        "a company of which they are not a member": claims_of(company.owner, other.id),
        "anonymous": dict(ANON),
    }[whose]
    mark = last_change_id(admin)

    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            record_access("public.memberships", company.owner.membership_id)

    assert changes_since(admin, mark) == []


@pytest.mark.promise("P-07")
def test_an_emailed_link_is_not_copied_into_the_log(client, make, admin) -> None:
    """Admins read the log; the invitation links in message bodies must not be there in clear."""
    company = make.tenant()
    client.sign_in(company.owner.email)
    client.submit("/team/invitations", {"email": "new.owner@example.com", "role": "owner"})
    body = admin.execute(
        "select body_text from outbox.messages where to_address = 'new.owner@example.com'"
    ).fetchone()
    assert body is not None
    link = next(word for word in body["body_text"].split() if "/invitations/" in word)

    logged = admin.execute(
        "select new_values from audit.changes where table_name = 'outbox.messages'"
        " and tenant_id = %(t)s",
        {"t": company.id},
    ).fetchall()

    assert len(logged) == 1
    assert logged[0]["new_values"]["body_text"].startswith("sha256:")
    assert logged[0]["new_values"]["to_address"].startswith("sha256:")  # no key could seal it
    assert logged[0]["new_values"]["kind"] == "invitation"  # the rest stays
    everything = admin.execute("select string_agg(new_values::text, ' ') as t from audit.changes")
    row = everything.fetchone()
    assert row is not None and link.rsplit("/", 1)[1] not in row["t"]


@pytest.mark.parametrize(
    "table", ['public."memberships"', "PUBLIC.memberships", "memberships", "public.memberships.x"]
)
def test_a_read_is_recorded_only_under_the_tables_exact_name(
    app: Flask, admin: Connection, make: Factory, table: str
) -> None:
    """The key column is found from the table's name as written (`schema.table`, unquoted):
    another spelling of the same table, or a malformed name, is refused as before."""
    company = make.tenant()
    technician = make.member(company.id, "technician")
    mark = last_change_id(admin)

    with app.test_request_context("/"):
        app.preprocess_request()
        db.set_claims(claims_of(company.owner))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            record_access(table, technician.membership_id)

    assert changes_since(admin, mark) == []
