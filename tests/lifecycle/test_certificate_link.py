"""P-13: the former owners open their deletion certificate from the emailed link with no
account; the link follows the bearer-link rules (the token leaves the URL at once, no referrer);
the download verifies with `flask certificate verify`, and an altered one does not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from psycopg_pool import ConnectionPool

from app.access_log import redact
from app.db import Connection
from tests.clock import database_now
from tests.conftest import Client
from tests.factories import Factory
from tests.lifecycle.purge_support import close, sweep

LINK = re.compile(r"http://plenum\.test(/certificate/[A-Za-z0-9_-]+)")


def _purged_with_link(admin: Connection, make: Factory, pool: ConnectionPool, root: Path) -> str:
    gone = make.tenant("Gone Heating")
    close(admin, gone.id, days_ago=31, now=database_now(admin))
    assert sweep(pool, root) == 1
    mail = admin.execute(
        "select body_text from outbox.messages where kind = 'deletion_certificate'"
    ).fetchone()
    assert mail is not None
    found = LINK.search(mail["body_text"])
    assert found is not None
    return found.group(1)


@pytest.mark.promise("P-13")
def test_the_certificate_opens_from_its_link_without_an_account(
    admin: Connection, make: Factory, pool: ConnectionPool, client: Client, tmp_path: Path
) -> None:
    path = _purged_with_link(admin, make, pool, tmp_path)

    opened = client.get(path)
    assert opened.status_code == 303
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    page_url = opened.headers["Location"]
    assert path.rsplit("/", 1)[1] not in page_url
    page = client.get(page_url)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    text = page.get_data(as_text=True)
    assert "Gone Heating" in text and "Deletion certificate" in text
    download = client.get(page_url + ".json")
    assert download.status_code == 200
    assert json.loads(download.get_data())["certificate"]["company"]["name"] == "Gone Heating"


@pytest.mark.promise("P-13")
def test_a_wrong_token_or_another_browser_finds_no_certificate(
    admin: Connection, make: Factory, pool: ConnectionPool, app: Flask, tmp_path: Path
) -> None:
    path = _purged_with_link(admin, make, pool, tmp_path)
    owner = app.test_client()
    page_url = owner.get(path).headers["Location"]

    assert app.test_client().get(path + "x").status_code == 410  # as every unknown link
    assert app.test_client().get(page_url).status_code == 404
    assert app.test_client().get(page_url + ".json").status_code == 404


@pytest.mark.promise("P-13")
def test_flask_certificate_verify_holds_for_the_download_and_not_for_an_altered_one(
    admin: Connection, make: Factory, pool: ConnectionPool, app: Flask, tmp_path: Path
) -> None:
    path = _purged_with_link(admin, make, pool, tmp_path / "files")
    browser = app.test_client()
    download = browser.get(browser.get(path).headers["Location"] + ".json").get_data(as_text=True)
    kept = tmp_path / "certificate.json"
    kept.write_text(download)
    runner = app.test_cli_runner()

    holds = runner.invoke(args=["certificate", "verify", str(kept)])
    assert holds.exit_code == 0, holds.output
    assert "the certificate holds" in holds.output

    altered = json.loads(download)
    altered["document"] = altered["document"].replace("Gone Heating", "Other Heating")
    kept.write_text(json.dumps(altered))
    refused = runner.invoke(args=["certificate", "verify", str(kept)])
    assert refused.exit_code != 0
    assert "does not hold" in refused.output


@pytest.mark.promise("P-13")
def test_the_access_log_never_names_a_certificate_link_token() -> None:
    for token in ("0gZDK4sGSbxpdYHCgDom0iJ_rOiGJgsI1YsLcXKS_cc", "short"):
        line = redact(f'"GET /certificate/{token} HTTP/1.1" 303')
        assert token not in line and "/certificate/[redacted]" in line
    page = "/certificate/view/210549e3-9698-4250-93e5-5d510d115d96"
    assert redact(page) == page  # the token-free page stays readable
