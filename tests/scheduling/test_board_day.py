"""The dispatch board as a dispatcher reads it: cards that lead to the job and the customer,
the queue by priority then age, every priority shown, the day's hours laid out to fit the
screen with a mark at the present time, and a dispatched visit that is moved only after the
dispatcher says whether it stays dispatched."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.scheduling import test_board
from tests.scheduling.test_board import (
    JSON,
    NEW_YORK,
    Board,
    Crew,
    at,
    board,
    booked,
    next_monday,
    place_form,
    text,
    visit,
)

# The board tests' company (dispatcher, technicians Terry and Tina) and signed-in dispatcher.
crew = test_board.crew
dispatcher = test_board.dispatcher


def card_html(page: str, visit_id: UUID) -> str:
    """The markup of one visit's card on a lane (or item in the queue)."""
    start = page.index(f'data-visit-id="{visit_id}"')
    end = min(i for i in (page.find("</article>", start), page.find("</li>", start)) if i > 0)
    return page[start:end]


def prioritise(admin: Connection, visit_id: UUID, priority: str) -> None:
    admin.execute(
        "update jobs set priority = %s where id = (select job_id from visits where id = %s)",
        [priority, visit_id],
    )


def job_and_customer(admin: Connection, visit_id: UUID) -> tuple[UUID, UUID]:
    row = admin.execute(
        "select j.id, j.customer_id from visits v join jobs j on j.id = v.job_id where v.id = %s",
        [visit_id],
    ).fetchone()
    assert row is not None
    return row["id"], row["customer_id"]


def test_a_card_and_a_queued_visit_link_to_the_job_and_the_customer(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    placed = visit(make, crew, at(day, 9), crew.terry, summary="Leaking coil")
    waiting = visit(make, crew, summary="No cooling")
    page = text(dispatcher.get(f"/dispatch?day={day}"))

    for shown, summary in ((placed, "Leaking coil"), (waiting, "No cooling")):
        job_id, customer_id = job_and_customer(admin, shown)
        html = card_html(page, shown)
        assert re.search(rf'<a [^>]*href="/jobs/{job_id}"[^>]*>{summary}</a>', html), html
        assert re.search(rf'<a [^>]*href="/customers/{customer_id}"[^>]*>Ruth Alvarez</a>', html)


def test_the_queue_is_ordered_by_priority_then_oldest_first(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    made = {}
    for name, priority, days_old in (
        ("low old", "low", 9),
        ("normal new", "normal", 1),
        ("emergency new", "emergency", 0),
        ("high", "high", 3),
        ("normal old", "normal", 5),
        ("emergency old", "emergency", 2),
    ):
        made[name] = visit(make, crew, summary=name)
        prioritise(admin, made[name], priority)
        admin.execute(
            "update visits set created_at = now() - make_interval(days => %s) where id = %s",
            [days_old, made[name]],
        )

    shown = board(dispatcher, next_monday())

    order = ["emergency old", "emergency new", "high", "normal old", "normal new", "low old"]
    assert list(shown.queue) == [str(made[name]) for name in order]


@pytest.mark.parametrize("priority", ["emergency", "high", "normal", "low"])
def test_every_card_and_queued_visit_shows_its_priority(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client, priority: str
):
    day = next_monday()
    placed = visit(make, crew, at(day, 9), crew.terry)
    waiting = visit(make, crew)
    for shown in (placed, waiting):
        prioritise(admin, shown, priority)

    found = board(dispatcher, day)

    label = priority.capitalize()
    assert label in found.card(crew.terry, placed).split()
    assert label in found.queue[str(waiting)].split()


def test_the_day_runs_at_least_from_8_to_6_and_marks_now_only_today(dispatcher: Client):
    today = datetime.now(NEW_YORK).date()

    other = text(dispatcher.get(f"/dispatch?day={next_monday()}"))
    now = text(dispatcher.get(f"/dispatch?day={today}"))

    hours = re.findall(r'<span class="hour[^"]*">([^<]+)</span>', other)
    assert hours[0] in ("7 AM", "8 AM") and hours[-1] in ("5 PM", "6 PM"), hours
    assert "now-mark" not in other
    assert "now-mark" in now or not 8 <= datetime.now(NEW_YORK).hour < 18


# --- moving a dispatched visit ------------------------------------------------------------------


def dispatched_visit(make: Factory, admin: Connection, crew: Crew) -> UUID:
    sent = visit(make, crew, at(next_monday(), 9), crew.terry)
    admin.execute("update visits set status = 'dispatched' where id = %s", [sent])
    return sent


def moved(crew: Crew, **choice: str) -> dict[str, str]:
    """Terry's visit moved to Tina at 2 PM, with the dispatcher's choice (if any)."""
    replacing = str(crew.terry.account_id)
    return place_form(crew.tina, next_monday(), "14:00", replacing=replacing, **choice)


def test_moving_a_dispatched_visit_asks_whether_it_stays_dispatched(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    sent = dispatched_visit(make, admin, crew)
    before = booked(admin, sent)
    form = text(dispatcher.get(f"/dispatch/visits/{sent}/place?from={crew.terry.account_id}"))
    assert "Keep it dispatched" in form
    assert "Back to scheduled" in form

    page = dispatcher.submit(f"/dispatch/visits/{sent}/place", moved(crew))
    drop = dispatcher.submit(f"/dispatch/visits/{sent}/place", moved(crew), headers=JSON)

    assert page.status_code == 422
    assert "This visit has been dispatched" in text(page)
    assert drop.status_code == 409
    assert drop.json is not None
    assert drop.json["ok"] is False
    assert drop.json["choose"] == "redispatch"
    assert booked(admin, sent) == before


@pytest.mark.parametrize(("choice", "status"), [("keep", "dispatched"), ("reset", "scheduled")])
def test_a_moved_dispatched_visit_keeps_or_drops_its_dispatch_as_chosen(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client, choice: str, status: str
):
    sent = dispatched_visit(make, admin, crew)

    response = dispatcher.submit(
        f"/dispatch/visits/{sent}/place", moved(crew, redispatch=choice), headers=JSON
    )

    assert response.json == {"ok": True}
    saved = booked(admin, sent)
    assert saved["status"] == status
    assert saved["technicians"] == [crew.tina.account_id]
    assert saved["window_starts_at"] == at(next_monday(), 14)
    shown = Board(text(dispatcher.get(f"/dispatch?day={next_monday()}")))
    assert status.capitalize() in shown.card(crew.tina, sent)


def test_a_scheduled_visit_moves_without_the_question(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    planned = visit(make, crew, at(next_monday(), 9), crew.terry)

    response = dispatcher.submit(f"/dispatch/visits/{planned}/place", moved(crew), headers=JSON)

    assert response.json == {"ok": True}
    assert booked(admin, planned)["status"] == "scheduled"


def test_what_people_typed_is_escaped_on_a_card(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    placed = visit(make, crew, at(day, 9), crew.terry, crew.tina, summary="<script>x()</script>")
    admin.execute("update customers set first_name = '<b>Ruth</b>'")
    admin.execute("update properties set city = '<i>Hoboken</i>'")
    admin.execute("update memberships set full_name = '<u>Tina</u>' where role = 'technician'")

    html = card_html(text(dispatcher.get(f"/dispatch?day={day}")), placed)

    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;Ruth&lt;/b&gt;" in html
    assert "<i>" not in html and "&lt;i&gt;Hoboken" in html
    assert "<u>" not in html and "&lt;u&gt;Tina" in html
