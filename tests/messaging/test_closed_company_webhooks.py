"""P-11: a closed company's Twilio callbacks are acknowledged (so Twilio stops sending them)
and logged, and change nothing: the company is read-only. A homeowner's STOP is the exception
(P-15): it is recorded, and still holds if the company is reopened."""

from __future__ import annotations

import logging

import pytest

from app.db import Connection
from app.messaging.outgoing import Draft, queue
from tests.conftest import Client
from tests.messaging.inbox_support import TextingCompany
from tests.messaging.test_inbound import (  # noqa: F401  (texting: a fixture)
    HOMEOWNER,
    post,
    state,
    texting,
)


@pytest.mark.promise("P-11")
def test_a_closed_companys_inbound_text_is_acknowledged_and_changes_nothing(
    client: Client,
    admin: Connection,
    texting: TextingCompany,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    close(admin, texting)
    before = state(admin)
    with caplog.at_level(logging.INFO):
        response = post(client, texting.text(HOMEOWNER, "Is my visit still on?"))
    assert response.status_code == 200
    assert state(admin) == before
    assert "ignored: the company is closed" in caplog.text


def close(admin: Connection, company: TextingCompany) -> None:
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = now(),"
        " purge_after = now() + interval '30 days' where id = %s",
        [company.tenant_id],
    )


@pytest.mark.promise("P-15")
def test_a_stop_sent_to_a_closed_company_is_kept_and_holds_after_it_reopens(
    client: Client,
    admin: Connection,
    texting: TextingCompany,  # noqa: F811
) -> None:
    close(admin, texting)

    response = post(client, texting.text(HOMEOWNER, "STOP"))

    assert response.status_code == 200
    opted_out = admin.execute(
        "select phone, keyword from public.sms_opt_outs where tenant_id = %s",
        [texting.tenant_id],
    ).fetchall()
    assert opted_out == [{"phone": HOMEOWNER, "keyword": "STOP"}]
    assert admin.execute(
        "select count(*) as n from public.messages where tenant_id = %s", [texting.tenant_id]
    ).fetchone() == {"n": 0}  # no conversation kept, no reply queued while closed
    admin.execute(
        "update public.tenants set status = 'active', closed_at = null, purge_after = null"
        " where id = %s",
        [texting.tenant_id],
    )
    after = queue(
        admin, Draft(texting.tenant_id, "sms", "visit_reminder", HOMEOWNER, "See you", occasion="r")
    )
    assert after is not None
    assert (after.status, after.blocked_reason) == ("blocked", "The number texted STOP.")
