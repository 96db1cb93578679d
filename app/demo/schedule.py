"""The demo company's schedule: a week of visits for its two technicians around today, from a
fixed seed. What ended before now is done (notes, ticked checklists),
what is under way is on site, the rest is booked; a few jobs wait in the queue. Like the demo
customers it is written by the database owner, each status change a legal one."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import sql
from app.db import Connection
from app.scheduling.service import DEFAULT_MINUTES

queries = sql.load(__file__)

SEED = 2031
DAY_STARTS, DAY_ENDS = time(8), time(17)
KIND_MIX = ["repair", "repair", "maintenance", "maintenance", "estimate"]
UNSIGNED = "Customer was out; the work was agreed by phone."
# (kind, the kinds of equipment it concerns, summary, description, completion notes, minutes
# when not the usual for the kind)
Work = tuple[str, tuple[str, ...], str, str, str, int | None]
WORK: list[Work] = [
    ("repair", ("furnace",), "No heat: furnace won't ignite",
     "Thermostat calls for heat, the inducer runs, no ignition. Breaker reset twice.",
     "Flame sensor heavily oxidized; cleaned it, 4.2 µA after. Three full cycles without a"
     " lockout. Advised a new filter.", None),
    ("repair", ("furnace",), "Furnace short-cycling",
     "Runs two minutes, shuts off, starts again. The house is not warming up.",
     "Clogged filter tripped the high limit. Replaced the filter; temperature rise 52°F, in"
     " spec.", None),
    ("repair", ("furnace",), "Furnace blowing cold air",
     "Blower runs but the air is cold; started this morning.",
     "Cracked hot surface igniter; replaced it and tested five cycles.", None),
    ("repair", ("boiler",), "Boiler losing pressure",
     "Pressure drops below 10 psi overnight; the customer tops it up every morning.",
     "Relief valve weeping. Replaced it and refilled to 15 psi; no drop after an hour.", None),
    ("repair", ("boiler",), "Radiators cold upstairs",
     "Second-floor radiators stay cold, first floor is fine.",
     "Air in the upstairs loop: bled four radiators, circulator running normally.", None),
    ("repair", ("heat_pump",), "Heat pump iced over",
     "Outdoor unit covered in ice, auxiliary heat running all day.",
     "Defrost sensor failed; replaced it and forced a defrost cycle. Coil clear.", None),
    ("repair", ("water_heater",), "No hot water",
     "Pilot keeps going out on the water heater.",
     "Thermocouple failed; replaced it. Pilot holding, water at 120°F.", None),
    ("repair", ("thermostat",), "Thermostat screen blank",
     "Thermostat went dark overnight; no heat since.",
     "C-wire loose at the furnace control board; reconnected and tested heat and fan.", None),
    ("repair", ("mini_split",), "Mini-split leaking water indoors",
     "Water dripping from the indoor head in the bedroom.",
     "Condensate line clogged with algae; cleared and flushed it.", None),
    ("maintenance", ("furnace", "boiler", "heat_pump"), "Heating tune-up",
     "Yearly heating check before the cold sets in.",
     "Tune-up done: burners cleaned, CO at 0 ppm in the living space, no cracks found,"
     " filter replaced.", None),
    ("maintenance", ("furnace",), "Furnace safety inspection",
     "New owners want the furnace checked before winter.",
     "Inspection passed. Venting sound, gas pressure in spec. Filter due in a month.", None),
    ("install", ("furnace",), "Replace furnace with a 96% AFUE unit",
     "The furnace is 22 years old; the customer approved the estimate.",
     "Old unit removed; new 96% furnace with PVC venting and condensate to the floor drain."
     " Startup checks passed; showed the customer the filter.", None),
    ("install", ("water_heater",), "Replace 40-gallon water heater",
     "Tank rusting at the base; replacing like for like.",
     "New 40-gallon tank installed with expansion tank; old one hauled away.", 180),
    ("install", ("thermostat",), "Install a smart thermostat",
     "Customer bought an ecobee and wants it wired and set up.",
     "Thermostat installed with a C-wire adapter, schedule set with the customer.", 90),
    ("estimate", (), "Estimate: central air for a house without ducts",
     "Hot bedrooms every summer; asking about options.",
     "Measured the house; quoting a three-zone mini-split and a ducted option.", None),
    ("estimate", ("air_conditioner",), "Estimate: replace 20-year-old air conditioner",
     "Wants a price before it fails next summer.",
     "R-22 unit. Quoting a 16 SEER2 condenser and coil; customer to decide by Friday.", None),
    ("estimate", (), "Estimate: whole-home humidifier",
     "Dry air and static shocks all winter.",
     "Quoted a bypass humidifier on the furnace.", None),
]  # fmt: skip
WAITING: list[tuple[str, str, str, str]] = [
    ("emergency", "repair", "No heat, elderly resident",
     "House at 58°F this morning. Daughter called; please come today."),
    ("high", "repair", "Carbon monoxide alarm went off",
     "Fire department cleared the house last night; furnace is off until checked."),
    ("normal", "estimate", "Estimate: furnace and AC replacement",
     "Both units from 2003; wants options and financing."),
    ("low", "maintenance", "Heating tune-up", "Asked for a Saturday if possible."),
]  # fmt: skip
NOTES = [
    "Dog in the backyard: use the side gate.",
    "Customer asked about the maintenance plan; left a brochure.",
    "Filter size written on the furnace door for next time.",
    "Parking is tight; the alley behind the house works.",
]


@dataclass(frozen=True)
class Counts:
    visits: int
    completed: int
    waiting: int
    agreements: int


@dataclass(frozen=True)
class House:
    customer_id: UUID
    property_id: UUID
    customer_name: str
    equipment: dict[str, UUID]  # by kind


def demo_days(today: date) -> list[date]:
    """The Friday before the demo week, the week (this one, or the coming one at a weekend),
    and the Monday after."""
    monday = today - timedelta(days=today.weekday())
    if today.weekday() >= 5:
        monday += timedelta(weeks=1)
    week = [monday + timedelta(days=n) for n in range(5)]
    return [monday - timedelta(days=3), *week, monday + timedelta(weeks=1)]


def add(
    conn: Connection, tenant_id: UUID, technicians: list[UUID], now: datetime | None = None
) -> Counts:
    """Create the demo schedule in the open transaction (the caller's claims name the actor)."""
    rng = random.Random(SEED)
    # The transaction's clock, which also stamps every row's created_at: nothing the demo moves
    # along happens after the rows it belongs to were made.
    now = now or _value(conn, queries.database_now)
    zone = ZoneInfo(_value(conn, queries.company_time_zone, tenant_id))
    houses = _houses(conn, tenant_id)
    rng.shuffle(houses)
    days = demo_days(now.astimezone(zone).date())
    busy = _time_off(conn, tenant_id, technicians, days, zone)
    visits = completed = 0
    for day in days:
        for technician in technicians:
            ends = busy.get((technician, day), DAY_ENDS)
            for starts, work in _day_plan(rng, day, ends, zone):
                house = _house_for(houses, work)
                visit = _book(conn, rng, tenant_id, house, work, technician, starts)
                completed += _move_along(conn, rng, tenant_id, visit, house, work, starts, now)
                visits += 1
    _cancel_one(conn, rng, tenant_id, now)
    waiting = _queue(conn, tenant_id, houses)
    agreements, generated = _agreements(conn, tenant_id, houses, now, zone)
    return Counts(visits, completed, waiting + generated, agreements)


def _value(conn: Connection, statement: str, *params: object) -> Any:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return next(iter(row.values()))


def _houses(conn: Connection, tenant_id: UUID) -> list[House]:
    """Every property with its customer and equipment, in an order fixed by the demo data."""
    rows = conn.execute(
        queries.properties_with_equipment,
        [tenant_id],
    ).fetchall()
    return [
        House(
            r["customer_id"],
            r["id"],
            r["display_name"],
            {k: UUID(v) for k, v in r["equipment"].items()},
        )
        for r in rows
    ]


def _time_off(
    conn: Connection, tenant_id: UUID, technicians: list[UUID], days: list[date], zone: ZoneInfo
) -> dict[tuple[UUID, date], time]:
    """The second technician's dentist appointment on the Thursday afternoon."""
    technician, thursday = technicians[-1], days[4]
    starts = datetime.combine(thursday, time(14), tzinfo=zone)
    conn.execute(
        queries.insert_time_off,
        [tenant_id, technician, starts, datetime.combine(thursday, DAY_ENDS, tzinfo=zone)],
    )
    return {(technician, thursday): time(14)}


def _day_plan(
    rng: random.Random, day: date, ends: time, zone: ZoneInfo
) -> list[tuple[datetime, Work]]:
    """Four or five visits one after the other, with travel between; an install only first."""
    start = datetime.combine(day, DAY_STARTS, tzinfo=zone) + timedelta(minutes=rng.choice([0, 30]))
    end = datetime.combine(day, ends, tzinfo=zone)
    plan: list[tuple[datetime, Work]] = []
    while len(plan) < 5:
        kind = "install" if not plan and rng.random() < 0.25 else rng.choice(KIND_MIX)
        fitting = [w for w in WORK if start + timedelta(minutes=_minutes(w)) <= end]
        # Late in the day only a short estimate may still fit.
        choices = [w for w in fitting if w[0] == kind] or [w for w in fitting if w[0] == "estimate"]
        if not choices:
            break
        work = rng.choice(choices)
        plan.append((start, work))
        start += timedelta(minutes=_minutes(work) + rng.choice([20, 30, 40, 45]))
        start += timedelta(minutes=-start.minute % 15)  # dispatchers book on the quarter hour
    return plan


def _minutes(work: Work) -> int:
    return work[5] or DEFAULT_MINUTES[work[0]]


def _house_for(houses: list[House], work: Work) -> House:
    """The next house that has the equipment the work concerns (any house for most estimates,
    or when none is left)."""
    for n, house in enumerate(houses):
        if not work[1] or set(work[1]) & set(house.equipment):
            return houses.pop(n)
    return houses.pop(0)


def _book(
    conn: Connection,
    rng: random.Random,
    tenant_id: UUID,
    house: House,
    work: Work,
    technician: UUID,
    starts: datetime,
) -> UUID:
    kind, concerns, summary, description, _, _ = work
    if kind == "repair":
        priority = "high" if summary.startswith("No ") else "normal"
    else:
        priority = "normal" if kind == "install" else rng.choice(["normal", "low"])
    job = _value(
        conn,
        queries.insert_job,
        tenant_id, house.customer_id, house.property_id, kind, priority, summary, description,
    )  # fmt: skip
    for equipment_kind in concerns:
        if equipment_kind in house.equipment:
            conn.execute(
                queries.insert_job_equipment,
                [tenant_id, job, house.equipment[equipment_kind]],
            )
    visit = _value(
        conn,
        queries.insert_visit,
        tenant_id, job, starts, starts + timedelta(hours=2), _minutes(work),
    )  # fmt: skip
    conn.execute(
        queries.insert_assignment,
        [tenant_id, visit, technician],
    )
    return UUID(str(visit))


def _move_along(
    conn: Connection,
    rng: random.Random,
    tenant_id: UUID,
    visit: UUID,
    house: House,
    work: Work,
    starts: datetime,
    now: datetime,
) -> int:
    """Dispatched, on the way, on site, completed: as far as the clock has got (1 if completed).
    The database stamps each change with the seeding time; the stamps are then set to when it
    would have happened."""
    ends = starts + timedelta(minutes=_minutes(work))
    today = now.astimezone(starts.tzinfo).date()
    steps = ["dispatched"] if starts.date() == today or starts <= now else []
    if starts <= now:
        steps += ["en_route", "on_site"] + (["completed"] if ends <= now else [])
    for status in steps:
        # No signer: a signature is a drawn image kept in the files port, which demo data has
        # not; a completed visit then says why nobody signed.
        done = status == "completed"
        conn.execute(
            queries.set_visit_status,
            [status, work[4] if done else "", UNSIGNED if done else "", tenant_id, visit],
        )
    arrived = min(starts + timedelta(minutes=rng.randint(0, 25)), now)
    conn.execute(
        queries.stamp_visit_times,
        {
            "booked": starts - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 6)),
            "dispatched": min(datetime.combine(today, time(7, 30), tzinfo=starts.tzinfo), now)
            if starts.date() == today
            else datetime.combine(starts.date(), time(7, 30), tzinfo=starts.tzinfo),
            "en_route": starts - timedelta(minutes=rng.choice([15, 20, 30])),
            "arrived": arrived,
            "done": min(arrived + timedelta(minutes=_minutes(work) + rng.randint(-10, 15)), now),
            "t": tenant_id,
            "v": visit,
        },
    )
    if "completed" not in steps:
        return 0
    _record_the_work(conn, rng, tenant_id, visit, arrived)
    return 1


def _record_the_work(
    conn: Connection, rng: random.Random, tenant_id: UUID, visit: UUID, arrived: datetime
) -> None:
    """What a finished visit leaves behind: its checklist ticked, its service records dated
    with the visit, sometimes a note."""
    params = {"t": tenant_id, "v": visit, "arrived": arrived}
    conn.execute(
        queries.tick_checklist,
        params,
    )
    conn.execute(
        queries.date_service_records,
        params,
    )
    if rng.random() < 0.4:
        conn.execute(
            queries.insert_visit_notes,
            params | {"body": rng.choice(NOTES)},
        )


def _cancel_one(conn: Connection, rng: random.Random, tenant_id: UUID, now: datetime) -> None:
    """One booked visit later in the week is called off, as happens."""
    later = conn.execute(
        queries.later_scheduled_visits,
        [tenant_id, now + timedelta(days=1)],
    ).fetchall()
    if later:
        conn.execute(
            queries.cancel_visit,
            [
                "Customer found the breaker tripped; works again.",
                tenant_id,
                rng.choice(later)["id"],
            ],
        )


def _queue(conn: Connection, tenant_id: UUID, houses: list[House]) -> int:
    """Jobs that came in and wait for a time: each with its unscheduled first visit."""
    for (priority, kind, summary, description), house in zip(WAITING, houses, strict=False):
        job = _value(
            conn,
            queries.insert_job,
            tenant_id, house.customer_id, house.property_id, kind, priority, summary, description,
        )  # fmt: skip
        conn.execute(
            queries.insert_waiting_visit,
            [tenant_id, job, DEFAULT_MINUTES[kind]],
        )
    del houses[: len(WAITING)]
    return len(WAITING)


def _agreements(
    conn: Connection, tenant_id: UUID, houses: list[House], now: datetime, zone: ZoneInfo
) -> tuple[int, int]:
    """Three maintenance plans, twice a year from this month; this month's tune-ups come from
    the database's own generator and wait in the queue."""
    today = now.astimezone(zone).date()
    months = sorted({today.month, (today.month + 5) % 12 + 1})
    names = ["Comfort Club", "Comfort Club", "Priority Plus"]
    for house, name in zip(houses, names, strict=False):
        conn.execute(
            queries.insert_agreement,
            [tenant_id, house.customer_id, house.property_id, name, months,
             today.replace(day=1), "Renews every year unless canceled."],
        )  # fmt: skip
    del houses[: len(names)]
    generated = _value(conn, queries.generate_maintenance_jobs, tenant_id, today)
    return len(names), int(generated)
