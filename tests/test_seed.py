"""`flask seed demo`: the demo company with its staff, history and customers, made once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.demo import customers as demo_customers
from app.demo import pricebook as demo_pricebook
from app.demo import schedule as demo_schedule
from app.demo import seed


def test_the_demo_seed_is_complete_reproducible_and_idempotent(admin):
    assert seed.demo(admin) is True
    counts = seed.customers(admin)
    assert counts is not None and counts.customers == demo_customers.CUSTOMERS

    assert seed.demo(admin) is False
    assert seed.customers(admin) is None  # nothing added twice
    row = admin.execute(
        "select count(*) as customers,"
        " (select count(*) from public.properties) as properties,"
        " (select count(*) from public.equipment) as equipment,"
        " (select count(*) from public.memberships) as staff,"
        " min(display_name) as first_name"
        " from public.customers"
    ).fetchone()
    assert row is not None
    assert (row["customers"], row["properties"], row["equipment"], row["staff"]) == (
        200,
        counts.properties,
        counts.equipment,
        4,
    )
    assert row["first_name"] == "Aisha Johnson"  # the same names on every machine


def test_the_demo_history_verifies(admin, app):
    seed.demo(admin)
    seed.customers(admin)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


# --- the demo week ------------------------------------------------------------------------------


def seeded(admin):
    seed.demo(admin)
    seed.customers(admin)
    return admin.execute(
        "select t.id, t.time_zone from public.tenants t where t.name = %s", [seed.DEMO_COMPANY]
    ).fetchone()


def test_demo_days_are_the_week_around_today():
    wednesday, saturday = date(2026, 12, 2), date(2026, 12, 5)
    this_week = [date(2026, 11, 27), *(date(2026, 11, 30) + timedelta(days=n) for n in range(5))]
    assert demo_schedule.demo_days(wednesday) == [*this_week, date(2026, 12, 7)]
    # At a weekend the week shown is the coming one.
    assert demo_schedule.demo_days(saturday)[1:] == [
        *(date(2026, 12, 7) + timedelta(days=n) for n in range(5)),
        date(2026, 12, 14),
    ]


def test_each_demo_technician_has_a_full_week_without_overlaps(admin):
    company = seeded(admin)
    assert seed.schedule(admin) is None  # made once
    zone = ZoneInfo(company["time_zone"])
    days = demo_schedule.demo_days(datetime.now(zone).date())
    rows = admin.execute(
        "select m.email, (v.window_starts_at at time zone %(zone)s)::date as day, count(*) as n"
        " from public.visit_assignments a"
        " join public.memberships m on m.tenant_id = a.tenant_id and m.account_id = a.technician_id"
        " join public.visits v on v.tenant_id = a.tenant_id and v.id = a.visit_id"
        " where a.tenant_id = %(t)s and v.status <> 'canceled' group by 1, 2",
        {"t": company["id"], "zone": company["time_zone"]},
    ).fetchall()
    per_day = {(row["email"], row["day"]): row["n"] for row in rows}
    for email in ("tech1@acme.example", "tech2@acme.example"):
        visits = [per_day.get((email, day), 0) for day in days]
        assert all(2 <= n <= 5 for n in visits), (email, visits)
        assert sum(visits) >= 20
    assert set(per_day) == {
        (e, d) for e in ("tech1@acme.example", "tech2@acme.example") for d in days
    }
    clashes = admin.execute(
        "select count(*) as n from public.visit_assignments a join public.visit_assignments b"
        " on a.technician_id = b.technician_id and a.id < b.id and a.booked && b.booked"
    ).fetchone()
    outside_hours = admin.execute(
        "select count(*) as n from public.visit_assignments a where a.booked is not null and not"
        " app.technician_shift(a.tenant_id, a.technician_id,"
        " (lower(a.booked) at time zone %(zone)s)::date) @> a.booked",
        {"zone": company["time_zone"]},
    ).fetchone()
    assert (clashes, outside_hours) == ({"n": 0}, {"n": 0})


def test_the_demo_week_is_as_far_along_as_the_clock(admin):
    company = seeded(admin)
    visits = admin.execute(
        "select v.status, v.window_starts_at + make_interval(mins => v.duration_minutes) as ends,"
        " v.window_starts_at as starts, v.completion_notes, v.signed_by, v.arrived_at,"
        " v.completed_at, v.created_at,"
        " (select count(*) from public.visit_checklist_items i where i.visit_id = v.id"
        "  and i.done_at is null) as unticked"
        " from public.visits v where v.tenant_id = %s and v.window_starts_at is not null",
        [company["id"]],
    ).fetchall()
    seeded_at = visits[0]["created_at"]
    for visit in visits:
        if visit["status"] == "canceled":
            continue
        if visit["ends"] <= seeded_at:
            assert visit["status"] == "completed"
            assert visit["completion_notes"]
            assert visit["arrived_at"] < visit["completed_at"] <= seeded_at
            assert visit["unticked"] == 0
        elif visit["starts"] <= seeded_at:
            assert visit["status"] == "on_site"
        else:
            assert visit["status"] in ("scheduled", "dispatched")
    statuses = [visit["status"] for visit in visits]
    assert statuses.count("canceled") == 1
    assert statuses.count("completed") >= 8  # at least the Friday before the demo week
    history = admin.execute(
        "select count(*) as n from public.equipment_service_records r"
        " join public.visits v on v.id = r.visit_id where r.serviced_at = v.completed_at"
    ).fetchone()
    assert history is not None and history["n"] >= 5


def test_jobs_wait_in_the_queue_and_agreements_made_theirs(admin):
    company = seeded(admin)
    waiting = admin.execute(
        "select j.priority, j.summary, j.agreement_id is not null as from_agreement"
        " from public.visits v join public.jobs j on j.id = v.job_id"
        " where v.tenant_id = %s and v.status = 'unscheduled' order by j.summary",
        [company["id"]],
    ).fetchall()
    assert 5 <= len(waiting) <= 8
    assert [w["summary"] for w in waiting if w["priority"] == "emergency"] == [
        "No heat, elderly resident"
    ]
    assert sum(w["from_agreement"] for w in waiting) == 3
    agreements = admin.execute("select count(*) as n from public.service_agreements").fetchone()
    assert agreements == {"n": 3}


def test_the_demo_week_is_the_same_on_every_machine(admin):
    """Given the same clock, the same week: the seed fixes every choice."""
    company = seeded(admin)
    technicians = [
        row["account_id"]
        for row in admin.execute(
            "select account_id from public.memberships where role = 'technician' order by email"
        )
    ]
    monday = datetime(2027, 1, 13, 15, tzinfo=UTC)
    made = []
    for _ in range(2):
        with admin.transaction(force_rollback=True):
            admin.execute("delete from public.jobs")
            demo_schedule.add(admin, company["id"], technicians, now=monday)
            made.append(
                admin.execute(
                    "select j.summary, v.window_starts_at, v.status, c.display_name"
                    " from public.visits v join public.jobs j on j.id = v.job_id"
                    " join public.customers c on c.id = j.customer_id"
                    " order by v.window_starts_at, j.summary, c.display_name"
                ).fetchall()
            )
    assert made[0] == made[1]
    assert len(made[0]) > 50


# --- the demo price book ------------------------------------------------------------------------


def test_the_demo_price_book_is_complete_and_made_once(admin):
    company = seeded(admin)
    assert seed.price_book(admin) is None  # made with the customers, once
    kinds = admin.execute(
        "select kind, count(*) as n, count(archived_at) as archived from public.price_items"
        " where tenant_id = %s group by kind order by kind",
        [company["id"]],
    ).fetchall()
    assert [(k["kind"], k["n"], k["archived"]) for k in kinds] == [
        ("labour", len(demo_pricebook.LABOUR), 0),
        ("material", len(demo_pricebook.MATERIALS), 1),
        ("package", 2, 0),
        ("service", len(demo_pricebook.SERVICES), 0),
    ]
    assert 24 <= len(demo_pricebook.SERVICES) <= 30 and len(demo_pricebook.MATERIALS) >= 15
    categories = admin.execute(
        "select name from public.price_categories where tenant_id = %s order by name",
        [company["id"]],
    ).fetchall()
    assert [c["name"] for c in categories] == sorted(demo_pricebook.CATEGORIES)
    taxes = admin.execute(
        "select name, percent from public.tax_rates where tenant_id = %s order by percent desc",
        [company["id"]],
    ).fetchall()
    assert [(t["name"], str(t["percent"])) for t in taxes] == [
        ("Illinois state", "6.2500"),
        ("Chicago local (county, city, RTA)", "4.0000"),
    ]


def test_the_demo_book_prices_members_materials_labour_and_packages(admin):
    company = seeded(admin)

    def item(code: str) -> dict:
        row = admin.execute(
            "select i.*, c.name as category from public.price_items i"
            " join public.price_categories c on c.id = i.category_id"
            " where i.tenant_id = %s and i.code = %s",
            [company["id"], code],
        ).fetchone()
        assert row is not None, code
        return row

    tune_up = item("TUNE-F")
    assert (str(tune_up["price"]), str(tune_up["member_price"])) == ("129.00", "99.00")
    assert item("DIAG")["price"] == Decimal("89.00")
    assert item("REP-CAP")["member_discount_percent"] == Decimal("10.00")
    capacitor = item("CAP-455")  # 14.20 marked up 100%
    assert (capacitor["cost"], capacitor["price"]) == (Decimal("14.20"), Decimal("28.40"))
    assert (item("R410A")["unit"], item("R22")["archived_at"] is not None) == ("pound", True)
    assert (item("LAB-STD")["price"], item("LAB-AH")["price"]) == (
        Decimal("95.00"),
        Decimal("142.50"),
    )
    system = item("SYS-AC3-F80")
    assert (system["kind"], system["category"], system["price"]) == (
        "package",
        "Installs",
        Decimal("9850.00"),
    )
    parts = admin.execute(
        "select i.code, p.quantity from public.price_package_parts p"
        " join public.price_items i on i.id = p.item_id where p.package_id = %s"
        " order by p.position",
        [system["id"]],
    ).fetchall()
    assert [p["code"] for p in parts][:3] == ["EQ-AC3T", "EQ-F80", "EQ-COIL3T"]
    assert {p["code"]: p["quantity"] for p in parts}["LAB-STD"] == Decimal("16")
