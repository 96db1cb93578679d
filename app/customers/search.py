"""The customer list: one search box over names, company, email, phone (typed any way),
address, contacts and other numbers and emails, sorted by name or newest, in keyset pages so
that the last page of 100,000 customers costs what the first does."""

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
    " c.created_at, c.tags, c.do_not_contact, c.restrict_processing, c.do_not_service"
    " from public.customers c where {conditions} {order} limit {limit}"
)
# The first address and the number of properties, looked up for the page's rows only.
_WITH_ADDRESS = sql.SQL(
    "select c.*, p.street, p.unit, p.city, p.region, p.postal_code,"
    " coalesce(p.n, 0) as property_count"
    " from ({page}) c"
    # The window counts every property of the customer before the limit keeps the first.
    " left join lateral (select pp.street, pp.unit, pp.city, pp.region, pp.postal_code,"
    "   count(*) over () as n"
    "   from public.properties pp where pp.tenant_id = c.tenant_id and pp.customer_id = c.id"
    "   order by pp.created_at, pp.id limit 1) p on true"
    " {order}"
)
# Customers whose own text, a property's address, or a contact matches. ILIKE is not
# leakproof, so under row-level security the trigram indexes go unused; this helper matches as
# the table owner, limited to what the select policies allow (see its migration). It runs once
# per page, capped at DENSE_MATCHES ids: when fewer match, the page is sorted from those ids;
# when that many match (a common name, "elm"), fetching and sorting every match costs more than
# walking the list in its order and testing each customer until the page is full (the same
# matches, tested row by row, row-level security applying as usual). Either branch is skipped
# by the database itself, so a page costs one statement and one call of the helper.
DENSE_MATCHES = 2000
_MATCHED = sql.SQL(
    "with matched as materialized ("
    "  select m.id from app.customer_ids_matching(%(pattern)s, %(digits)s, %(address)s, {cap})"
    "  as m (id)),"
    " dense as (select count(*) >= {cap} as yes from matched)"
)
_SPARSE = sql.SQL("c.id in (select id from matched) and not (select yes from dense)")
_DENSE = sql.SQL("(select yes from dense) and {walk}")
_WALK_MATCHES = sql.SQL(
    "(c.search_text ilike %(pattern)s or c.search_text ilike %(digits)s"
    # `offset 0` keeps each EXISTS a probe of this customer's few rows; without it the planner
    # hashes every property of the company first (all of them read: LIKE cannot use an index).
    " or exists (select from public.properties pr where pr.tenant_id = c.tenant_id"
    "   and pr.customer_id = c.id and pr.search_text ilike %(address)s offset 0)"
    " or exists (select from public.customer_contacts ct where ct.tenant_id = c.tenant_id"
    "   and ct.customer_id = c.id and (ct.full_name || ' ' || ct.email || ' '"
    "   || regexp_replace(ct.phone, '[^0-9]', '', 'g'))"
    "   ilike any (array[%(pattern)s, %(digits)s]) offset 0)"
    # Their other numbers and addresses (and their contact people's).
    " or exists (select from public.customer_phones ph where ph.tenant_id = c.tenant_id"
    "   and ph.customer_id = c.id and ph.number ilike %(digits)s offset 0)"
    " or exists (select from public.customer_emails em where em.tenant_id = c.tenant_id"
    "   and em.customer_id = c.id and em.email ilike %(pattern)s offset 0))"
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


def search_statement(
    tenant_id: UUID, term: str, sort: str, after: Cursor | None
) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement for one page (also used by tests and benchmarks to see its plan)."""
    keyset, order = _ORDER[sort]
    conditions: list[sql.Composable] = [sql.SQL("c.tenant_id = %(tenant_id)s")]
    params: dict[str, Any] = {"tenant_id": tenant_id}
    if after is not None:
        conditions.append(keyset)
        params.update(after_key=after.key, after_id=after.id)
    if 0 < len(term) < MIN_TRIGRAM_LENGTH:
        # Too short for a trigram index: names starting with it, found walking the name order.
        conditions.append(sql.SQL("c.display_name ilike %(prefix)s"))
        params["prefix"] = _like(term)[1:]
    if len(term) < MIN_TRIGRAM_LENGTH:
        page = _page(conditions, order)
        return _WITH_ADDRESS.format(page=page, order=order), params
    params.update(_patterns(term))
    either = sql.SQL("({}) union all ({})").format(
        _page([*conditions, _SPARSE], order),
        _page([*conditions, _DENSE.format(walk=_WALK_MATCHES)], order),
    )
    matched = _MATCHED.format(cap=sql.Literal(DENSE_MATCHES))
    return sql.Composed(
        [matched, sql.SQL(" "), _WITH_ADDRESS.format(page=either, order=order)]
    ), params


def _page(conditions: list[sql.Composable], order: sql.Composable) -> sql.Composed:
    return _PAGE.format(
        conditions=sql.SQL(" and ").join(conditions), order=order, limit=sql.Literal(PAGE_SIZE + 1)
    )


def search(
    tenant_id: UUID, term: str, sort: str, after: Cursor | None
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of customers and the cursor of the next page (None at the end)."""
    statement, params = search_statement(tenant_id, term, sort, after)
    rows = db.connection().execute(statement, params, prepare=False).fetchall()
    page = rows[:PAGE_SIZE]
    if len(rows) <= PAGE_SIZE or not page:
        return page, None
    last = page[-1]
    key = last["display_name"] if sort == "name" else last["created_at"].isoformat()
    return page, Cursor(key, last["id"])
