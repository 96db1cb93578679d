"""Test data made with real inserts, as the database owner."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from psycopg import sql

from app import crypto
from app.auth.passwords import hash_password
from app.db import Connection

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """One real argon2id hash for the whole run (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Member:
    account_id: UUID
    membership_id: UUID
    tenant_id: UUID
    email: str
    full_name: str
    role: str


@dataclass(frozen=True)
class Tenant:
    id: UUID
    name: str
    owner: Member


class Factory:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def account(self, email: str | None = None, full_name: str | None = None) -> UUID:
        n = next(_sequence)
        row = self.conn.execute(
            "insert into iam.accounts (email, full_name, password_hash)"
            " values (%(email)s, %(name)s, %(hash)s) returning id",
            {
                "email": email or f"person{n}@example.com",
                "name": full_name or f"Person {n}",
                "hash": password_hash(),
            },
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def tenant(self, name: str | None = None) -> Tenant:
        n = next(_sequence)
        row = self.conn.execute(
            "insert into public.tenants (name) values (%(name)s) returning id",
            {"name": name or f"Company {n}"},
        ).fetchone()
        assert row is not None
        tenant_id = UUID(str(row["id"]))
        owner = self.member(tenant_id, "owner")
        return Tenant(tenant_id, name or f"Company {n}", owner)

    def member(
        self, tenant_id: UUID, role: str, account_id: UUID | None = None, status: str = "active"
    ) -> Member:
        account_id = account_id or self.account()
        row = self.conn.execute(
            "insert into public.memberships (tenant_id, account_id, full_name, email, role, status)"
            " select %(tenant)s, a.id, a.full_name, a.email, %(role)s, %(status)s"
            " from iam.accounts a where a.id = %(account)s"
            " returning id, email, full_name",
            {"tenant": tenant_id, "account": account_id, "role": role, "status": status},
        ).fetchone()
        assert row is not None
        return Member(
            account_id, UUID(str(row["id"])), tenant_id, row["email"], row["full_name"], role
        )

    def invitation(
        self,
        tenant_id: UUID,
        email: str | None = None,
        role: str = "technician",
        expires_in: timedelta = timedelta(days=7),
    ) -> tuple[UUID, str]:
        """An open invitation; returns (id, the token of its link)."""
        token = crypto.new_token()
        row = self.conn.execute(
            "insert into public.invitations (tenant_id, email, role, token_hash, expires_at)"
            " values (%(tenant)s, %(email)s, %(role)s, %(hash)s, %(expires)s) returning id",
            {
                "tenant": tenant_id,
                "email": email or f"invitee{next(_sequence)}@example.com",
                "role": role,
                "hash": crypto.token_hash(token),
                "expires": datetime.now(UTC) + expires_in,
            },
        ).fetchone()
        assert row is not None
        if expires_in != timedelta(days=7):  # the database stamps 7 days; a test may age it
            self.conn.execute(
                "update public.invitations set expires_at = %(expires)s where id = %(id)s",
                {"expires": datetime.now(UTC) + expires_in, "id": row["id"]},
            )
        return UUID(str(row["id"])), token

    def outbox_message(self, tenant_id: UUID | None, to: str = "someone@example.com") -> UUID:
        row = self.conn.execute(
            "insert into outbox.messages (tenant_id, kind, to_address, subject, body_text)"
            " values (%(tenant)s, 'test', %(to)s, 'Subject', 'Body') returning id",
            {"tenant": tenant_id, "to": to},
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    # --- customers, properties, equipment ---------------------------------------------------

    def customer(
        self,
        tenant_id: UUID,
        first_name: str = "Pat",
        last_name: str | None = None,
        *,
        email: str = "",
        phone: str = "",
        kind: str = "residential",
        company_name: str = "",
    ) -> UUID:
        row = self.conn.execute(
            "insert into public.customers (tenant_id, kind, first_name, last_name, company_name,"
            " email, phone) values (%(tenant)s, %(kind)s, %(first)s, %(last)s, %(company)s,"
            " %(email)s, %(phone)s) returning id",
            {
                "tenant": tenant_id,
                "kind": kind,
                "first": first_name,
                "last": last_name if last_name is not None else f"Customer{next(_sequence)}",
                "company": company_name,
                "email": email,
                "phone": phone,
            },
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def contact(self, tenant_id: UUID, customer_id: UUID, full_name: str = "Sam Site") -> UUID:
        row = self.conn.execute(
            "insert into public.customer_contacts (tenant_id, customer_id, full_name)"
            " values (%(tenant)s, %(customer)s, %(name)s) returning id",
            {"tenant": tenant_id, "customer": customer_id, "name": full_name},
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def property(
        self,
        tenant_id: UUID,
        customer_id: UUID,
        street: str = "12 Elm St",
        city: str = "Springfield",
    ) -> UUID:
        row = self.conn.execute(
            "insert into public.properties (tenant_id, customer_id, street, city, region,"
            " postal_code) values (%(tenant)s, %(customer)s, %(street)s, %(city)s, 'IL',"
            " '62701') returning id",
            {"tenant": tenant_id, "customer": customer_id, "street": street, "city": city},
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def equipment(self, tenant_id: UUID, property_id: UUID, kind: str = "furnace") -> UUID:
        row = self.conn.execute(
            "insert into public.equipment (tenant_id, property_id, kind, brand)"
            " values (%(tenant)s, %(property)s, %(kind)s, 'Carrier') returning id",
            {"tenant": tenant_id, "property": property_id, "kind": kind},
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def note(self, tenant_id: UUID, customer_id: UUID, body: str = "Prefers mornings.") -> UUID:
        row = self.conn.execute(
            "insert into public.customer_notes (tenant_id, customer_id, body)"
            " values (%(tenant)s, %(customer)s, %(body)s) returning id",
            {"tenant": tenant_id, "customer": customer_id, "body": body},
        ).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    # --- scheduling -------------------------------------------------------------------------

    def _insert(self, statement: str, params: dict[str, object]) -> UUID:
        row = self.conn.execute(statement, params).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def job(
        self,
        tenant_id: UUID,
        property_id: UUID,
        kind: str = "repair",
        summary: str = "No heat",
        equipment_ids: tuple[UUID, ...] = (),
    ) -> UUID:
        """A job at a property (its customer is the property's), naming some equipment."""
        job_id = self._insert(
            "insert into public.jobs (tenant_id, customer_id, property_id, kind, summary)"
            " select p.tenant_id, p.customer_id, p.id, %(kind)s, %(summary)s"
            " from public.properties p where p.tenant_id = %(tenant)s and p.id = %(property)s"
            " returning id",
            {"tenant": tenant_id, "property": property_id, "kind": kind, "summary": summary},
        )
        for equipment_id in equipment_ids:
            self.conn.execute(
                "insert into public.job_equipment (tenant_id, job_id, equipment_id)"
                " values (%s, %s, %s)",
                (tenant_id, job_id, equipment_id),
            )
        return job_id

    def visit(
        self,
        tenant_id: UUID,
        job_id: UUID,
        starts: datetime | None = None,
        *,
        hours: float = 2,
        minutes: int = 60,
        technicians: tuple[UUID, ...] = (),
    ) -> UUID:
        """A visit; with `starts` it is scheduled in a window of `hours` and booked on each
        technician (account ids) for `minutes` from the window's start."""
        visit_id = self._insert(
            "insert into public.visits (tenant_id, job_id, status, window_starts_at,"
            " window_ends_at, duration_minutes) values (%(tenant)s, %(job)s, %(status)s,"
            " %(starts)s, %(ends)s, %(minutes)s) returning id",
            {
                "tenant": tenant_id,
                "job": job_id,
                "status": "scheduled" if starts else "unscheduled",
                "starts": starts,
                "ends": starts + timedelta(hours=hours) if starts else None,
                "minutes": minutes,
            },
        )
        for technician_id in technicians:
            self.assign(tenant_id, visit_id, technician_id)
        return visit_id

    def visit_photo(self, tenant_id: UUID, visit_id: UUID, kind: str = "photo") -> UUID:
        """A photo (or signature) row of a visit, its file under the company's prefix (the
        bytes are the caller's to store, when it needs them)."""
        return self._insert(
            "insert into public.visit_files (tenant_id, visit_id, kind, storage_key,"
            " content_type, byte_size) values (%(tenant)s, %(visit)s, %(kind)s, %(key)s,"
            " 'image/jpeg', 2048) returning id",
            {
                "tenant": tenant_id,
                "visit": visit_id,
                "kind": kind,
                "key": f"{tenant_id}/visits/{visit_id}/{uuid4()}.jpg",
            },
        )

    def assign(self, tenant_id: UUID, visit_id: UUID, technician_id: UUID) -> UUID:
        return self._insert(
            "insert into public.visit_assignments (tenant_id, visit_id, technician_id)"
            " values (%(tenant)s, %(visit)s, %(technician)s) returning id",
            {"tenant": tenant_id, "visit": visit_id, "technician": technician_id},
        )

    def time_off(self, tenant_id: UUID, technician_id: UUID, starts: datetime) -> UUID:
        """A day of time off from `starts`."""
        return self._insert(
            "insert into public.time_off (tenant_id, technician_id, during)"
            " values (%(tenant)s, %(technician)s, tstzrange(%(starts)s, %(ends)s))"
            " returning id",
            {
                "tenant": tenant_id,
                "technician": technician_id,
                "starts": starts,
                "ends": starts + timedelta(days=1),
            },
        )

    def agreement(
        self, tenant_id: UUID, property_id: UUID, months: tuple[int, ...] = (4, 10)
    ) -> UUID:
        """A maintenance plan on the property's customer, starting today."""
        return self._insert(
            "insert into public.service_agreements (tenant_id, customer_id, property_id, name,"
            " months, starts_on) select p.tenant_id, p.customer_id, p.id, 'Comfort Club',"
            " %(months)s, current_date from public.properties p"
            " where p.tenant_id = %(tenant)s and p.id = %(property)s returning id",
            {"tenant": tenant_id, "property": property_id, "months": list(months)},
        )

    # --- price book -------------------------------------------------------------------------

    def price_category(self, tenant_id: UUID, name: str | None = None) -> UUID:
        return self._insert(
            "insert into public.price_categories (tenant_id, name) values (%(tenant)s, %(name)s)"
            " returning id",
            {"tenant": tenant_id, "name": name or f"Category {uuid4().hex[:8]}"},
        )

    def price_item(
        self,
        tenant_id: UUID,
        kind: str = "service",
        name: str = "Furnace tune-up",
        price: str = "129.00",
        **columns: object,
    ) -> UUID:
        """An item of the company's price book (other columns by name, e.g. code='TUNE')."""
        values = {"tenant_id": tenant_id, "kind": kind, "name": name, "price": price, **columns}
        statement = sql.SQL("insert into public.price_items ({}) values ({}) returning id").format(
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(map(sql.Placeholder, values)),
        )
        row = self.conn.execute(statement, values).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    def tax_rate(self, tenant_id: UUID, name: str = "State", percent: str = "6.25") -> UUID:
        return self._insert(
            "insert into public.tax_rates (tenant_id, name, percent)"
            " values (%(tenant)s, %(name)s, %(percent)s) returning id",
            {"tenant": tenant_id, "name": name, "percent": percent},
        )

    def package_part(self, tenant_id: UUID, package_id: UUID | None = None) -> UUID:
        """A labour line in a package (a new package unless one is given)."""
        package = package_id or self.price_item(tenant_id, "package", "3-ton system", "9800.00")
        labour = self.price_item(tenant_id, "labour", f"Labour {uuid4().hex[:6]}", "95.00")
        return self._insert(
            "insert into public.price_package_parts"
            " (tenant_id, package_id, item_id, item_kind, quantity)"
            " values (%(tenant)s, %(package)s, %(item)s, 'labour', 8) returning id",
            {"tenant": tenant_id, "package": package, "item": labour},
        )

    # --- estimates --------------------------------------------------------------------------

    def estimate(
        self,
        tenant_id: UUID,
        property_id: UUID | None = None,
        job_id: UUID | None = None,
        title: str = "Furnace replacement",
    ) -> UUID:
        """A draft estimate (for a new customer's property unless one is given), valid 30 days."""
        if property_id is None:
            property_id = self.property(tenant_id, self.customer(tenant_id))
        return self._insert(
            "insert into public.estimates (tenant_id, customer_id, property_id, job_id, title,"
            " valid_until, currency) select p.tenant_id, p.customer_id, p.id, %(job)s,"
            " %(title)s, current_date + 30, 'USD' from public.properties p"
            " where p.tenant_id = %(tenant)s and p.id = %(property)s returning id",
            {"tenant": tenant_id, "property": property_id, "job": job_id, "title": title},
        )

    def estimate_option(self, tenant_id: UUID, estimate_id: UUID, position: int = 0) -> UUID:
        return self._insert(
            "insert into public.estimate_options (tenant_id, estimate_id, position, name)"
            " values (%(tenant)s, %(estimate)s, %(position)s, %(name)s) returning id",
            {
                "tenant": tenant_id,
                "estimate": estimate_id,
                "position": position,
                "name": ("Good", "Better", "Best")[position % 3],
            },
        )

    # --- invoices ---------------------------------------------------------------------------

    def invoice(
        self,
        tenant_id: UUID,
        property_id: UUID | None = None,
        job_id: UUID | None = None,
        *,
        lines: tuple[str, ...] = (),
        status: str = "draft",
    ) -> UUID:
        """An invoice (for a new customer's property unless one is given) billed to its customer,
        with one line of each unit price in `lines` (quantity 1, untaxed), then sent when
        `status` is 'sent'."""
        if property_id is None:
            property_id = self.property(tenant_id, self.customer(tenant_id))
        invoice_id = self._insert(
            "insert into public.invoices (tenant_id, customer_id, property_id, job_id, issued_on,"
            " currency, bill_to_name, number) select p.tenant_id, p.customer_id, p.id, %(job)s,"
            " current_date, 'USD', 'Billed Customer', 0 from public.properties p"
            " where p.tenant_id = %(tenant)s and p.id = %(property)s returning id",
            {"tenant": tenant_id, "property": property_id, "job": job_id},
        )
        for price in lines:
            self.invoice_line(tenant_id, invoice_id, price)
        if status == "sent":
            self.conn.execute(
                "update public.invoices set status = 'sent', sent_at = now() where id = %s",
                [invoice_id],
            )
        return invoice_id

    def invoice_line(self, tenant_id: UUID, invoice_id: UUID, unit_price: str = "100.00") -> UUID:
        return self._insert(
            "insert into public.invoice_lines (tenant_id, invoice_id, description, quantity,"
            " unit_price, taxable) values (%(tenant)s, %(invoice)s, 'Service call', 1,"
            " %(price)s, false) returning id",
            {"tenant": tenant_id, "invoice": invoice_id, "price": unit_price},
        )
