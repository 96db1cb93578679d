"""Checking each row of a file before anything is saved: the report a user reads."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from app import phones
from app.imports.csvfile import Record

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LIMITS = {
    "street": 200,
    "city": 100,
    "unit": 100,
    "region": 100,
    "postal_code": 20,
    "first_name": 200,
    "last_name": 200,
    "company_name": 200,
    "lead_source": 200,
    "notes": 5000,
}
LABELS = {
    "street": "street",
    "city": "city",
    "unit": "unit",
    "region": "state",
    "postal_code": "postal code",
    "first_name": "first name",
    "last_name": "last name",
    "company_name": "company",
    "lead_source": "lead source",
    "notes": "notes",
}


@dataclass
class Candidate:
    """A row that passed its own checks: the customer (and property) it would create."""

    line: int
    customer: dict[str, Any]
    property: dict[str, Any] | None = None


@dataclass
class Problem:
    line: int
    reason: str


@dataclass
class Checked:
    valid: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def split_name(full: str) -> tuple[str, str]:
    """`Jane Q. Doe` → (`Jane Q.`, `Doe`); `Doe, Jane` → (`Jane`, `Doe`)."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first.strip(), last.strip()) if first else (last.strip(), "")


def _values(record: Record, mapping: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, target in enumerate(mapping):
        if target and index < len(record.cells):
            values[target] = record.cells[index]
    if values.get("full_name") and not (values.get("first_name") or values.get("last_name")):
        values["first_name"], values["last_name"] = split_name(values["full_name"])
    return values


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in re.split(r"[,;|]", text) if t.strip()))


def candidate(record: Record, mapping: list[str]) -> Candidate | Problem:
    """The customer a row describes, or every reason it cannot be imported."""
    v = _values(record, mapping)
    reasons: list[str] = []
    first, last, company = (
        v.get("first_name", ""),
        v.get("last_name", ""),
        v.get("company_name", ""),
    )
    if not (first or last or company):
        reasons.append("No name: fill in a first or last name, or a company.")
    email = v.get("email", "").lower()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        reasons.append(f"{v['email']!r} is not a valid email address.")
    try:
        phone = phones.normalize(v.get("phone", ""))
    except phones.InvalidPhone as bad:
        phone = ""
        reasons.append(str(bad))
    reasons += [
        f"The {LABELS[k]} is longer than {n} characters."
        for k, n in LIMITS.items()
        if len(v.get(k, "")) > n
    ]
    street, city = v.get("street", ""), v.get("city", "")
    if bool(street) != bool(city):
        reasons.append("The address needs both a street and a city.")
    if reasons:
        return Problem(record.line, " ".join(reasons))
    customer = {
        "id": str(uuid.uuid4()),
        "kind": "commercial" if company and not (first or last) else "residential",
        "first_name": first,
        "last_name": last,
        "company_name": company,
        "email": email,
        "phone": phone,
        "tags": _tags(v.get("tags", "")),
        "lead_source": v.get("lead_source", ""),
        "notes": v.get("notes", ""),
    }
    place = None
    if street:
        place = {
            "id": str(uuid.uuid4()),
            "customer_id": customer["id"],
            "street": street,
            "unit": v.get("unit", ""),
            "city": city,
            "region": v.get("region", ""),
            "postal_code": v.get("postal_code", ""),
        }
    return Candidate(record.line, customer, place)


def check(records: list[Record], mapping: list[str]) -> Checked:
    """Each row on its own, then duplicates within the file (the first occurrence is kept)."""
    checked = Checked()
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        found = candidate(record, mapping)
        if isinstance(found, Problem):
            checked.problems.append(found)
            continue
        clash = _first_clash(found, seen)
        if clash:
            checked.problems.append(Problem(found.line, clash))
            continue
        for kind in ("email", "phone"):
            if found.customer[kind]:
                seen[(kind, found.customer[kind])] = found.line
        checked.valid.append(found)
    return checked


def _first_clash(found: Candidate, seen: dict[tuple[str, str], int]) -> str | None:
    for kind in ("email", "phone"):
        line = seen.get((kind, found.customer[kind])) if found.customer[kind] else None
        if line is not None:
            return f"Same {kind} as line {line}."
    return None


def without_existing(checked: Checked, existing: dict[tuple[str, str], str]) -> Checked:
    """Skips rows whose email or phone already belongs to one of the company's customers."""
    result = Checked(problems=list(checked.problems))
    for found in checked.valid:
        reason = None
        for kind in ("email", "phone"):
            value = found.customer[kind]
            name = existing.get((kind, value)) if value else None
            if name is not None:
                shown = phones.display(value) if kind == "phone" else value
                reason = f"A customer with the {kind} {shown} already exists ({name})."
                break
        if reason:
            result.problems.append(Problem(found.line, reason))
        else:
            result.valid.append(found)
    result.problems.sort(key=lambda p: p.line)
    return result
