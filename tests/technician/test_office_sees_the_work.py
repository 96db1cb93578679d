"""The office sees the technician's work on the job page: for each visit the photos (small
images that open the whole photo), the signature or why there is none, the notes, the
checklist and each status time; showing them is a recorded read (P-07)."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from tests.conftest import Client
from tests.factories import Factory
from tests.technician.support import (
    Day,
    at,
    decoded,
    files_of,
    html,
    picture,
    signature_data_url,
    today,
    upload,
)
from tests.technician.test_recorded_reads import mark, reads_since


@pytest.fixture
def office(app, day: Day, make: Factory) -> Client:
    signed_in: Client = app.test_client()
    signed_in.sign_in(make.member(day.tenant.id, "dispatcher").email)
    return signed_in


def _work_a_tune_up(tech: Client, admin, make: Factory, day: Day) -> tuple[UUID, UUID]:
    """A maintenance visit worked from start to signature: a note, a photo, a ticked task."""
    job = make.job(day.tenant.id, day.place, kind="maintenance", summary="Heating tune-up")
    visit = make.visit(day.tenant.id, job, at(today(), 16), technicians=(day.tech.account_id,))
    for status in ("en_route", "on_site"):
        tech.submit(f"/my-day/visits/{visit}/status", {"status": status})
    tech.submit(f"/my-day/visits/{visit}/notes", {"body": "Filter was clogged; replaced."})
    tech.submit(f"/my-day/visits/{visit}/photos", {"photo": upload(picture(800, 600))})
    first = admin.execute(
        "select id from public.visit_checklist_items where visit_id = %s order by position",
        [visit],
    ).fetchone()
    tech.submit(f"/my-day/checklist/{first['id']}", {"done": "1"})
    done = tech.submit(
        f"/my-day/visits/{visit}/complete",
        {
            "completion_notes": "Tuned up.",
            "signed_by": "Dana Reyes",
            "signature": signature_data_url(),
        },
    )
    assert done.status_code == 302, html(done)
    return job, visit


def test_the_job_page_shows_photos_signature_notes_checklist_and_status_times(
    tech, office, admin, make: Factory, day: Day
):
    job, visit = _work_a_tune_up(tech, admin, make, day)
    kept = {f["kind"]: f["id"] for f in files_of(admin, visit)}

    page = html(office.get(f"/jobs/{job}"))

    assert "Filter was clogged; replaced." in page
    assert "Tuned up." in page
    assert "Signed by" in page and "Dana Reyes" in page
    assert re.search(r"Checklist <span class=\"muted\">1 of \d+ done", page)
    photo = f"/my-day/files/{kept['photo']}"
    assert f'<a href="{photo}"><img src="{photo}?size=thumb"' in page
    assert 'loading="lazy"' in page
    assert f'src="/my-day/files/{kept["signature"]}"' in page
    for label in ("Scheduled", "En route", "On site", "Completed"):
        assert f"<li>{label} <time" in page

    small = office.get(f"/my-day/files/{kept['photo']}?size=thumb")
    whole = office.get(f"/my-day/files/{kept['photo']}")
    assert (small.status_code, whole.status_code) == (200, 200)
    assert decoded(small.data).size == (240, 180) and decoded(whole.data).size == (800, 600)
    assert office.get(f"/my-day/files/{kept['signature']}").mimetype == "image/png"


def test_a_visit_completed_without_a_signature_shows_why_to_the_office(tech, office, day: Day):
    for status in ("en_route", "on_site"):
        tech.submit(f"/my-day/visits/{day.first}/status", {"status": status})
    tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"not_available": "y", "unsigned_reason": "Tenant at work; landlord let me in."},
    )

    page = html(office.get(f"/jobs/{day.job}"))

    assert (
        "Not signed: the customer was not available (Tenant at work; landlord let me in.)." in page
    )


@pytest.mark.promise("P-07")
def test_the_work_shown_on_the_job_page_is_a_recorded_read(
    tech, office, admin, make: Factory, day: Day
):
    job, visit = _work_a_tune_up(tech, admin, make, day)
    note = admin.execute("select id from public.visit_notes where visit_id = %s", [visit])
    note_id = str(note.fetchone()["id"])
    files = {str(f["id"]) for f in files_of(admin, visit)}
    before = mark(admin)

    assert office.get(f"/jobs/{job}").status_code == 200

    reads = {r["table_name"]: r for r in reads_since(admin, day.tenant.id, before)}
    assert reads["public.jobs"]["row_key"] == str(job)
    assert reads["public.visit_notes"]["new_values"]["ids"] == [note_id]
    assert set(reads["public.visit_files"]["new_values"]["ids"]) == files


def test_another_companys_office_cannot_open_the_photos(tech, app, admin, make: Factory, day):
    _, visit = _work_a_tune_up(tech, admin, make, day)
    stranger: Client = app.test_client()
    stranger.sign_in(make.tenant("Elsewhere HVAC").owner.email)

    for kept in files_of(admin, visit):
        assert stranger.get(f"/my-day/files/{kept['id']}?size=thumb").status_code == 404
        assert stranger.get(f"/my-day/files/{kept['id']}").status_code == 404


def test_a_job_without_work_shows_none_of_it(office, day: Day):
    page = html(office.get(f"/jobs/{day.job}"))

    assert "Technician's notes" not in page and "<h4>Photos</h4>" not in page
    assert "<h4>Signature</h4>" not in page
