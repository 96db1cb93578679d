"""The homeowner's sign-in without a password (issue 14): a code and a link sent to the address on
file, minted and kept hashed by the database, working once for 15 minutes; limited per address,
per network and per code (parallel guesses too); the same answer for unknown addresses; a choice
between accounts; sign-out. Real PostgreSQL, real pages."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from app import db
from app.access_log import redact
from app.db import Connection
from app.portal import sign_in as portal_sign_in
from app.portal.identity import SESSION_KEY
from jobs import messages as message_job
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of
from tests.portal.support import SIGN_IN_KIND, code_from_outbox, link_from_outbox

pytestmark = pytest.mark.promise("P-06")

EMAIL = "dana@example.com"
PHONE = "+13125550123"
CSRF = re.compile(r'(name="csrf[-_]token"[^>]*?(?:content|value)=")[^"]+"')


def ask_for_code(client: Client, address: str, **kwargs: Any) -> Any:
    """The sign-in form sent, and the message's step beside the answer (app.portal.sign_in.
    send_soon) waited for."""
    response = client.submit("/portal/sign-in", {"address": address}, **kwargs)
    portal_sign_in.settle()
    return response


def enter(client: Client, code: str) -> Any:
    return client.submit("/portal/sign-in/code", {"code": code})


def handle_of(client: Client) -> str:
    with client.session_transaction() as session:
        return str(session[portal_sign_in.CHALLENGE])


def on_file_and_asked(client: Client, admin: Connection, make: Factory) -> tuple[UUID, UUID, str]:
    """A customer with EMAIL on file who has asked for a code: (company, customer, the code)."""
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Dana", email=EMAIL)
    ask_for_code(client, EMAIL)
    return tenant.id, customer, code_from_outbox(admin, EMAIL)


def signed_in_by_code(client: Client, admin: Connection, make: Factory) -> tuple[UUID, UUID]:
    """The browser signed in with the code of a customer with EMAIL on file: (company,
    customer)."""
    tenant_id, customer, code = on_file_and_asked(client, admin, make)
    assert enter(client, code).status_code == 303
    return tenant_id, customer


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@contextmanager
def as_sign_in(database: TestDatabase) -> Iterator[Connection]:
    """A committed transaction as the pre-sign-in role, as a request's step runs."""
    with psycopg.connect(database.app_url, row_factory=dict_row) as conn, conn.transaction():
        db.begin(conn, db.SIGN_IN)
        yield conn


def verdicts_in_parallel(
    database: TestDatabase, statement: str, params_each: list[list[str]]
) -> list[str]:
    """The verdicts of `statement` run once per params, all at the same moment, each in a
    connection and transaction of its own."""
    start = threading.Barrier(len(params_each))
    verdicts: list[str] = []

    def run(params: list[str]) -> None:
        with as_sign_in(database) as conn:
            start.wait(timeout=10)
            row = conn.execute(statement, params).fetchone()
            assert row is not None
            verdicts.append(row["verdict"])

    threads = [threading.Thread(target=run, args=(params,)) for params in params_each]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(verdicts)


def challenge_of(admin: Connection, address: str) -> dict[str, Any]:
    row = admin.execute(
        "select * from iam.portal_challenges where address = %s order by created_at desc limit 1",
        [address],
    ).fetchone()
    assert row is not None
    return row


# --- a code -------------------------------------------------------------------------------------


def test_a_code_from_the_message_signs_in_once(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    make.customer(tenant.id, "Dana", "Reyes", email=EMAIL)

    asked = ask_for_code(client, "  Dana@Example.com ")
    assert asked.status_code == 303 and asked.headers["Location"] == "/portal/sign-in/code"
    code = code_from_outbox(admin, EMAIL)
    handle = handle_of(client)
    signed_in = enter(client, code)

    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/portal/"
    assert signed_in.headers["Referrer-Policy"] == "no-referrer"
    assert "Hello, Dana Reyes" in client.get("/portal/").get_data(as_text=True)
    # Only hashes are kept: neither the code nor the handle is in the table.
    challenge = challenge_of(admin, EMAIL)
    assert challenge["used_at"] is not None
    assert code.encode() not in bytes(challenge["code_hash"])
    assert (challenge["expires_at"] - challenge["created_at"]).total_seconds() == 15 * 60

    # The same code again (the same browser's handle put back): used up.
    other: Client = client.application.test_client()  # type: ignore[assignment]
    with other.session_transaction() as session:
        session[portal_sign_in.CHALLENGE] = handle
        session[portal_sign_in.ADDRESS] = EMAIL
    again = enter(other, code)
    assert again.status_code == 422
    assert portal_sign_in.CLOSED in again.get_data(as_text=True)
    assert other.get("/portal/").status_code == 302


def test_a_code_expires_after_15_minutes(client: Client, admin: Connection, make: Factory) -> None:
    _, _, code = on_file_and_asked(client, admin, make)
    # 15 minutes and a second later.
    admin.execute(
        "update iam.portal_challenges set created_at = created_at - interval '15 minutes 1 second',"
        " expires_at = expires_at - interval '15 minutes 1 second'"
    )

    response = enter(client, code)

    assert response.status_code == 422
    assert portal_sign_in.CLOSED in response.get_data(as_text=True)
    assert client.get("/portal/").status_code == 302


def test_five_wrong_codes_close_the_code_even_for_the_right_one(
    client: Client, admin: Connection, make: Factory
) -> None:
    _, _, code = on_file_and_asked(client, admin, make)

    for attempt in range(5):
        page = enter(client, wrong(code)).get_data(as_text=True)
        expected = portal_sign_in.WRONG_CODE if attempt < 4 else portal_sign_in.CLOSED
        assert expected in page, attempt
    right = enter(client, code)

    assert portal_sign_in.CLOSED in right.get_data(as_text=True)
    assert challenge_of(admin, EMAIL)["attempts"] == 5
    assert client.get("/portal/").status_code == 302


def test_parallel_wrong_codes_never_exceed_the_limit(
    client: Client, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    _, _, code = on_file_and_asked(client, admin, make)
    handle = handle_of(client)
    guesses = [[handle, f"{(int(code) + n) % 1_000_000:06d}"] for n in range(1, 21)]

    verdicts = verdicts_in_parallel(
        database, "select verdict from app.portal_sign_in_with_code(%s, %s)", guesses
    )

    # Exactly 5 guesses were compared (4 told "wrong", the 5th closed it); the rest were refused
    # without a comparison, and the right code no longer works.
    assert verdicts == ["closed"] * 16 + ["wrong"] * 4
    assert challenge_of(admin, EMAIL)["attempts"] == 5
    with as_sign_in(database) as conn:
        row = conn.execute(
            "select verdict from app.portal_sign_in_with_code(%s, %s)", [handle, code]
        ).fetchone()
    assert row is not None and row["verdict"] == "closed"


def test_the_code_works_only_with_the_handle_of_the_browser_that_asked(
    client: Client, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    _, _, code = on_file_and_asked(client, admin, make)

    with as_sign_in(database) as conn:
        row = conn.execute(
            "select * from app.portal_sign_in_with_code(%s, %s)", ["not-the-handle", code]
        ).fetchone()

    assert row == {"verdict": "closed", "session_token": None, "choice_token": None}


# --- the same answer for every address ------------------------------------------------------


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(
    app: Any, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email="known@example.com")
    known: Client = app.test_client()
    unknown: Client = app.test_client()

    asked = [
        ask_for_code(c, a)
        for c, a in ((known, "known@example.com"), (unknown, "nobody@example.com"))
    ]
    shown = [c.get("/portal/sign-in/code") for c in (known, unknown)]
    guessed = [enter(c, "123456") for c in (known, unknown)]

    assert [r.status_code for r in asked] == [303, 303]
    assert asked[0].headers["Location"] == asked[1].headers["Location"]
    pages = [CSRF.sub(r"\1", r.get_data(as_text=True)) for r in shown]
    assert pages[0].replace("known@example.com", "X") == pages[1].replace("nobody@example.com", "X")
    assert [r.status_code for r in guessed] == [422, 422]
    assert {portal_sign_in.WRONG_CODE in r.get_data(as_text=True) for r in guessed} == {True}
    # Both requests stored a challenge and its message's code and link, and were counted
    # against the same limits; in the step beside the answer, only the address on file was sent a
    # message, and neither code is kept any longer.
    for address in ("known@example.com", "nobody@example.com"):
        assert challenge_of(admin, address)["attempts"] == 1
        counted = admin.execute(
            "select count(*) as n from iam.link_requests where subject = %s",
            [f"portal-code-address:{address}"],
        ).fetchone()
        assert counted is not None and counted["n"] == 1
    sent = admin.execute(
        "select to_address from public.messages where kind = %s", [SIGN_IN_KIND]
    ).fetchall()
    assert [m["to_address"] for m in sent] == ["known@example.com"]
    assert admin.execute("select count(*) as n from iam.portal_sign_in_sends").fetchone() == {
        "n": 0
    }


def test_the_request_itself_does_the_same_work_for_any_address(
    admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email="known@example.com")
    before = _table_counts(admin)

    for address in ("known@example.com", "nobody@example.com"):
        with as_sign_in(database) as conn:
            conn.execute("select app.request_portal_sign_in(%s)", [address])
        after = _table_counts(admin)
        # One challenge and one pending message each, and nothing else, until the send step.
        assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {
            "iam.portal_challenges": 1,
            "iam.portal_sign_in_sends": 1,
            "iam.link_requests": 2,
        }, address
        before = after


def _table_counts(admin: Connection) -> dict[str, int]:
    """Rows of each table a request for a code could write."""
    tables = [
        "iam.portal_challenges",
        "iam.portal_sign_in_sends",
        "iam.link_requests",
        "public.messages",
        "outbox.messages",
        "audit.changes",
        "iam.portal_sessions",
    ]
    counts = {}
    for table in tables:
        statement = sql.SQL("select count(*) as n from {}").format(
            sql.Identifier(*table.split("."))
        )
        row = admin.execute(statement).fetchone()
        assert row is not None
        counts[table] = int(row["n"])
    return counts


def test_an_address_that_is_not_one_is_a_form_error(client: Client) -> None:
    response = ask_for_code(client, "not an address")

    assert response.status_code == 422
    assert "Enter the email address or mobile number" in response.get_data(as_text=True)


# --- a link ------------------------------------------------------------------------------------


def test_the_link_signs_in_once_from_a_token_free_page(
    app: Any, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    make.customer(tenant.id, "Dana", email=EMAIL)
    asking: Client = app.test_client()
    ask_for_code(asking, EMAIL)
    link = link_from_outbox(admin, EMAIL)
    browser: Client = app.test_client()

    opened = browser.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/portal/link"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    page = browser.get("/portal/link")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert browser.get("/portal/").status_code == 302  # opening the link alone signs nobody in
    used = browser.submit("/portal/link")
    assert used.status_code == 303 and used.headers["Location"] == "/portal/"
    assert "Cool Breeze HVAC" in browser.get("/portal/").get_data(as_text=True)

    # Once: the link again, in another browser, is closed; so is the code that came with it.
    late: Client = app.test_client()
    assert late.get(link).status_code == 410
    assert enter(asking, code_from_outbox(admin, EMAIL)).status_code == 422
    audit = admin.execute(
        "select new_values from audit.changes where tenant_id = %s and table_name ="
        " 'iam.portal_sessions' and operation = 'insert'",
        [tenant.id],
    ).fetchall()
    assert [a["new_values"]["method"] for a in audit] == ["link"]


def test_an_unknown_link_is_410(client: Client) -> None:
    assert client.get("/portal/link/" + "x" * 43).status_code == 410
    assert client.get("/portal/link").status_code == 410


# --- several accounts --------------------------------------------------------------------------


def test_a_customer_of_two_companies_chooses_one(
    client: Client, admin: Connection, make: Factory
) -> None:
    first, second = make.tenant("Arctic Air"), make.tenant("Blue Flame Heating")
    make.customer(first.id, "Dana", "Reyes", email=EMAIL)
    chosen = make.customer(second.id, "Dana", "Reyes-Ortiz", email=EMAIL)
    stranger = make.customer(second.id, "Sam", email="sam@example.com")

    ask_for_code(client, EMAIL)
    verified = enter(client, code_from_outbox(admin, EMAIL))
    assert verified.status_code == 303
    assert verified.headers["Location"] == "/portal/sign-in/choose"
    page = client.get("/portal/sign-in/choose").get_data(as_text=True)
    assert "Arctic Air" in page and "Blue Flame Heating" in page and "Dana Reyes-Ortiz" in page
    assert client.get("/portal/").status_code == 302  # no session before the choice

    # A customer the address is not on file as is refused.
    assert (
        client.submit("/portal/sign-in/choose", {"customer_id": str(stranger)}).status_code == 400
    )
    picked = client.submit("/portal/sign-in/choose", {"customer_id": str(chosen)})

    assert picked.status_code == 303 and picked.headers["Location"] == "/portal/"
    home = client.get("/portal/").get_data(as_text=True)
    assert "Blue Flame Heating" in home and "Hello, Dana Reyes-Ortiz" in home
    sessions = admin.execute(
        "select tenant_id, customer_id from iam.portal_sessions where ended_at is null"
    ).fetchall()
    assert sessions == [{"tenant_id": second.id, "customer_id": chosen}]
    # The choice worked once.
    assert client.get("/portal/sign-in/choose").status_code == 302


def test_two_customers_of_one_company_with_one_number_choose_too(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, "Dana", phone=PHONE)
    make.customer(tenant.id, "Dana's rental", phone=PHONE)

    ask_for_code(client, "(312) 555-0123")
    verified = enter(client, code_from_outbox(admin, PHONE))

    assert verified.headers["Location"] == "/portal/sign-in/choose"
    page = client.get("/portal/sign-in/choose").get_data(as_text=True)
    assert page.count('name="customer_id"') == 2


# --- texts --------------------------------------------------------------------------------------


def test_a_code_by_text_goes_at_night_but_not_after_stop(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, phone=PHONE)
    set_clock(admin, datetime(2026, 12, 8, 8, 0, tzinfo=UTC))  # 3am in New York

    ask_for_code(client, "312-555-0123")
    queued = admin.execute(
        "select channel, status, urgent, not_before, customer_id from public.messages"
        " where kind = %s",
        [SIGN_IN_KIND],
    ).fetchone()
    assert queued is not None
    assert queued["channel"] == "sms" and queued["status"] == "queued" and queued["urgent"]
    assert queued["not_before"] <= datetime(2026, 12, 8, 8, 0, 1, tzinfo=UTC)

    admin.execute(
        "insert into public.sms_opt_outs (tenant_id, phone) values (%s, %s)", [tenant.id, PHONE]
    )
    second: Client = client.application.test_client()  # type: ignore[assignment]
    response = ask_for_code(second, PHONE)
    assert response.status_code == 303  # the same answer
    statuses = admin.execute(
        "select status from public.messages where kind = %s order by created_at", [SIGN_IN_KIND]
    ).fetchall()
    assert [s["status"] for s in statuses] == ["queued", "blocked"]


def test_the_worker_sends_the_code_to_the_outbox_at_night(
    client: Client,
    admin: Connection,
    make: Factory,
    database: TestDatabase,
    pool: ConnectionPool,
) -> None:
    tenant = make.tenant("Cool Breeze HVAC")
    make.customer(tenant.id, email=EMAIL)
    set_clock(admin, datetime(2026, 12, 8, 8, 0, tzinfo=UTC))  # 3am in New York
    ask_for_code(client, EMAIL)

    message_job.sweep(pool, make_settings(database))

    sent = admin.execute(
        "select to_address, subject, body_text from outbox.messages where kind = %s",
        [SIGN_IN_KIND],
    ).fetchall()
    assert [m["to_address"] for m in sent] == [EMAIL]
    assert sent[0]["subject"] == "Sign in to your account with Cool Breeze HVAC"
    code = code_from_outbox(admin, EMAIL)
    assert code in sent[0]["body_text"] and code not in sent[0]["subject"]
    assert enter(client, code).headers["Location"] == "/portal/"


def test_do_not_contact_and_marketing_rules_do_not_hold_back_a_code(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    customer = make.customer(tenant.id, email=EMAIL)
    admin.execute(
        "update public.customers set do_not_contact = true, transactional_messages = false,"
        " marketing_consent = false where id = %s",
        [customer],
    )

    ask_for_code(client, EMAIL)

    row = admin.execute(
        "select status from public.messages where kind = %s", [SIGN_IN_KIND]
    ).fetchone()
    assert row == {"status": "queued"}


def test_nobody_in_the_company_reads_a_sign_in_message(
    client: Client, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL)
    ask_for_code(client, EMAIL)

    admin.execute(
        "insert into outbox.messages (tenant_id, channel, kind, to_address, subject, body_text)"
        " select tenant_id, channel, kind, to_address, subject, body from public.messages"
    )  # as the worker copies it when the company has no SendGrid

    with acting_as(database, claims_of(tenant.owner)) as conn:
        seen = [
            conn.execute(statement, [SIGN_IN_KIND]).fetchone()
            for statement in (
                "select count(*) as n from public.messages where kind = %s",
                "select count(*) as n from outbox.messages where kind = %s",
            )
        ]

    assert seen == [{"n": 0}, {"n": 0}]
    assert admin.execute("select count(*) as n from public.messages").fetchone() == {"n": 1}
    assert admin.execute("select count(*) as n from outbox.messages").fetchone() == {"n": 1}


# --- limits -------------------------------------------------------------------------------------


def test_requests_are_limited_per_address(app: Any, admin: Connection, make: Factory) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL, phone=PHONE)
    for address in (EMAIL, PHONE):
        for n in range(5):
            browser: Client = app.test_client()
            asked = ask_for_code(browser, address, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
            assert asked.status_code == 303, (address, n)
        refused = ask_for_code(browser, address, environ_base={"REMOTE_ADDR": "10.0.1.1"})
        assert refused.status_code == 429
    assert admin.execute(
        "select count(*) as n from public.messages where kind = %s", [SIGN_IN_KIND]
    ).fetchone() == {"n": 10}


def test_requests_are_limited_per_client_address(client: Client) -> None:
    for n in range(10):
        assert ask_for_code(client, f"person{n}@example.com").status_code == 303
    assert ask_for_code(client, "one.more@example.com").status_code == 429
    elsewhere = ask_for_code(
        client, "one.more@example.com", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert elsewhere.status_code == 303


def test_code_attempts_are_limited_per_client_address(
    client: Client, admin: Connection, make: Factory
) -> None:
    # 30 checks of codes in 15 minutes from one network, whatever the codes.
    handles = []
    for n in range(7):
        ask_for_code(client, f"guess{n}@example.com", environ_base={"REMOTE_ADDR": f"10.1.0.{n}"})
        handles.append(handle_of(client))
    statuses = []
    for handle in handles:
        with client.session_transaction() as session:
            session[portal_sign_in.CHALLENGE] = handle
        for _ in range(5):
            statuses.append(enter(client, "000000").status_code)
    assert statuses[:30] == [422] * 30 and statuses[30:] == [429] * 5


# --- where to go, and sessions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/portal/visits?page=2", "/portal/visits?page=2"),
        ("//evil.example/portal/", "/portal/"),
        ("https://evil.example/portal/", "/portal/"),
        ("/customers", "/portal/"),
        ("/portal/../customers", "/portal/"),
        ("/\\evil.example", "/portal/"),
    ],
)
def test_the_page_after_sign_in_is_a_portal_page(
    client: Client, admin: Connection, make: Factory, asked: str, lands: str
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL)
    client.get("/portal/sign-in", query_string={"next": asked})
    ask_for_code(client, EMAIL)

    response = enter(client, code_from_outbox(admin, EMAIL))

    assert response.headers["Location"] == lands


def test_signing_out_of_the_portal_keeps_the_staff_session(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL)
    client.sign_in(tenant.owner.email)
    ask_for_code(client, EMAIL)
    enter(client, code_from_outbox(admin, EMAIL))
    assert client.get("/portal/").status_code == 200
    with client.session_transaction() as session:
        secret = session[SESSION_KEY]

    assert client.submit("/portal/sign-out").status_code == 303

    assert client.get("/portal/").status_code == 302
    assert client.get("/account").status_code == 200  # still the staff member
    row = admin.execute("select ended_at from iam.portal_sessions").fetchone()
    assert row is not None and row["ended_at"] is not None
    # The old secret opens nothing any more.
    other: Client = client.application.test_client()  # type: ignore[assignment]
    with other.session_transaction() as session:
        session[SESSION_KEY] = secret
    assert other.get("/portal/").status_code == 302


def test_a_session_opened_by_a_code_closes_when_the_customer_is_removed(
    client: Client, admin: Connection, make: Factory
) -> None:
    _, customer = signed_in_by_code(client, admin, make)
    assert client.get("/portal/").status_code == 200

    admin.execute("delete from public.customers where id = %s", [customer])

    assert client.get("/portal/").status_code == 302


def test_sessions_last_12_hours_and_every_sign_in_is_audited(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant_id, customer = signed_in_by_code(client, admin, make)

    opened = admin.execute("select id, created_at, expires_at from iam.portal_sessions").fetchone()
    assert opened is not None
    assert (opened["expires_at"] - opened["created_at"]).total_seconds() == 12 * 3600
    entry = admin.execute(
        "select row_key, new_values, actor_label from audit.changes"
        " where tenant_id = %s and table_name = 'iam.portal_sessions'",
        [tenant_id],
    ).fetchone()
    assert entry is not None
    assert entry["row_key"] == str(opened["id"])
    assert entry["new_values"]["customer_id"] == str(customer)
    assert entry["new_values"]["method"] == "code"
    assert EMAIL not in str(entry)  # the address stays out of the log

    admin.execute("update iam.portal_sessions set expires_at = now() - interval '1 second'")
    assert client.get("/portal/").status_code == 302


def test_a_signed_in_homeowner_is_sent_on_from_the_sign_in_page(
    client: Client, admin: Connection, make: Factory
) -> None:
    signed_in_by_code(client, admin, make)

    assert client.get("/portal/sign-in").headers["Location"] == "/portal/"


def test_the_access_log_redacts_a_sign_in_link_of_any_length() -> None:
    for token in ("short", "x" * 43):
        line = f'"GET /portal/link/{token} HTTP/1.1"'
        assert token not in redact(line) and "/portal/link/" in redact(line)
    assert redact('"POST /portal/link HTTP/1.1"') == '"POST /portal/link HTTP/1.1"'


def test_a_link_opened_in_two_browsers_signs_in_only_one(
    app: Any, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL)
    ask_for_code(app.test_client(), EMAIL)
    link = link_from_outbox(admin, EMAIL)
    first: Client = app.test_client()
    second: Client = app.test_client()
    for browser in (first, second):
        assert browser.get(link).status_code == 303
        assert browser.get("/portal/link").status_code == 200

    assert first.submit("/portal/link").status_code == 303
    assert second.submit("/portal/link").status_code == 410

    assert second.get("/portal/").status_code == 302
    assert admin.execute("select count(*) as n from iam.portal_sessions").fetchone() == {"n": 1}


def test_a_link_used_in_parallel_opens_one_session(
    client: Client, admin: Connection, make: Factory, database: TestDatabase
) -> None:
    tenant = make.tenant()
    make.customer(tenant.id, email=EMAIL)
    ask_for_code(client, EMAIL)
    token = link_from_outbox(admin, EMAIL).rsplit("/", 1)[1]
    verdicts = verdicts_in_parallel(
        database, "select verdict from app.portal_sign_in_with_link(%s)", [[token]] * 8
    )

    assert verdicts == ["closed"] * 7 + ["signed_in"]
    assert admin.execute("select count(*) as n from iam.portal_sessions").fetchone() == {"n": 1}
