"""P-12: the daily retention sweep as a whole: what an expired invoice takes with it, what keeps it,
who may delete it; a neighbouring company untouched; a second sweep, or two at once, harmless; a
failing rule reported while the others still run; the README's table from the rules."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from app import catalog, db
from app.db import Connection
from jobs import REGISTRY, retention
from tests.clock import set_clock
from tests.conftest import TestDatabase
from tests.factories import Factory
from tests.lifecycle.support import populate
from tests.policies.identity import claims_of
from tests.retention.builders import BUILDERS, Made, World
from tests.retention.support import cutoff_at, periodic_kinds

pytestmark = pytest.mark.promise("P-12")
DAY = timedelta(days=1)


def database_now(admin: Connection) -> datetime:
    row = admin.execute("select date_trunc('second', clock_timestamp()) as now").fetchone()
    assert row is not None
    return row["now"]


def made_around_every_cutoff(world: World, now: datetime) -> tuple[list[Made], list[Made]]:
    """For every rule, a row a day inside its period and one a day past it, at `now`."""
    inside, past = [], []
    for kind, build in sorted(BUILDERS.items()):
        cutoff = cutoff_at(world.admin, kind, now)
        inside.append(build(world, cutoff + DAY))
        past.append(build(world, cutoff - DAY))
    return inside, past


def present(admin: Connection, rows: list[Made]) -> list[bool]:
    return [made.is_present(admin) for made in rows]


def company_fingerprint(admin: Connection, tenant_id: UUID) -> dict[str, str | None]:
    """Every company table's rows of one company, as a digest per table."""
    digests = {}
    for table in catalog.tenant_tables(admin):
        schema, name = table.split(".")
        column = "id" if table == "public.tenants" else "tenant_id"
        row = admin.execute(
            sql.SQL(
                "select md5(string_agg(t::text, ',' order by t::text)) as digest"
                " from {} t where {} = %(t)s"
            ).format(sql.Identifier(schema, name), sql.Identifier(column)),
            {"t": tenant_id},
        ).fetchone()
        assert row is not None
        digests[table] = row["digest"]
    return digests


def test_the_job_runs_daily_in_place_of_the_two_it_replaces() -> None:
    assert REGISTRY["retention"].every_seconds == 24 * 3600
    assert {"audit_retention", "message_retention"} & set(REGISTRY) == set()


def test_a_neighbouring_company_is_untouched_and_a_second_sweep_does_nothing(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    neighbour, _ = populate(admin, make, "Next Door")
    now = database_now(admin)
    world = World(admin, make, make.tenant("Old Company"))
    inside, past = made_around_every_cutoff(world, now)
    before = company_fingerprint(admin, neighbour.id)
    set_clock(admin, now)

    assert retention.sweep(pool) >= len(past)

    assert present(admin, inside) == [True] * len(inside)
    assert present(admin, past) == [False] * len(past)
    assert company_fingerprint(admin, neighbour.id) == before
    assert retention.sweep(pool) == 0
    assert present(admin, inside) == [True] * len(inside)


def test_two_sweeps_at_once_share_the_work_without_a_conflict(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    now = database_now(admin)
    world = World(admin, make, make.tenant())
    inside, past = [], []
    for _ in range(3):
        more_inside, more_past = made_around_every_cutoff(world, now)
        inside += more_inside
        past += more_past
    set_clock(admin, now)
    errors: list[Exception] = []

    def sweep() -> None:
        try:
            retention.sweep(pool, batch=1)
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    retention.sweep(pool)  # what one sweep skipped while the other held it
    assert present(admin, past) == [False] * len(past)
    assert present(admin, inside) == [True] * len(inside)


def test_a_failing_rule_is_reported_and_the_other_rules_still_run(
    pool: ConnectionPool, admin: Connection, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    admin.execute(
        "insert into app.retention_rules (record_kind, table_name, period, age_column,"
        " sweep_function) values ('broken', 'public.tenants', interval '1 day', 'created_at',"
        " 'app.no_such_sweep')"
    )
    now = database_now(admin)
    world = World(admin, make, make.tenant())
    inside, past = made_around_every_cutoff(world, now)
    set_clock(admin, now)

    with (
        caplog.at_level(logging.ERROR, "jobs.retention"),
        pytest.raises(retention.RetentionFailed, match="broken"),
    ):
        retention.sweep(pool)

    assert "retention rule 'broken' failed" in caplog.text
    assert present(admin, past) == [False] * len(past)
    assert present(admin, inside) == [True] * len(inside)


def old_invoice(admin: Connection, make: Factory, tenant: UUID, at: datetime) -> UUID:
    """A sent invoice of `at`, with a line, a tax rate, a link and a payment of that day."""
    customer = make.customer(tenant)
    row = admin.execute(
        "insert into public.invoices (tenant_id, customer_id, issued_on, currency, bill_to_name,"
        " number, created_at) values (%(t)s, %(c)s, %(day)s, 'USD', 'Old Customer', 0, %(at)s)"
        " returning id",
        {"t": tenant, "c": customer, "day": at.date(), "at": at},
    ).fetchone()
    assert row is not None
    invoice = UUID(str(row["id"]))
    make.invoice_line(tenant, invoice)
    admin.execute(
        "insert into public.invoice_tax_rates (tenant_id, invoice_id, name, percent)"
        " values (%s, %s, 'State', 6.25)",
        [tenant, invoice],
    )
    admin.execute(
        "update public.invoices set status = 'sent', sent_at = %s where id = %s", [at, invoice]
    )
    admin.execute(
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash)"
        " values (%s, %s, '\\x01')",
        [tenant, invoice],
    )
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on,"
        " created_at) values (%s, %s, 50, 'cash', %s, %s)",
        [tenant, invoice, at.date(), at],
    )
    return invoice


def rows_of_invoice(admin: Connection, invoice: UUID) -> dict[str, int]:
    counts = {}
    for table in ("invoices", "invoice_lines", "invoice_tax_rates", "invoice_links", "payments"):
        column = "id" if table == "invoices" else "invoice_id"
        row = admin.execute(
            sql.SQL("select count(*)::integer as n from {} where {} = %s").format(
                sql.Identifier("public", table), sql.Identifier(column)
            ),
            [invoice],
        ).fetchone()
        assert row is not None
        counts[table] = row["n"]
    return counts


def test_an_expired_invoice_goes_with_its_lines_taxes_links_and_payments(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant().id
    invoice = old_invoice(admin, make, tenant, datetime(2019, 5, 1, 12, tzinfo=UTC))
    assert set(rows_of_invoice(admin, invoice).values()) == {1}
    set_clock(admin, datetime(2026, 5, 3, tzinfo=UTC))

    assert retention.sweep_kind(pool, "financial records") == 1

    assert set(rows_of_invoice(admin, invoice).values()) == {0}


def test_a_later_payment_keeps_an_old_invoice_until_the_payment_is_seven_years_old(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant().id
    invoice = old_invoice(admin, make, tenant, datetime(2019, 5, 1, 12, tzinfo=UTC))
    admin.execute(
        "insert into public.payments (tenant_id, invoice_id, amount, method, received_on,"
        " created_at) values (%s, %s, 50, 'cheque', '2021-01-10', '2021-01-10 12:00+00')",
        [tenant, invoice],
    )
    set_clock(admin, datetime(2028, 1, 9, 12, tzinfo=UTC))
    assert retention.sweep_kind(pool, "financial records") == 0
    assert rows_of_invoice(admin, invoice)["payments"] == 2

    set_clock(admin, datetime(2028, 1, 11, 12, tzinfo=UTC))
    assert retention.sweep_kind(pool, "financial records") == 1
    assert rows_of_invoice(admin, invoice)["payments"] == 0


@pytest.mark.promise("P-08")
def test_only_the_sweep_deletes_a_sent_invoice(
    database: TestDatabase, admin: Connection, make: Factory
) -> None:
    company = make.tenant()
    invoice = old_invoice(admin, make, company.id, datetime(2010, 1, 4, 12, tzinfo=UTC))
    with psycopg.connect(database.app_url, row_factory=dict_row) as conn:
        db.begin(conn, claims_of(company.owner))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select app.sweep_expired_invoices(now(), 10)")
    with pytest.raises(psycopg.errors.CheckViolation) as refused:
        admin.execute("delete from public.invoices where id = %s", [invoice])
    assert refused.value.diag.constraint_name == "invoices_only_drafts_deleted"
    assert rows_of_invoice(admin, invoice)["invoices"] == 1


def test_a_cutoff_later_than_the_rules_deletes_nothing_younger(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    """Each sweep function caps the cutoff it is given at its rule's: a caller's mistake cannot
    empty a table."""
    world = World(admin, make, make.tenant())
    an_hour_ago = database_now(admin) - timedelta(hours=1)
    made = {kind: build(world, an_hour_ago) for kind, build in BUILDERS.items()}
    functions = admin.execute(
        "select record_kind, sweep_function from app.retention_rules"
        " where sweep_function is not null"
    ).fetchall()
    with db.service_role_transaction(pool) as conn:
        for rule in functions:
            schema, name = rule["sweep_function"].split(".")
            conn.execute(
                sql.SQL("select {}(now() + interval '100 years', 1000)").format(
                    sql.Identifier(schema, name)
                )
            )
        for kind in periodic_kinds(admin):
            conn.execute(
                "select app.sweep_by_age(%s, now() + interval '100 years', 1000)"
                " where not exists (select from app.retention_rules"
                " where record_kind = %s and sweep_function is not null)",
                [kind, kind],
            )
    assert {kind: row.is_present(admin) for kind, row in made.items()} == dict.fromkeys(made, True)


def test_an_import_left_unfinished_is_cancelled_and_blanked_a_running_one_is_not(
    pool: ConnectionPool, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant().id
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ids = {}
    for status in ("previewed", "running"):
        row = admin.execute(
            "insert into public.customer_imports (tenant_id, status, file_name, source_text,"
            " encoding, delimiter, headers, updated_at) values (%s, %s, 'c.csv', 'name\nAda',"
            " 'utf-8', ',', '[\"name\"]', %s) returning id",
            [tenant, status, old],
        ).fetchone()
        assert row is not None
        ids[status] = row["id"]
    set_clock(admin, old + timedelta(days=31))

    assert retention.sweep_kind(pool, "import files") == 1

    rows = admin.execute(
        "select status, source_text, headers from public.customer_imports"
        " where tenant_id = %s order by status",
        [tenant],
    ).fetchall()
    assert rows == [
        {"status": "cancelled", "source_text": "", "headers": []},
        {"status": "running", "source_text": "name\nAda", "headers": ["name"]},
    ]


def test_the_readme_table_lists_every_rule_with_a_period(app: Flask, admin: Connection) -> None:
    result = app.test_cli_runner().invoke(args=["db", "retention"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["| Record | Kept | Then | What and why |", "| --- | --- | --- | --- |"]
    kinds = [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]]
    assert sorted(kinds) == periodic_kinds(admin)
    assert "| financial records | 7 years | deleted |" in result.output
    assert "| audit logs | 2 years | deleted |" in result.output
    assert "| message logs | 3 years | deleted |" in result.output
    assert "| text opt-outs | 3 years | deleted |" in result.output
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert result.output in readme, "paste `flask db retention` into README.md"
