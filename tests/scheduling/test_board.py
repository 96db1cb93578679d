"""The dispatch board: lanes per technician with their visits at local times, the unscheduled
queue, placing and moving visits by form and by drop (JSON), refusals that name the visit in the
way and change nothing, the week view, the technician filter, and who may use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from html.parser import HTMLParser
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.db import Connection
from app.formatting import format_date
from app.scheduling.times import window_label
from tests.conftest import Client
from tests.factories import Factory, Member, Tenant

NEW_YORK = ZoneInfo("America/New_York")
JSON = {"Accept": "application/json"}


def next_monday(zone: ZoneInfo = NEW_YORK) -> date:
    """A Monday in the future: inside every technician's default working week."""
    today = datetime.now(zone).date()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=NEW_YORK)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


class Board(HTMLParser):
    """What the board shows: each lane's cards (technician id → visit id → the card's text,
    "nobody" for visits on no technician), each card's classes, and the queue."""

    VOID = {"input", "br", "meta", "link", "img", "hr"}

    def __init__(self, page: str) -> None:
        super().__init__()
        self.lanes: dict[str, dict[str, str]] = {}
        self.queue: dict[str, str] = {}
        self.classes: dict[tuple[str, str], str] = {}
        self._stack: list[tuple[str, str | None, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        lane, visit = self._stack[-1][1:] if self._stack else (None, None)
        if "track" in classes and "axis" not in classes:
            lane = found.get("data-technician-id") or "nobody"
            self.lanes.setdefault(lane, {})
        if tag == "article" and lane:
            visit = found["data-visit-id"]
            self.lanes[lane][visit or ""] = ""
            self.classes[(lane, visit or "")] = found.get("class") or ""
        if tag == "li" and "queue-item" in classes:
            lane, visit = "queue", found["data-visit-id"]
            self.queue[visit or ""] = ""
        if tag not in self.VOID:
            self._stack.append((tag, lane, visit))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._stack:
            return
        _, lane, visit = self._stack[-1]
        if visit and lane == "queue":
            self.queue[visit] += data
        elif visit and lane:
            self.lanes[lane][visit] += data

    def card(self, technician: Member | str, visit_id: UUID) -> str:
        lane = technician if isinstance(technician, str) else str(technician.account_id)
        return " ".join(self.lanes[lane][str(visit_id)].split())


@dataclass(frozen=True)
class Crew:
    tenant: Tenant
    dispatcher: Member
    terry: Member
    tina: Member
    property_id: UUID


@pytest.fixture
def crew(make: Factory) -> Crew:
    """A company with a dispatcher, technicians Terry and Tina, and a customer's house."""
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Ruth", "Alvarez")

    def technician(name: str) -> Member:
        return make.member(tenant.id, "technician", make.account(full_name=name))

    return Crew(
        tenant,
        make.member(tenant.id, "dispatcher"),
        technician("Terry Tran"),
        technician("Tina Ortiz"),
        make.property(tenant.id, customer, city="Hoboken"),
    )


@pytest.fixture
def dispatcher(client: Client, crew: Crew) -> Client:
    client.sign_in(crew.dispatcher.email)
    return client


def visit(
    make: Factory,
    crew: Crew,
    starts: datetime | None = None,
    *who: Member,
    minutes: int = 60,
    summary: str = "No heat",
) -> UUID:
    job = make.job(crew.tenant.id, crew.property_id, summary=summary)
    return make.visit(
        crew.tenant.id, job, starts, minutes=minutes, technicians=tuple(m.account_id for m in who)
    )


def board(client: Client, day: date, *query: str) -> Board:
    response = client.get(f"/dispatch?day={day.isoformat()}{''.join(query)}")
    assert response.status_code == 200, text(response)
    return Board(text(response))


def booked(admin: Connection, visit_id: UUID) -> dict[str, Any]:
    """The visit as the database has it: status, window and technicians."""
    row = admin.execute(
        "select v.status, v.window_starts_at, v.window_ends_at, v.duration_minutes,"
        " array(select a.technician_id from visit_assignments a where a.visit_id = v.id"
        " order by a.technician_id) as technicians"
        " from visits v where v.id = %s",
        [visit_id],
    ).fetchone()
    assert row is not None
    return row


def place_form(technician: Member, day: date, start: str = "10:00", **overrides: str) -> dict:
    return {
        "technician_id": str(technician.account_id),
        "day": day.isoformat(),
        "start": start,
        "window_hours": "2",
        "duration_minutes": "60",
        **overrides,
    }


# --- the day ----------------------------------------------------------------------------------


def test_each_visit_is_in_its_technicians_lane_at_its_local_time(
    make: Factory, crew: Crew, dispatcher: Client
):
    day = next_monday()
    morning = visit(make, crew, at(day, 9), crew.terry, summary="Furnace clicks")
    afternoon = visit(make, crew, at(day, 13, 30), crew.tina, minutes=90, summary="AC warm")
    tomorrow = visit(make, crew, at(day + timedelta(days=1), 9), crew.terry)

    shown = board(dispatcher, day)

    assert set(shown.lanes) == {str(crew.terry.account_id), str(crew.tina.account_id)}
    assert list(shown.lanes[str(crew.terry.account_id)]) == [str(morning)]
    assert list(shown.lanes[str(crew.tina.account_id)]) == [str(afternoon)]
    card = shown.card(crew.terry, morning)
    for seen in (
        "9:00\N{EN DASH}11:00 AM",
        "Ruth Alvarez",
        "Furnace clicks",
        "Hoboken",
        "Scheduled",
    ):
        assert seen in card
    assert "1:30\N{EN DASH}3:30 PM" in shown.card(crew.tina, afternoon)
    # On the hour axis (8am first, a column per 15 minutes): 9am is column 5, 1:30pm column 23,
    # and the card covers the booked time.
    assert "at-5 span-4" in shown.classes[(str(crew.terry.account_id), str(morning))]
    assert "at-23 span-6" in shown.classes[(str(crew.tina.account_id), str(afternoon))]
    assert str(tomorrow) not in shown.lanes[str(crew.terry.account_id)]


def test_an_arrival_window_is_labelled_in_the_companys_zone():
    nine = datetime(2026, 3, 2, 14, tzinfo=ZoneInfo("UTC"))  # 9:00 AM in New York

    assert window_label(nine, nine + timedelta(hours=2), NEW_YORK) == "9:00\N{EN DASH}11:00 AM"
    assert (
        window_label(nine + timedelta(hours=2), nine + timedelta(hours=4), NEW_YORK)
        == "11:00 AM\N{EN DASH}1:00 PM"
    )
    assert window_label(None, None, NEW_YORK) == "No time set"


def test_a_visit_with_two_technicians_is_in_both_lanes(
    make: Factory, crew: Crew, dispatcher: Client
):
    day = next_monday()
    both = visit(make, crew, at(day, 10), crew.terry, crew.tina)

    shown = board(dispatcher, day)

    assert "with Tina Ortiz" in shown.card(crew.terry, both)
    assert "with Terry Tran" in shown.card(crew.tina, both)


def test_the_day_is_the_companys_local_day_even_when_clocks_change(
    make: Factory, crew: Crew, dispatcher: Client
):
    fall_back = date(2026, 11, 1)  # a 25-hour day in New York
    late = visit(make, crew, at(fall_back, 23, 30), summary="Late call")  # 04:30 UTC next day
    early = visit(make, crew, at(fall_back, 0, 15), summary="Early call")

    shown = board(dispatcher, fall_back)
    next_day = board(dispatcher, fall_back + timedelta(days=1))

    # Booked on nobody: they get a lane of their own, widened to midnight.
    assert "11:30 PM" in shown.card("nobody", late)
    assert "12:15\N{EN DASH}2:15 AM" in shown.card("nobody", early)
    assert "nobody" not in next_day.lanes


def test_the_unscheduled_queue_lists_waiting_visits_oldest_first(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    first = visit(make, crew, summary="Thermostat dead")
    second = visit(make, crew, summary="Noisy blower")
    admin.execute(
        "update visits set created_at = now() - interval '2 days' where id = %s", [second]
    )
    visit(make, crew, at(next_monday(), 9), crew.terry)  # scheduled: not in the queue

    shown = board(dispatcher, next_monday())

    assert list(shown.queue) == [str(second), str(first)]
    assert "Repair · Noisy blower" in shown.queue[str(second)]
    assert "Ruth Alvarez" in shown.queue[str(second)]
    assert "Hoboken" in shown.queue[str(second)]


def test_a_long_queue_shows_fifty_and_a_link_to_more(make: Factory, crew: Crew, dispatcher: Client):
    for _ in range(52):
        visit(make, crew)

    page = dispatcher.get(f"/dispatch?day={next_monday()}")
    more = dispatcher.get(f"/dispatch?day={next_monday()}&queue=100")

    assert len(Board(text(page)).queue) == 50
    assert "Show more (2 more waiting)" in text(page)
    assert len(Board(text(more)).queue) == 52


def test_an_empty_board_says_how_to_get_technicians(client: Client, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)

    page = text(client.get("/dispatch"))

    assert "No technicians yet" in page
    assert 'href="/team"' in page
    assert "No visits are waiting to be scheduled." in page


def test_a_bad_day_is_422_with_a_message(dispatcher: Client):
    for path in ("/dispatch?day=2026-02-30", "/dispatch/week?start=yesterday"):
        response = dispatcher.get(path)
        assert response.status_code == 422
        assert "Enter the day as a date" in text(response)


def test_the_board_reads_with_the_same_queries_for_one_visit_or_forty(
    make: Factory, crew: Crew, dispatcher: Client, monkeypatch: pytest.MonkeyPatch
):
    day = next_monday()
    statements: list[str] = []
    real_execute = psycopg.Connection.execute

    def counting(self: psycopg.Connection, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return real_execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", counting)
    visit(make, crew, at(day, 8), crew.terry)
    visit(make, crew)
    statements.clear()
    board(dispatcher, day)
    small = len(statements)
    for hour in range(9, 17):
        visit(make, crew, at(day, hour), crew.terry, crew.tina)
        for _ in range(4):
            visit(make, crew)
    statements.clear()

    board(dispatcher, day)

    assert len(statements) == small


# --- placing ----------------------------------------------------------------------------------


def test_scheduling_a_queued_visit_with_the_form_books_it_on_the_board(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    waiting = visit(make, crew, summary="No cooling")
    form = dispatcher.get(f"/dispatch/visits/{waiting}/place?day={day}")
    assert form.status_code == 200
    assert f'value="{day.isoformat()}"' in text(form)
    assert f'href="/dispatch?day={day.isoformat()}">← Dispatch board' in text(form)

    response = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.tina, day, "10:30")
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/dispatch?day={day.isoformat()}"
    saved = booked(admin, waiting)
    assert saved["status"] == "scheduled"
    assert saved["technicians"] == [crew.tina.account_id]
    assert saved["window_starts_at"] == at(day, 10, 30)
    assert saved["window_ends_at"] == at(day, 12, 30)
    page = dispatcher.get(response.headers["Location"])
    assert "Ruth Alvarez booked with Tina Ortiz" in text(page)
    shown = Board(text(page))
    assert "10:30 AM\N{EN DASH}12:30 PM" in shown.card(crew.tina, waiting)
    assert str(waiting) not in shown.queue


def test_a_drop_on_a_lane_books_the_visit_and_answers_json(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    waiting = visit(make, crew)

    response = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.terry, day, "08:00"), headers=JSON
    )

    assert response.status_code == 200
    assert response.json == {"ok": True}
    assert booked(admin, waiting)["technicians"] == [crew.terry.account_id]


def test_moving_a_visit_to_another_lane_and_time(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    moving = visit(make, crew, at(day, 9), crew.terry)
    form = text(dispatcher.get(f"/dispatch/visits/{moving}/place?from={crew.terry.account_id}"))
    assert 'value="09:00"' in form

    response = dispatcher.submit(
        f"/dispatch/visits/{moving}/place",
        place_form(
            crew.tina, day + timedelta(days=1), "14:00", replacing=str(crew.terry.account_id)
        ),
    )

    assert response.status_code == 302
    saved = booked(admin, moving)
    assert saved["technicians"] == [crew.tina.account_id]
    assert saved["window_starts_at"] == at(day + timedelta(days=1), 14)
    assert str(moving) not in board(dispatcher, day).lanes[str(crew.terry.account_id)]


def test_moving_one_of_two_technicians_keeps_the_other(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    sam = make.member(crew.tenant.id, "technician", make.account(full_name="Sam Lee"))
    pair = visit(make, crew, at(day, 9), crew.terry, crew.tina)
    form = text(dispatcher.get(f"/dispatch/visits/{pair}/place?from={crew.terry.account_id}"))
    assert "Also on this visit: Tina Ortiz. They stay booked with it." in form

    response = dispatcher.submit(
        f"/dispatch/visits/{pair}/place",
        place_form(sam, day, "11:00", replacing=str(crew.terry.account_id)),
        headers=JSON,
    )

    assert response.json == {"ok": True}
    assert sorted(booked(admin, pair)["technicians"]) == sorted(
        [crew.tina.account_id, sam.account_id]
    )


def test_a_clash_is_refused_naming_the_visit_in_the_way_and_nothing_changes(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    visit(make, crew, at(day, 10), crew.terry, minutes=90, summary="Leaking coil")
    waiting = visit(make, crew)
    before = booked(admin, waiting)

    form = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.terry, day, "11:00")
    )
    drop = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.terry, day, "11:00"), headers=JSON
    )

    assert form.status_code == 422
    assert "Terry Tran is already booked" in text(form)
    assert "Leaking coil" in text(form)
    assert drop.status_code == 409
    assert drop.json is not None
    assert drop.json["ok"] is False
    assert "Leaking coil" in drop.json["message"]
    assert booked(admin, waiting) == before
    assert str(waiting) in board(dispatcher, day).queue


def test_outside_working_hours_is_refused_with_the_technicians_name(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    waiting = visit(make, crew)

    response = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.terry, next_monday(), "18:00")
    )

    assert response.status_code == 422
    assert "Terry Tran: the visit falls outside their working hours." in text(response)
    assert booked(admin, waiting)["status"] == "unscheduled"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": "2026-13-01"}, "Enter the day as a date"),
        ({"day": ""}, "Enter the day as a date"),
        ({"start": "25:00"}, "Enter the start time"),
        ({"start": "nine"}, "Enter the start time"),
        ({"window_hours": "0"}, "The arrival window is 0.5 to 12 hours long."),
        ({"window_hours": "nan"}, "The arrival window is 0.5 to 12 hours long."),
        ({"duration_minutes": "5"}, "A visit takes 15 to 720 minutes."),
        ({"technician_id": ""}, "Choose one of your technicians."),
        ({"technician_id": "not-a-uuid"}, "Choose one of your technicians."),
    ],
)
def test_bad_input_is_422_with_a_message_and_saves_nothing(
    make: Factory,
    admin: Connection,
    crew: Crew,
    dispatcher: Client,
    change: dict[str, str],
    message: str,
):
    waiting = visit(make, crew)
    data = place_form(crew.terry, next_monday()) | change

    form = dispatcher.submit(f"/dispatch/visits/{waiting}/place", data)
    drop = dispatcher.submit(f"/dispatch/visits/{waiting}/place", data, headers=JSON)

    assert form.status_code == 422
    assert message in text(form)
    assert drop.status_code == 422
    assert drop.json is not None
    assert message in drop.json["message"]
    assert booked(admin, waiting)["status"] == "unscheduled"


def test_another_companys_technician_cannot_be_booked(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    other = make.tenant()
    stranger = make.member(other.id, "technician")
    waiting = visit(make, crew)

    response = dispatcher.submit(
        f"/dispatch/visits/{waiting}/place", place_form(stranger, next_monday())
    )

    assert response.status_code == 422
    assert "Choose one of your technicians." in text(response)
    assert booked(admin, waiting)["technicians"] == []


# --- dispatching and unscheduling -------------------------------------------------------------


def test_dispatch_from_a_card(make: Factory, admin: Connection, crew: Crew, dispatcher: Client):
    day = next_monday()
    planned = visit(make, crew, at(day, 9), crew.terry)
    assert "Dispatch" in board(dispatcher, day).card(crew.terry, planned)

    sent = dispatcher.submit(f"/dispatch/visits/{planned}/dispatch", {"day": day.isoformat()})

    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/dispatch?day={day.isoformat()}"
    assert booked(admin, planned)["status"] == "dispatched"
    assert "Dispatched" in board(dispatcher, day).card(crew.terry, planned)


def test_unschedule_from_a_card_puts_it_back_in_the_queue(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    planned = visit(make, crew, at(day, 9), crew.terry)

    back = dispatcher.submit(f"/dispatch/visits/{planned}/unschedule", {"day": day.isoformat()})

    assert back.status_code == 302
    saved = booked(admin, planned)
    assert (saved["status"], saved["window_starts_at"], saved["technicians"]) == (
        "unscheduled",
        None,
        [],
    )
    shown = board(dispatcher, day)
    assert str(planned) in shown.queue
    assert shown.lanes[str(crew.terry.account_id)] == {}


def test_a_refused_status_change_is_shown_on_the_board(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    waiting = visit(make, crew)
    sent = visit(make, crew, at(next_monday(), 9), crew.terry)
    admin.execute("update visits set status = 'dispatched' where id = %s", [sent])

    dispatched = dispatcher.submit(f"/dispatch/visits/{waiting}/dispatch", follow_redirects=True)
    unscheduled = dispatcher.submit(f"/dispatch/visits/{sent}/unschedule", follow_redirects=True)

    assert dispatched.status_code == 200
    assert "A visit that is unscheduled cannot be marked dispatched." in text(dispatched)
    assert booked(admin, waiting)["status"] == "unscheduled"
    assert unscheduled.status_code == 200
    assert "A visit that is dispatched cannot be marked unscheduled." in text(unscheduled)
    assert booked(admin, sent)["status"] == "dispatched"


def test_dispatching_a_visit_with_nobody_on_it_is_refused_on_the_board(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    day = next_monday()
    nobody = visit(make, crew, at(day, 9))  # scheduled, on no technician
    assert "Dispatch" in board(dispatcher, day).card("nobody", nobody)

    response = dispatcher.submit(
        f"/dispatch/visits/{nobody}/dispatch", {"day": day.isoformat()}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "Book a technician on this visit before dispatching it." in text(response)
    saved = booked(admin, nobody)
    assert (saved["status"], saved["technicians"]) == ("scheduled", [])
    assert "Scheduled" in Board(text(response)).card("nobody", nobody)


# --- the week and the filter ------------------------------------------------------------------


def test_the_week_lists_each_technicians_visits_by_day(
    make: Factory, crew: Crew, dispatcher: Client
):
    monday = next_monday()
    visit(make, crew, at(monday, 9), crew.terry)
    visit(make, crew, at(monday + timedelta(days=2), 14), crew.tina)

    page = text(dispatcher.get(f"/dispatch/week?start={(monday + timedelta(days=3)).isoformat()}"))

    assert f"week of {format_date(monday)}" in page
    rows = {row.split("</th>")[0]: row for row in page.split('<th scope="row">')[1:]}
    terry, tina = rows["Terry Tran"], rows["Tina Ortiz"]
    terry_cells, tina_cells = terry.split("<td")[1:], tina.split("<td")[1:]
    assert "9:00 AM</time> Ruth Alvarez" in terry_cells[0]
    assert all("Ruth Alvarez" not in cell for cell in terry_cells[1:])
    assert "2:00 PM</time> Ruth Alvarez" in tina_cells[2]
    assert f'href="/dispatch?day={monday + timedelta(days=2)}"' in tina_cells[2]


def test_the_technician_filter_hides_other_lanes(make: Factory, crew: Crew, dispatcher: Client):
    day = next_monday()
    visit(make, crew, at(day, 9), crew.terry)
    tinas = visit(make, crew, at(day, 9), crew.tina)

    shown = board(dispatcher, day, f"&technician={crew.tina.account_id}")
    week = text(dispatcher.get(f"/dispatch/week?start={day}&technician={crew.tina.account_id}"))

    assert list(shown.lanes) == [str(crew.tina.account_id)]
    assert list(shown.lanes[str(crew.tina.account_id)]) == [str(tinas)]
    assert '<th scope="row">Tina Ortiz</th>' in week
    assert '<th scope="row">Terry Tran</th>' not in week


# --- who may use it ---------------------------------------------------------------------------


def test_technicians_cannot_open_or_use_the_board(
    client: Client, make: Factory, admin: Connection, crew: Crew
):
    waiting = visit(make, crew)
    client.sign_in(crew.terry.email)

    for path in ("/dispatch", "/dispatch/week", f"/dispatch/visits/{waiting}/place"):
        assert client.get(path).status_code == 403, path
    placed = client.submit(
        f"/dispatch/visits/{waiting}/place", place_form(crew.terry, next_monday())
    )
    assert placed.status_code == 403
    assert booked(admin, waiting)["status"] == "unscheduled"


def test_another_companys_visit_is_404(make: Factory, admin: Connection, dispatcher: Client):
    other = make.tenant()
    theirs_tech = make.member(other.id, "technician")
    place = make.property(other.id, make.customer(other.id))
    theirs = make.visit(
        other.id,
        make.job(other.id, place),
        at(next_monday(), 9),
        technicians=(theirs_tech.account_id,),
    )
    before = booked(admin, theirs)

    assert dispatcher.get(f"/dispatch/visits/{theirs}/place").status_code == 404
    for action in ("place", "dispatch", "unschedule"):
        response = dispatcher.submit(
            f"/dispatch/visits/{theirs}/{action}", place_form(theirs_tech, next_monday())
        )
        assert response.status_code == 404, action
    assert booked(admin, theirs) == before


def test_a_change_elsewhere_shows_on_the_next_load_of_the_same_board(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    """The lanes are kept between loads while their rows stay the same (app/fragments.py): a
    customer renamed, a technician renamed or a visit moved by someone else shows at once."""
    day = next_monday()
    planned = visit(make, crew, at(day, 9), crew.terry)
    first = board(dispatcher, day)
    assert "Ruth Alvarez" in first.card(crew.terry, planned)
    assert board(dispatcher, day).lanes == first.lanes  # the same rows: the same lanes

    admin.execute("update customers set first_name = 'Rita' where tenant_id = %s", [crew.tenant.id])
    assert "Rita Alvarez" in board(dispatcher, day).card(crew.terry, planned)

    admin.execute(
        "update memberships set full_name = 'Terrence Tran' where account_id = %s",
        [crew.terry.account_id],
    )
    assert "Terrence Tran" in text(dispatcher.get(f"/dispatch?day={day.isoformat()}"))

    admin.execute(
        "update visit_assignments set technician_id = %s where visit_id = %s",
        [crew.tina.account_id, planned],
    )
    moved = board(dispatcher, day)
    assert moved.lanes[str(crew.terry.account_id)] == {}
    assert str(planned) in moved.lanes[str(crew.tina.account_id)]


def test_the_week_shows_a_change_on_its_next_load(
    make: Factory, admin: Connection, crew: Crew, dispatcher: Client
):
    monday = next_monday()
    visit(make, crew, at(monday, 9), crew.terry)
    week = f"/dispatch/week?start={monday.isoformat()}"
    assert "9:00 AM</time> Ruth Alvarez" in text(dispatcher.get(week))

    admin.execute("update customers set first_name = 'Rita' where tenant_id = %s", [crew.tenant.id])

    page = text(dispatcher.get(week))
    assert "9:00 AM</time> Rita Alvarez" in page
    assert "Ruth Alvarez" not in page
