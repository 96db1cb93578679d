"""On my way, arrived, completed with the customer's signature: each tap a status the office
sees, refusals in words, and a completion that saves everything or nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.technician.support import (
    Day,
    files_of,
    html,
    png,
    same_pixels,
    signature_data_url,
    visit_row,
)


def _arrive(tech, visit_id) -> None:
    for status in ("en_route", "on_site"):
        response = tech.submit(f"/my-day/visits/{visit_id}/status", {"status": status})
        assert response.status_code == 302, html(response)


def test_en_route_then_on_site_then_completed_with_a_signature(
    tech, admin, day: Day, files_dir: Path
):
    response = tech.submit(f"/my-day/visits/{day.first}/status", {"status": "en_route"})
    assert response.status_code == 302
    assert visit_row(admin, day.first)["status"] == "en_route"
    assert "Arrived" in html(tech.get(f"/my-day/visits/{day.first}"))

    tech.submit(f"/my-day/visits/{day.first}/status", {"status": "on_site"})
    page = html(tech.get(f"/my-day/visits/{day.first}"))
    assert visit_row(admin, day.first)["status"] == "on_site"
    assert "Complete the visit" in page and 'id="signature-pad"' in page

    signature = png(60, 30)
    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {
            "completion_notes": "Replaced the flame sensor.",
            "signed_by": "Dana Reyes",
            "signature": signature_data_url(signature),
        },
    )

    assert response.status_code == 302, html(response)
    done = visit_row(admin, day.first)
    assert (done["status"], done["signed_by"], done["completion_notes"]) == (
        "completed",
        "Dana Reyes",
        "Replaced the flame sensor.",
    )
    [stored] = files_of(admin, day.first)
    assert (stored["kind"], stored["content_type"], stored["uploaded_by"]) == (
        "signature",
        "image/png",
        day.tech.account_id,
    )
    assert stored["storage_key"].startswith(f"{day.tenant.id}/visits/{day.first}/")
    kept = (files_dir / stored["storage_key"]).read_bytes()
    assert same_pixels(kept, signature)  # the drawing, written anew (test_photo_cleaning.py)
    history = admin.execute(
        "select equipment_id, completion_notes from public.equipment_service_records"
        " where visit_id = %s",
        [day.first],
    ).fetchall()
    assert history == [
        {"equipment_id": day.furnace, "completion_notes": "Replaced the flame sensor."}
    ]
    page = html(tech.get(f"/my-day/visits/{day.first}"))
    assert "Signed by Dana Reyes." in page
    assert f"/my-day/files/{stored['id']}" in page
    served = tech.get(f"/my-day/files/{stored['id']}")
    assert served.data == kept and served.mimetype == "image/png"


def test_completing_without_a_signature_or_saying_why_is_refused_and_nothing_is_saved(
    tech, admin, day: Day, files_dir: Path
):
    _arrive(tech, day.first)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"completion_notes": "All done", "signed_by": "Dana Reyes", "signature": ""},
    )

    assert response.status_code == 422
    assert "Ask the customer to sign, or tick “Customer not available to sign”." in html(response)
    assert visit_row(admin, day.first)["status"] == "on_site"
    assert files_of(admin, day.first) == []
    assert not files_dir.exists() or not any(files_dir.rglob("*.png"))


def test_a_signature_needs_the_signers_name(tech, admin, day: Day):
    _arrive(tech, day.first)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"signed_by": "", "signature": signature_data_url()},
    )

    assert response.status_code == 422
    assert "Enter the name of the person who signed." in html(response)
    assert visit_row(admin, day.first)["status"] == "on_site"


@pytest.mark.parametrize(
    "signature",
    [
        "data:image/png;base64,not base64 at all!",
        "data:text/html;base64,PGI+aGk8L2I+",
        signature_data_url(b"GIF89a" + b"\x00" * 20),
        signature_data_url(png(2, 2) + b"\x00" * 400_000),
    ],
)
def test_a_signature_that_is_not_a_small_png_is_refused(
    tech, admin, day: Day, files_dir: Path, signature
):
    _arrive(tech, day.first)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete", {"signed_by": "Dana", "signature": signature}
    )

    assert response.status_code in (413, 422)
    assert visit_row(admin, day.first)["status"] == "on_site"
    assert files_of(admin, day.first) == []


def test_completing_when_the_customer_is_not_available(tech, admin, day: Day):
    _arrive(tech, day.first)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {
            "completion_notes": "Left a card",
            "signed_by": "",
            "not_available": "y",
            "unsigned_reason": "Nobody home; the landlord let me in.",
        },
    )

    assert response.status_code == 302, html(response)
    done = visit_row(admin, day.first)
    assert (done["status"], done["signed_by"], done["unsigned_reason"]) == (
        "completed",
        "",
        "Nobody home; the landlord let me in.",
    )
    assert files_of(admin, day.first) == []
    page = html(tech.get(f"/my-day/visits/{day.first}"))
    assert "Not signed: the customer was not available" in page
    assert "Nobody home; the landlord let me in." in page


def test_customer_not_available_needs_a_reason_not_a_name(tech, admin, day: Day):
    _arrive(tech, day.first)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete", {"signed_by": "", "not_available": "y"}
    )

    assert response.status_code == 422
    page = html(response)
    assert "Say why the customer cannot sign." in page
    assert "Enter the name of the person who signed." not in page
    assert visit_row(admin, day.first)["status"] == "on_site"


def test_the_completion_form_asks_the_browser_for_no_name(tech, day: Day):
    """The signer's name (and every optional field) carries no `required` attribute: with it,
    the browser refused to send a completion whose customer was not there to sign."""
    _arrive(tech, day.first)

    page = html(tech.get(f"/my-day/visits/{day.first}"))

    assert 'required="None"' not in page
    signer = page[page.index('id="signed_by"') - 200 : page.index('id="signed_by"') + 200]
    assert "required" not in signer


def test_why_nobody_signed_is_written_only_as_the_visit_is_completed(tech, admin, day: Day):
    _arrive(tech, day.first)
    tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"not_available": "y", "unsigned_reason": "Nobody home"},
    )

    for visit in (day.first, day.second):  # completed, and not yet started
        with pytest.raises(psycopg.errors.CheckViolation, match="said as the visit is completed"):
            admin.execute(
                "update public.visits set unsigned_reason = 'Rewritten' where id = %s", [visit]
            )
    assert visit_row(admin, day.first)["unsigned_reason"] == "Nobody home"


def test_a_status_out_of_order_is_refused_with_a_message(tech, admin, day: Day):
    arrived_first = tech.submit(f"/my-day/visits/{day.first}/status", {"status": "on_site"})
    assert arrived_first.status_code == 422
    assert "A visit that is scheduled cannot be marked on site." in html(arrived_first)

    complete_early = tech.submit(
        f"/my-day/visits/{day.first}/complete", {"not_available": "y", "unsigned_reason": "Out"}
    )
    assert complete_early.status_code == 422
    assert "cannot be marked completed" in html(complete_early)

    cancel = tech.submit(f"/my-day/visits/{day.first}/status", {"status": "canceled"})
    assert cancel.status_code == 422
    assert "Choose “On my way” or “Arrived”." in html(cancel)
    assert visit_row(admin, day.first)["status"] == "scheduled"


def test_a_second_tap_on_a_visit_that_already_moved_says_so(app, tech, admin, day: Day):
    """Two taps (or the page open on two phones): the second one explains, nothing breaks."""
    tech.submit(f"/my-day/visits/{day.first}/status", {"status": "en_route"})

    again = tech.submit(f"/my-day/visits/{day.first}/status", {"status": "en_route"})

    assert again.status_code == 422
    assert "A visit that is en route cannot be marked en route." in html(again)
    assert visit_row(admin, day.first)["status"] == "en_route"
