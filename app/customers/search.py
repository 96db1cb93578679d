"""The customer list: one search box over names, company, email, phone (typed any way),
address and contacts, sorted by name or newest, in keyset pages so that the last page of
100,000 customers costs what the first does."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from app import db, phones

PAGE_SIZE = 50
# Statements are planned per call (prepare=False), as in app/audit/search.py: a generic plan
# costed for an average company can pick the wrong index for a rare phone number or a big one.
PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
MIN_PHONE_DIGITS = 3
MIN_TRIGRAM_LENGTH = 3

_PAGE = sql.SQL(
    "select c.tenant_id, c.id, c.kind, c.display_name, c.company_name, c.email, c.phone,"
    " c.created_at, c.tags, c.do_not_contact, c.restrict_processing"
    " from public.customers c where {conditions} {order} limit {limit}"
)
# The first address and the number of properties, looked up for the page's rows only.
_WITH_ADDRESS = sql.SQL(
    "select c.*, p.street, p.unit, p.city, p.region, p.postal_code,"
    " coalesce(pc.n, 0) as property_count"
    " from ({page}) c"
    " left join lateral (select pp.street, pp.unit, pp.city, pp.region, pp.postal_code"
    "   from public.properties pp where pp.tenant_id = c.tenant_id and pp.customer_id = c.id"
    "   order by pp.created_at, pp.id limit 1) p on true"
    " left join lateral (select count(*) as n from public.properties pn"
    "   where pn.tenant_id = c.tenant_id and pn.customer_id = c.id) pc on true"
    " {order}"
)
# Customers whose own text, a property's address, or a contact matches. ILIKE is not
# leakproof, so under row-level security the trigram indexes go unused; this helper matches as
# the table owner, limited to what the select policies allow (see its migration).
_MATCHES = sql.SQL(
    "c.id in (select app.customer_ids_matching(%(pattern)s, %(digits)s, %(address)s, null))"
)
# When a term matches a large share of the company (a common name, "elm"), fetching and sorting
# every match costs more than walking the list in its order and testing each customer until the
# page is full: the same matches, tested row by row (row-level security applies as usual).
DENSE_MATCHES = 2000
_COUNT_MATCHES = sql.SQL(
    "select count(*) as n from app.customer_ids_matching("
    "%(pattern)s, %(digits)s, %(address)s, {cap})"
).format(cap=sql.Literal(DENSE_MATCHES))
_WALK_MATCHES = sql.SQL(
    "(c.search_text ilike %(pattern)s or c.search_text ilike %(digits)s"
    # `offset 0` keeps each EXISTS a probe of this customer's few rows; without it the planner
    # hashes every property of the company first (all of them read: LIKE cannot use an index).
    " or exists (select from public.properties pr where pr.tenant_id = c.tenant_id"
    "   and pr.customer_id = c.id and pr.search_text ilike %(address)s offset 0)"
    " or exists (select from public.customer_contacts ct where ct.tenant_id = c.tenant_id"
    "   and ct.customer_id = c.id and (ct.full_name || ' ' || ct.email || ' '"
    "   || regexp_replace(ct.phone, '[^0-9]', '', 'g'))"
    "   ilike any (array[%(pattern)s, %(digits)s]) offset 0))"
)


_ORDER = {
    "name": (
        sql.SQL("(c.display_name, c.id) > (%(after_key)s, %(after_id)s)"),
        sql.SQL("order by c.display_name, c.id"),
    ),
    # Newest first, ties by id ascending: the order of the (tenant_id, created_at desc, id)
    # index, whose range the first condition bounds.
    "newest": (
        sql.SQL(
            "c.created_at <= %(after_key)s::timestamptz and"
            " (c.created_at < %(after_key)s::timestamptz or c.id > %(after_id)s)"
        ),
        sql.SQL("order by c.created_at desc, c.id"),
    ),
}


@dataclass(frozen=True)
class Cursor:
    """The last customer of the page before (its sort value and id): the next page follows it."""

    key: str
    id: UUID

    def token(self) -> str:
        return base64.urlsafe_b64encode(json.dumps([self.key, str(self.id)]).encode()).decode()

    @classmethod
    def parse(cls, token: str | None, sort: str) -> Cursor | None:
        """The cursor in a page link, or None (first page) when it is missing or was altered."""
        if not token:
            return None
        try:
            key, row_id = json.loads(base64.urlsafe_b64decode(token.encode()))
            key = str(key)
            if sort == "newest":  # only the form PostgreSQL reads back, whatever Python accepts
                moment = datetime.fromisoformat(key)
                # A time PostgreSQL cannot hold (before year 1 or past 9999 in UTC) is forged.
                key = moment.astimezone(UTC).isoformat() if moment.tzinfo else moment.isoformat()
            key.encode("utf-8")  # a lone surrogate cannot be sent to the database
            cursor = cls(key, UUID(str(row_id)))
        except (ValueError, TypeError, OverflowError):
            return None
        return None if "\x00" in cursor.key else cursor


def _like(*parts: str) -> str:
    """`%a%b%`: the parts in order, with the wildcards of LIKE in them taken literally."""
    escaped = (p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for p in parts)
    return "%" + "%".join(escaped) + "%"


def _patterns(term: str) -> dict[str, Any]:
    """LIKE patterns: the text, its phone digits (or the text again), its words for addresses."""
    text = " ".join(term.lower().split())
    digits = phones.digits(text) if PHONE_LIKE.match(text) else ""
    # Addresses are stored with blank parts ("12 elm st  springfield"): words in order match.
    words = text.replace(",", " ").split()
    return {
        "pattern": _like(text),
        "digits": _like(digits) if len(digits) >= MIN_PHONE_DIGITS else _like(text),
        "address": _like(*(words or [text])),
    }


def count_statement(term: str) -> tuple[sql.Composed, dict[str, Any]] | None:
    """How many customers a term matches, up to DENSE_MATCHES; None when it is too short."""
    if len(term) < MIN_TRIGRAM_LENGTH:
        return None
    return _COUNT_MATCHES, _patterns(term)


def is_dense(count: int | None) -> bool:
    """Whether so many customers match that walking the list is cheaper than sorting them."""
    return count is not None and count >= DENSE_MATCHES


def count_matches(term: str) -> int | None:
    counting = count_statement(term)
    if counting is None:
        return None
    row = db.connection().execute(*counting, prepare=False).fetchone()
    return int(row["n"]) if row else 0


def search_statement(
    tenant_id: UUID, term: str, sort: str, after: Cursor | None, dense: bool = False
) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement for one page (also used by tests and benchmarks to see its plan)."""
    keyset, order = _ORDER[sort]
    conditions: list[sql.Composable] = [sql.SQL("c.tenant_id = %(tenant_id)s")]
    params: dict[str, Any] = {"tenant_id": tenant_id}
    if 0 < len(term) < MIN_TRIGRAM_LENGTH:
        # Too short for a trigram index: names starting with it, found walking the name order.
        conditions.append(sql.SQL("c.display_name ilike %(prefix)s"))
        params["prefix"] = _like(term)[1:]
    elif term:
        conditions.append(_WALK_MATCHES if dense else _MATCHES)
        params.update(_patterns(term))
    if after is not None:
        conditions.append(keyset)
        params.update(after_key=after.key, after_id=after.id)
    page = _PAGE.format(
        conditions=sql.SQL(" and ").join(conditions),
        order=order,
        limit=sql.Literal(PAGE_SIZE + 1),
    )
    statement = _WITH_ADDRESS.format(page=page, order=order)
    return statement, params


def search(
    tenant_id: UUID, term: str, sort: str, after: Cursor | None
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of customers and the cursor of the next page (None at the end)."""
    dense = is_dense(count_matches(term))
    statement, params = search_statement(tenant_id, term, sort, after, dense)
    rows = db.connection().execute(statement, params, prepare=False).fetchall()
    page = rows[:PAGE_SIZE]
    if len(rows) <= PAGE_SIZE or not page:
        return page, None
    last = page[-1]
    key = last["display_name"] if sort == "name" else last["created_at"].isoformat()
    return page, Cursor(key, last["id"])
