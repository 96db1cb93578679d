"""The audit viewer: owners and admins search the log and read a record's history (P-07)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import Client

pytestmark = pytest.mark.promise("P-07")


def text(response) -> str:
    return response.get_data(as_text=True)


def entries(page: str) -> int:
    return page.count('class="card entry"')


def test_a_role_change_shows_who_changed_what_from_what_to_what(client: Client, make):
    tenant = make.tenant("Arctic Air")
    tech = make.member(tenant.id, "technician")
    client.sign_in(tenant.owner.email)
    client.submit(f"/team/members/{tech.membership_id}/role", {"role": "dispatcher"})

    page = text(client.get("/audit?operation=update&table=public.memberships"))

    assert entries(page) == 1
    assert tenant.owner.full_name in page and f"Changed Team member {tech.full_name}" in page
    row = re.search(r"<th scope=\"row\">Role</th><td>(.*?)</td><td>(.*?)</td>", page)
    assert row is not None
    assert row.groups() == ("Technician", '<span aria-hidden="true">→ </span>Dispatcher')


def test_filters_narrow_the_log(client: Client, make):
    tenant = make.tenant()
    first = make.member(tenant.id, "technician")
    make.member(tenant.id, "office")
    client.sign_in(tenant.owner.email)
    client.submit(f"/team/members/{first.membership_id}/remove")

    everything = entries(text(client.get("/audit")))
    removals = text(client.get("/audit?operation=update&actor=" + str(tenant.owner.account_id)))
    by_nobody_here = text(client.get(f"/audit?actor={first.account_id}"))
    invitations = text(client.get("/audit?table=public.invitations"))

    assert everything >= 4  # the company, its owner, two members, the removal
    assert entries(removals) == 1 and "→ </span>Removed</td>" in removals
    assert entries(by_nobody_here) == 0 and "Nothing matches these filters." in by_nobody_here
    assert entries(invitations) == 0


def test_pages_follow_each_other_without_gaps_or_repeats(client: Client, make, admin):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    admin.execute(
        "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
        " select %(tenant)s, 'p' || n || '@example.com', 'office',"
        " sha256(convert_to(n::text, 'UTF8')), now() + interval '1 day'"
        " from generate_series(1, 120) n",
        {"tenant": tenant.id},
    )
    seen: list[str] = []
    url = "/audit?table=public.invitations"
    pages = 0
    while url:
        page = text(client.get(url))
        seen += re.findall(r"Added Invitation p(\d+)@example\.com", page)
        older = re.search(r'<a href="([^"]+)">Older</a>', page)
        url = older.group(1).replace("&amp;", "&") if older else ""
        pages += 1
    assert pages == 3
    assert sorted(map(int, seen)) == list(range(1, 121))  # each invitation exactly once


def test_dates_are_whole_days_in_the_companys_time_zone(client: Client, make, admin):
    tenant = make.tenant()
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago' where id = %(id)s",
        {"id": tenant.id},
    )
    # 03:30 UTC on 2 March is still 1 March in Chicago (UTC-6).
    late_evening = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    admin.execute(
        "insert into audit.changes (tenant_id, txid, table_name, row_key, operation,"
        " new_values, changed_at) values (%(tenant)s, pg_current_xact_id(), 'public.tenants',"
        " %(tenant)s, 'update', '{\"name\": \"Late change\"}', %(at)s)",
        {"tenant": tenant.id, "at": late_evening},
    )
    client.sign_in(tenant.owner.email)

    first_of_march = text(client.get("/audit?starts=2026-03-01&ends=2026-03-01"))
    second_of_march = text(client.get("/audit?starts=2026-03-02&ends=2026-03-02"))

    assert "Late change" in first_of_march and "Sun, Mar 1, 2026 · 9:30 PM" in first_of_march
    assert "Late change" not in second_of_march


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("starts=2026-03-05&ends=2026-03-01", "The end date is before the start date."),
        ("starts=yesterday", "Not a valid date value."),
        ("operation=erase", "Not a valid choice"),
    ],
)
def test_bad_filters_are_explained_not_crashed_on(client: Client, make, query, message):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    response = client.get(f"/audit?{query}")
    assert response.status_code == 422
    assert message in text(response)


def test_a_garbled_page_cursor_starts_from_the_newest(client: Client, make):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    assert client.get("/audit?after=not-a-cursor").status_code == 200


def test_a_records_history_is_complete_and_reading_it_is_recorded(client: Client, make, admin):
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    client.sign_in(tenant.owner.email)
    for role in ("office", "dispatcher"):
        client.submit(f"/team/members/{tech.membership_id}/role", {"role": role})

    page = text(client.get(f"/audit/records/public.memberships/{tech.membership_id}"))

    assert page.count('class="card entry"') == 3  # added, changed twice
    assert page.index("Added") < page.index("Changed")
    viewed = admin.execute(
        "select actor_id, new_values from audit.changes where operation = 'access'"
        " and row_key = %(key)s",
        {"key": str(tech.membership_id)},
    ).fetchall()
    assert [(v["actor_id"], v["new_values"]["view"]) for v in viewed] == [
        (tenant.owner.account_id, "audit history")
    ]


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["dispatcher", "office", "technician"])
def test_only_owners_and_admins_reach_the_log(client: Client, make, role):
    tenant = make.tenant()
    member = make.member(tenant.id, role)
    client.sign_in(member.email)
    assert client.get("/audit").status_code == 403
    assert client.get(f"/audit/records/public.tenants/{tenant.id}").status_code == 403
    assert "Audit log" not in text(client.get("/"))


def test_admins_read_the_log_too(client: Client, make):
    tenant = make.tenant()
    admin_member = make.member(tenant.id, "admin")
    client.sign_in(admin_member.email)
    page = text(client.get("/audit"))
    assert entries(page) >= 2


def test_dates_at_the_end_of_the_calendar_are_refused_not_crashed_on(client: Client, make):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    response = client.get("/audit?ends=9999-12-31")
    assert response.status_code == 422
    assert "Choose a date between the years 1900 and 2999." in text(response)


def test_changes_read_as_words_with_the_records_name(client: Client, make, admin):
    """Each entry names its record ("Job No heat at 12 Elm St", "Visit on …"), labels its
    fields and formats values (enum labels, dates and times in the company's zone, yes/no)."""
    tenant = make.tenant()
    customer = make.customer(tenant.id, "Jane", "Doe")
    prop = make.property(tenant.id, customer, street="12 Elm St")
    job = make.job(tenant.id, prop, "repair", "No heat")
    visit = make.visit(tenant.id, job)
    admin.execute(
        "update public.visits set status = 'scheduled', window_starts_at = %(at)s,"
        " window_ends_at = %(at)s::timestamptz + interval '2 hours' where id = %(id)s",
        {"at": datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "id": visit},  # 9 AM in New York
    )
    admin.execute("update public.jobs set priority = 'emergency' where id = %s", [job])
    admin.execute("update public.customers set do_not_contact = true where id = %s", [customer])
    client.sign_in(tenant.owner.email)

    page = text(client.get("/audit?operation=update"))

    assert "Changed Customer Jane Doe" in page
    assert "Changed Job No heat at 12 Elm St" in page
    assert "Changed Visit on Tue, Dec 8, 2026 · 9:00 AM" in page
    before = r"<td>[^<]*(?:<[^>]+>[^<]*</[^>]+>)?[^<]*</td>"
    after = r'<td>(?:<span aria-hidden="true">→ </span>)?([^<]*)</td>'
    fields = dict(re.findall(r'<th scope="row">([^<]+)</th>' + before + after, page))
    assert fields["Priority"] == "Emergency"
    assert fields["Status"] == "Scheduled"
    assert fields["Arrival window from"] == "Tue, Dec 8, 2026 · 9:00 AM"
    assert fields["Do not contact"] == "Yes"
    assert "window_starts_at" not in page and "do_not_contact" not in page
    added = text(client.get("/audit?operation=insert&table=public.visits"))
    assert "Job No heat at 12 Elm St" in added  # a reference reads as the record it names
    assert str(job) not in added


def test_the_what_filter_covers_every_audited_table(client: Client, make, admin):
    """The choices come from the catalog: every table with the audit trigger, each in words."""
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    audited = {
        row["name"]
        for row in admin.execute(
            "select format('%I.%I', n.nspname, c.relname) as name from pg_trigger t"
            " join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace"
            " where t.tgname = 'audit_changes'"
        ).fetchall()
    }
    page = text(client.get("/audit"))
    what = page[page.index('id="table"') : page.index("</select>", page.index('id="table"'))]
    offered = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', what))
    assert {
        "public.jobs",
        "public.visits",
        "public.service_agreements",
        "public.time_off",
    } <= audited
    assert set(offered) == audited
    assert offered["public.service_agreements"] == "Maintenance plan"
    assert offered["public.visits"] == "Visit"
    assert all("_" not in label and "." not in label for label in offered.values())
