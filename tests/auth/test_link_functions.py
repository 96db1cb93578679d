"""The database functions behind emailed links are safe for whoever may call them: tokens are
made inside the database, callers get nothing to replay, account mail has fixed templates,
and the steps before sign-in belong to `plenum_signin`, never to `anon` (P-06)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from app import crypto
from tests.auth.support import account, emails_to
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of

pytestmark = pytest.mark.promise("P-06")

SIGNIN = {"role": "plenum_signin"}
ANON = {"role": "anon"}
# The functions of this part, and who may run them.
SIGNIN_FUNCTIONS = {
    "request_password_reset",
    "password_reset_is_open",
    "finish_password_reset",
    "request_sign_in_unlock",
    "sign_in_unlock_is_open",
    "use_sign_in_unlock",
    "start_sign_up",
    "resend_sign_up",
    "sign_up_to_confirm",
    "finish_sign_up",
    "invitation",
    "accept_invitation_with_new_account",
}
MEMBER_FUNCTIONS = {"invite", "resend_invitation", "my_invitation", "accept_my_invitation"}


def executable_by(admin: Any, role: str) -> set[str]:
    rows = admin.execute(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'iam' and has_function_privilege(%s, p.oid, 'execute')",
        [role],
    ).fetchall()
    return {row["proname"] for row in rows}


def test_anon_may_run_no_link_function_and_the_sign_in_role_may_run_only_those(admin):
    assert executable_by(admin, "anon") == set()
    assert executable_by(admin, "plenum_signin") >= SIGNIN_FUNCTIONS
    assert not (SIGNIN_FUNCTIONS | MEMBER_FUNCTIONS) & executable_by(admin, "anon")
    assert not SIGNIN_FUNCTIONS & executable_by(admin, "authenticated")
    assert executable_by(admin, "authenticated") >= MEMBER_FUNCTIONS
    role = admin.execute(
        "select rolcanlogin, rolinherit from pg_roles where rolname = 'plenum_signin'"
    ).fetchone()
    assert role == {"rolcanlogin": False, "rolinherit": False}
    holders = admin.execute(
        "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.member"
        " where m.roleid = 'plenum_signin'::regrole"
    ).fetchall()
    assert {row["rolname"] for row in holders} == {"plenum_web"}


def test_no_identity_function_takes_a_token_hash(admin):
    takes_bytes = admin.execute(
        "select p.oid::regprocedure::text as signature from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'iam' and 'bytea'::regtype = any (p.proargtypes)"
        " and (has_function_privilege('anon', p.oid, 'execute')"
        " or has_function_privilege('authenticated', p.oid, 'execute')"
        " or has_function_privilege('plenum_signin', p.oid, 'execute'))"
    ).fetchall()
    assert takes_bytes == []


@pytest.mark.parametrize("claims", [ANON, SIGNIN], ids=["anon", "plenum_signin"])
def test_the_reset_takeover_sequence_fails(database, admin, make: Factory, claims):
    owner = make.tenant().owner
    before = account(admin, owner.email)["password_hash"]
    chosen = crypto.new_token()
    with acting_as(database, claims) as conn, pytest.raises(psycopg.errors.UndefinedFunction):
        conn.execute(
            "select * from iam.start_password_reset(%s, %s, now() + interval '1 hour')",
            [owner.email, crypto.token_hash(chosen)],
        )
    with acting_as(database, claims) as conn:
        if claims is ANON:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select iam.request_password_reset(%s)", [owner.email])
            return
        started = conn.execute("select iam.request_password_reset(%s) as r", [owner.email])
        assert started.fetchall() == [{"r": ""}]  # void: nothing comes back, not a verdict
        stored = conn.execute("select iam.finish_password_reset(%s, %s) as done", [chosen, before])
        assert stored.fetchone() == {"done": False}
    assert account(admin, owner.email)["password_hash"] == before


def test_a_stored_hash_opens_nothing(database, admin, make: Factory):
    owner = make.tenant().owner
    admin.execute("select iam.request_password_reset(%s)", [owner.email])
    [row] = admin.execute("select token_hash from iam.password_resets").fetchall()
    stored = bytes(row["token_hash"])
    with acting_as(database, SIGNIN) as conn:
        for guess in (stored.hex(), "\\x" + stored.hex()):
            opened = conn.execute("select iam.password_reset_is_open(%s) as open", [guess])
            assert opened.fetchone() == {"open": False}
    with (
        acting_as(database, SIGNIN) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select token_hash from iam.password_resets")


@pytest.mark.parametrize(
    "claims",
    [ANON, SIGNIN, None],
    ids=["anon", "plenum_signin", "member"],
)
def test_nobody_queues_an_account_message_by_hand(database, make: Factory, claims):
    company = make.tenant()
    with (
        acting_as(database, claims or claims_of(company.owner)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "insert into outbox.messages (tenant_id, kind, to_address, subject, body_text)"
            " values (null, 'password_reset', 'victim@example.com', 'Hi', 'Click evil.example')"
        )


def test_a_member_cannot_queue_a_message_by_hand(database, make: Factory):
    """Company mail, too, is queued only by code that renders a known template (invitations by
    iam.invite, receipts by the worker): a member's session cannot send its own text."""
    company = make.tenant()
    with (
        acting_as(database, claims_of(company.owner)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "insert into outbox.messages (tenant_id, kind, to_address, subject, body_text)"
            " values (%s, 'password_reset', 'victim@example.com', 'Reset', 'http://evil')",
            [company.id],
        )


@pytest.mark.promise("P-03")
def test_an_invitation_gets_the_databases_attribution_and_lifetime(database, admin, make):
    company = make.tenant()
    manager = make.member(company.id, "admin")
    chosen = crypto.token_hash(crypto.new_token())
    forged = {
        "t": company.id,
        "by": company.owner.account_id,
        "expires": datetime.now(UTC) + timedelta(days=36500),
        "hash": chosen,
    }
    with acting_as(database, claims_of(manager)) as conn:
        conn.execute(
            "insert into public.invitations (tenant_id, email, role, token_hash, invited_by,"
            " expires_at) values (%(t)s, 'direct@example.com', 'technician', %(hash)s, %(by)s,"
            " %(expires)s)",
            forged,
        )
        conn.execute("select iam.invite('minted@example.com', 'office')")
        rows = conn.execute(
            "select email, invited_by, expires_at - now() as lifetime, token_hash"
            " from public.invitations order by email"
        ).fetchall()
    assert [r["email"] for r in rows] == ["direct@example.com", "minted@example.com"]
    for row in rows:
        assert row["invited_by"] == manager.account_id
        assert abs(row["lifetime"] - timedelta(days=7)) < timedelta(minutes=1)
        assert bytes(row["token_hash"]) != chosen  # a hand-made row's link is nobody's
    assert emails_to(admin, "direct@example.com") == []


@pytest.mark.promise("P-03")
def test_the_invite_form_ignores_attribution_and_lifetime_it_is_sent(client, admin, make):
    company = make.tenant()
    client.sign_in(company.owner.email)
    other = make.tenant().owner
    response = client.submit(
        "/team/invitations",
        {
            "email": "formed@example.com",
            "role": "technician",
            "invited_by": str(other.account_id),
            "expires_at": "2099-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 302
    row = admin.execute(
        "select invited_by, expires_at - created_at as lifetime from public.invitations"
    ).fetchone()
    assert row == {"invited_by": company.owner.account_id, "lifetime": timedelta(days=7)}


def test_tokens_are_256_bits_and_only_their_hash_is_kept(database, admin, make: Factory):
    owner = make.tenant().owner
    admin.execute("select iam.request_password_reset(%s)", [owner.email])
    [message] = emails_to(admin, owner.email)
    token = message["body_text"].split("/password/reset/", 1)[1].split()[0]
    assert len(token) == 43  # 32 random bytes, base64url without padding
    [row] = admin.execute("select token_hash from iam.password_resets").fetchall()
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
