"""What each kind of message says: the built-in wording, a company's own (public.message_templates),
the {variables} each kind may use, rendering, and an SMS's length in characters and segments.

A template names variables in braces, `{first_name}`; `{{` and `}}` are literal braces. Saving a
template that names a variable its kind does not offer is refused (`problems`), so rendering
never meets an unknown name."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app import db, sql

queries = sql.load(__file__)

COMMON = ("first_name", "company", "company_phone")


@dataclass(frozen=True)
class Kind:
    """A kind of message: its label, why it is sent (the database's `purpose`), the variables
    its templates may use with a sample value for previews, and its built-in wording."""

    name: str
    label: str
    purpose: str
    samples: dict[str, str]
    sms: str
    email_subject: str
    email_body: str
    urgent: bool = False

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.samples)


def _kind(
    name: str,
    label: str,
    purpose: str,
    samples: dict[str, str],
    sms: str,
    subject: str,
    body: str,
    urgent: bool = False,
) -> Kind:
    common = {
        "first_name": "Pat",
        "company": "Acme Heating & Air",
        "company_phone": "(312) 555-0100",
    }
    return Kind(name, label, purpose, common | samples, sms, subject, body, urgent)


WINDOW = {
    "window": "Tue Dec 8, 8:00-10:00 AM",
    "job": "Furnace tune-up",
    "visit_link": "https://plenum.example/visit/...",
}
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind(
            "booking_confirmation",
            "Booking confirmation",
            "transactional",
            WINDOW,
            "Hi {first_name}, {company} has you booked for {job} on {window}: {visit_link}"
            " Questions? Call {company_phone}.",
            "Your visit on {window}",
            "Hi {first_name},\n\n{company} has you booked for {job} on {window}.\n\n"
            "Your visit: {visit_link}\n\nQuestions? Call us at {company_phone}.",
        ),
        _kind(
            "visit_reminder",
            "Reminder the day before",
            "transactional",
            WINDOW,
            "Reminder: {company} will see you tomorrow, {window}, for {job}: {visit_link}"
            " Call {company_phone} to change it.",
            "See you tomorrow, {window}",
            "Hi {first_name},\n\nA reminder that {company} will see you tomorrow, {window},"
            " for {job}.\n\nYour visit: {visit_link}\n\nTo change it, call us at"
            " {company_phone}.",
        ),
        _kind(
            "on_my_way",
            "On my way",
            "transactional",
            # {eta} is ", arriving in about 25 minutes" when the travel time is known, else "".
            {"technician": "Sam", "eta": ", arriving in about 25 minutes"},
            "Hi {first_name}, {technician} from {company} is on the way{eta}.",
            "{technician} is on the way",
            "Hi {first_name},\n\n{technician} from {company} is on the way{eta}.\n\nQuestions?"
            " Call us at {company_phone}.",
            urgent=True,
        ),
        _kind(
            "visit_completed",
            "Visit completed",
            "transactional",
            {
                "job": "Furnace tune-up",
                "summary": "Cleaned burners, replaced filter.",
                "invoice_link": "https://plenum.example/invoice/…",
            },
            "{company}: your {job} is done. {summary} {invoice_link}",
            "Your {job} is done",
            "Hi {first_name},\n\nYour {job} is done.\n\n{summary}\n\n{invoice_link}\n\nThank"
            " you for choosing {company}.",
        ),
        _kind(
            "estimate_sent",
            "Estimate sent",
            "transactional",
            {
                "estimate": "EST-1001",
                "title": "Furnace replacement",
                "valid_until": "Tue, Jan 5, 2027",
                "estimate_link": "https://plenum.example/estimate/…",
            },
            "{company} sent you estimate {estimate}: {estimate_link}",
            "Your estimate {estimate} from {company}",
            "Hi {first_name},\n\n{company} sent you an estimate: {title}. See it, compare the"
            " options and approve the one you choose here (valid until {valid_until}):\n\n"
            "{estimate_link}\n\nQuestions? Call us at {company_phone}.",
        ),
        _kind(
            "invoice_sent",
            "Invoice sent",
            "transactional",
            {
                "invoice": "INV-1001",
                "balance": "$240.00",
                "due": "Tue, Dec 1, 2026",
                "invoice_link": "https://plenum.example/invoice/…",
            },
            "{company} sent you invoice {invoice}, {balance} due {due}: {invoice_link}",
            "Invoice {invoice} from {company}",
            "Hi {first_name},\n\n{company} sent you invoice {invoice}. Balance due: {balance},"
            " due on {due}.\n\nSee it, and keep it as a PDF, here:\n\n{invoice_link}\n\n"
            "Questions? Call us at {company_phone}.",
        ),
        _kind(
            "estimate_follow_up",
            "Estimate follow-up",
            "transactional",
            {"estimate": "EST-1001", "estimate_link": "https://plenum.example/estimate/…"},
            "Hi {first_name}, did you get a chance to look at estimate {estimate}? {estimate_link}",
            "Your estimate {estimate} is waiting",
            "Hi {first_name},\n\nDid you get a chance to look at estimate {estimate}?\n\n"
            "{estimate_link}\n\nWe are happy to answer any questions: {company_phone}.",
        ),
        _kind(
            "invoice_overdue",
            "Invoice overdue",
            "transactional",
            {
                "invoice": "INV-1001",
                "balance": "$240.00",
                "due": "Dec 1",
                "invoice_link": "https://plenum.example/invoice/…",
            },
            "{company}: invoice {invoice} ({balance}) was due {due}. Pay here: {invoice_link}",
            "Invoice {invoice} is overdue",
            "Hi {first_name},\n\nInvoice {invoice} for {balance} was due on {due}. You can"
            " pay it here:\n\n{invoice_link}\n\nQuestions? Call us at {company_phone}.",
        ),
        _kind(
            "review_request",
            "Review request",
            "marketing",
            {"review_link": "https://g.page/r/acme/review"},
            "Thanks for choosing {company}, {first_name}! Would you leave us a review?"
            " {review_link} Reply STOP to opt out.",
            "How did we do?",
            "Hi {first_name},\n\nThank you for choosing {company}. Would you tell others how"
            " we did?\n\n{review_link}",
        ),
    )
}


@dataclass(frozen=True)
class Template:
    kind: Kind
    enabled: bool
    sms: str
    email_subject: str
    email_body: str


def for_company(conn: db.Connection, tenant_id: UUID, kind: str) -> Template:
    """The company's wording of `kind` (the built-in one when it has not written its own)."""
    row = conn.execute(queries.message_template, {"tenant_id": tenant_id, "kind": kind}).fetchone()
    return of_row(kind, row)


def of_row(kind: str, row: Mapping[str, Any] | None) -> Template:
    """`kind` as a company's row of public.message_templates says it (None or a row of nulls:
    the built-in wording)."""
    known = KINDS[kind]
    if row is None or row["enabled"] is None:
        return Template(known, True, known.sms, known.email_subject, known.email_body)
    return Template(known, row["enabled"], row["sms_body"], row["email_subject"], row["email_body"])


def names(text: str) -> list[str]:
    """The variables `text` names, in order; ValueError for a brace that does not close."""
    return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]


def problems(kind: Kind, text: str) -> list[str]:
    """Why `text` cannot be a template of `kind` (unknown or malformed variables), or []."""
    try:
        named = names(text)
    except ValueError:
        return ["A brace is not closed: write {{ and }} for a brace itself."]
    unknown = sorted({n for n in named if n not in kind.samples})
    formatted = any(
        spec or conversion
        for _, field, spec, conversion in string.Formatter().parse(text)
        if field is not None
    )
    if "" in named or formatted or any(not n.isidentifier() for n in named if n):
        return ["Write a variable as {name}, e.g. {first_name}."]
    if unknown:
        offered = ", ".join(f"{{{v}}}" for v in kind.variables)
        return [f"Unknown variable {', '.join('{' + u + '}' for u in unknown)}: use {offered}."]
    return []


def render(text: str, values: dict[str, Any]) -> str:
    """`text` with its variables filled in (missing ones left empty), spaces tidied."""
    filled = text.format_map(_Blank(values))
    return "\n".join(" ".join(line.split()) for line in filled.splitlines()).strip()


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_7_EXTENDED = set("^{}\\[~]|€")


@dataclass(frozen=True)
class Length:
    characters: int
    segments: int
    encoding: str  # "GSM-7" or "UCS-2" (any character outside GSM-7, e.g. an emoji or an en dash)


def sms_length(text: str) -> Length:
    """How many characters and SMS segments `text` takes: GSM-7 fits 160 in one segment and 153
    per segment when split; anything else is UCS-2, 70 and 67 (counted in UTF-16 units)."""
    if all(c in GSM_7 or c in GSM_7_EXTENDED for c in text):
        units = sum(2 if c in GSM_7_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 0 if units == 0 else 1 if units <= single else -(-units // part)
    return Length(len(text), segments, encoding)
