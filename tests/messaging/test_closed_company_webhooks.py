"""P-11: a closed company's Twilio callbacks are acknowledged (so Twilio stops sending them)
and logged, and change nothing: the company is read-only."""

from __future__ import annotations

import logging

import pytest

from app.db import Connection
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
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = now(),"
        " purge_after = now() + interval '30 days' where id = %s",
        [texting.tenant_id],
    )
    before = state(admin)
    with caplog.at_level(logging.WARNING):
        response = post(client, texting.text(HOMEOWNER, "Is my visit still on?"))
    assert response.status_code == 200
    assert state(admin) == before
    assert "the company is closed; the call was ignored" in caplog.text
