"""`flask seed demo`: the demo company with its staff, history and customers, made once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app import money
from app.demo import customers as demo_customers
from app.demo import pricebook as demo_pricebook
from app.demo import schedule as demo_schedule
from app.demo import seed
from app.messaging.templates import KINDS, problems


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


# --- the demo money -----------------------------------------------------------------------------


def test_the_demo_estimates_are_in_every_status_and_made_once(admin):
    company = seeded(admin)
    assert seed.money(admin) is None  # made with the customers, once
    seed.customers(admin)
    rows = admin.execute(
        "select status, count(*) as n from public.estimates where tenant_id = %s group by status",
        [company["id"]],
    ).fetchall()
    assert {r["status"]: r["n"] for r in rows} == {
        "draft": 1,
        "sent": 2,  # one of them the revised estimate's second revision
        "viewed": 1,
        "approved": 1,
        "declined": 1,
        "expired": 1,
        "revised": 1,
    }
    revision = admin.execute(
        "select r.number = e.number as same_number, r.revision, r.status"
        " from public.estimates r join public.estimates e on e.id = r.revises_id"
    ).fetchall()
    assert revision == [{"same_number": True, "revision": 2, "status": "sent"}]
    approved = admin.execute(
        "select o.name, e.decline_reason, (select count(*) from public.estimate_options x"
        "  where x.estimate_id = e.id) as options"
        " from public.estimates e join public.estimate_options o on o.id = e.approved_option_id"
    ).fetchone()
    assert approved == {"name": "Replace", "decline_reason": "", "options": 3}
    declined = admin.execute(
        "select decline_reason from public.estimates where status = 'declined'"
    ).fetchone()
    assert declined is not None and declined["decline_reason"]
    expired = admin.execute(
        "select valid_until < current_date as past from public.estimates where status = 'expired'"
    ).fetchone()
    assert expired == {"past": True}


def test_demo_estimate_lines_are_copied_from_the_book(admin):
    seeded(admin)
    lines = admin.execute(
        "select l.description, l.unit_price, l.unit, l.taxable, i.name, i.price, i.member_price,"
        " i.member_discount_percent, i.unit as item_unit, i.taxable as item_taxable,"
        " exists (select from public.service_agreements a where a.customer_id = e.customer_id"
        "  and a.status = 'active') as member"
        " from public.estimate_lines l join public.estimates e on e.id = l.estimate_id"
        " join public.price_items i on i.id = l.price_item_id"
    ).fetchall()
    assert len(lines) >= 20
    for line in lines:
        price = line["price"]
        if line["member"]:
            price = money.member_price(
                price,
                member_price=line["member_price"],
                member_discount_percent=line["member_discount_percent"],
            )
        assert line["description"].split("\n")[0] == line["name"]
        assert (line["unit_price"], line["unit"], line["taxable"]) == (
            price,
            line["item_unit"],
            line["item_taxable"],
        )
    unpriced = admin.execute(
        "select count(*) as n from public.estimate_lines where price_item_id is null"
    ).fetchone()
    taxes = admin.execute(
        "select count(distinct estimate_id) as n from public.estimate_tax_rates"
    ).fetchone()
    estimates = admin.execute("select count(*) as n from public.estimates").fetchone()
    assert unpriced == {"n": 0} and taxes == estimates


def test_the_demo_invoices_are_in_every_status_with_offline_payments(admin):
    company = seeded(admin)
    rows = admin.execute(
        "select status, count(*) as n from public.invoices where tenant_id = %s group by status",
        [company["id"]],
    ).fetchall()
    assert {r["status"]: r["n"] for r in rows} == {
        "draft": 2,
        "sent": 5,
        "partly_paid": 3,
        "paid": 5,
        "void": 1,
    }
    totals = admin.execute(
        "select i.status, t.total, t.paid, t.balance from public.invoices i"
        " join public.invoice_totals t on t.invoice_id = i.id"
    ).fetchall()
    for t in totals:
        assert t["total"] > 0
        if t["status"] == "paid":
            assert t["balance"] == 0
        elif t["status"] == "partly_paid":
            assert 0 < t["paid"] < t["total"]
        else:
            assert t["paid"] == 0
    methods = admin.execute(
        "select method, count(*) as n, count(distinct received_on) as days,"
        " bool_and(method <> 'cheque' or reference ~ '[0-9]') as numbered"
        " from public.payments group by method order by method"
    ).fetchall()
    assert [m["method"] for m in methods] == ["bank_transfer", "card_terminal", "cash", "cheque"]
    assert all(m["numbered"] for m in methods)
    days = admin.execute("select count(distinct received_on) as n from public.payments").fetchone()
    assert days is not None and days["n"] >= 6


def test_demo_invoices_bill_completed_jobs_and_age_over_a_hundred_days(admin):
    company = seeded(admin)
    zone = ZoneInfo(company["time_zone"])
    today = datetime.now(zone).date()
    jobs = admin.execute(
        "select count(*) as n, bool_and(v.status = 'completed') as completed"
        " from public.invoices i join public.visits v on v.id = i.visit_id and v.job_id = i.job_id"
    ).fetchone()
    assert jobs == {"n": 8, "completed": True}
    issued = admin.execute(
        "select issued_on from public.invoices where job_id is null order by issued_on"
    ).fetchall()
    ages = {(today - row["issued_on"]).days for row in issued}
    assert {10, 40, 70, 100} <= ages or {11, 41, 71, 101} <= ages  # the seed may span midnight
    void = admin.execute("select void_reason, sent_at from public.invoices where status = 'void'")
    row = void.fetchone()
    assert row is not None and row["void_reason"] and row["sent_at"] is not None


def test_the_demo_money_is_made_once(admin):
    seeded(admin)
    counts = admin.execute(
        "select (select count(*) from public.estimates) as e,"
        " (select count(*) from public.invoices) as i, (select count(*) from public.payments) as p"
    ).fetchone()
    assert seed.money(admin) is None
    assert seed.customers(admin) is None
    again = admin.execute(
        "select (select count(*) from public.estimates) as e,"
        " (select count(*) from public.invoices) as i, (select count(*) from public.payments) as p"
    ).fetchone()
    assert counts == again == {"e": 8, "i": 16, "p": 8}


def test_the_demo_company_has_messaging_settings_without_keys_and_its_own_reminder(admin):
    seeded(admin)
    assert seed.messaging(admin) is False  # made once
    account = admin.execute(
        "select review_url, twilio_auth_token_encrypted, sendgrid_api_key_encrypted"
        " from public.messaging_accounts"
    ).fetchone()
    assert account is not None and account["review_url"].startswith("https://")
    assert account["twilio_auth_token_encrypted"] == account["sendgrid_api_key_encrypted"] == ""
    (own,) = admin.execute("select kind, sms_body from public.message_templates").fetchall()
    assert own["kind"] == "visit_reminder" and own["sms_body"] != KINDS["visit_reminder"].sms
    assert problems(KINDS["visit_reminder"], own["sms_body"]) == []
