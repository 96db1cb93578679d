"""One row of a customer file → the customer it describes (a Draft): name and kind, phones,
emails, service and billing address, contact person, tags, notes, flags. Bad values are left
out of the customer and flagged, never a reason to drop them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.imports import addresses, values
from app.imports.csvfile import Record
from app.imports.plan import Flag
from app.imports.references import name_key, street_key
from app.imports.values import Phone

PHONE_COLUMNS = {
    "phone": "",
    "phone_mobile": "mobile",
    "phone_home": "home",
    "phone_work": "work",
    "phone_other": "other",
    "phone_fax": "fax",
}
EMAIL_COLUMNS = {"email": "personal", "email_work": "work", "email_other": "other"}
COMMERCIAL = frozenset({"commercial", "business", "company", "yes", "y", "true", "1", "x", "org"})
RESIDENTIAL = frozenset({"residential", "residence", "home", "homeowner", "person", "individual"})
LIMITS = {"first_name": 200, "last_name": 200, "company_name": 200, "lead_source": 200}
NOTES_LIMIT = 5000


@dataclass
class Draft:
    """A customer as read from one or more rows; `flags` fields are final paths except those
    of phones and emails, bound to them until the primary is chosen."""

    lines: list[int]
    cells: list[str]
    data: dict[str, Any]
    phones: list[Phone] = field(default_factory=list)
    emails: list[tuple[str, str]] = field(default_factory=list)  # (email, kind)
    properties: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    value_flags: dict[str, list[Flag]] = field(default_factory=dict)  # number/email → flags
    parent: str = ""
    job: str = ""
    billing: addresses.Address = field(default_factory=addresses.Address)

    @property
    def label(self) -> str:
        d = self.data
        if d["kind"] == "commercial" and d["company_name"]:
            return str(d["company_name"])
        return f"{d['first_name']} {d['last_name']}".strip() or str(d["company_name"])

    @property
    def named(self) -> bool:
        return bool(self.label)


def at(flags: list[Flag], path: str) -> list[Flag]:
    return [Flag(path, f.value, f.note, f.kind) for f in flags]


class Row:
    """A record's cells by target: `one(t)` the first cell, `all(t)` every non-blank one
    (several phone columns), `typed()` the phone/email columns with their label's kind."""

    def __init__(self, record: Record, mapping: list[str]) -> None:
        self.cells: list[tuple[str, str]] = [
            (target, record.cells[i].strip())
            for i, target in enumerate(mapping)
            if target and i < len(record.cells)
        ]
        self.filled: dict[str, list[str]] = {}
        for target, cell in self.cells:
            if cell:
                self.filled.setdefault(target, []).append(cell)

    def one(self, target: str) -> str:
        found = self.filled.get(target)
        return found[0] if found else ""

    def all(self, target: str) -> list[str]:
        return self.filled.get(target, [])

    def typed(self, columns: dict[str, str], label_target: str) -> list[tuple[str, str, str]]:
        """(target, cell, kind): a `*_label` column gives the kind of the next such column."""
        found: list[tuple[str, str, str]] = []
        label = ""
        for target, cell in self.cells:
            if target == label_target:
                label = cell
            elif target in columns:
                kind = columns[target] or label_kind(label, columns)
                if cell:
                    found.append((target, cell, kind))
                label = ""
        return found


def label_kind(label: str, columns: dict[str, str]) -> str:
    """Google's "Mobile", "Work", "Home", "* Other" labels → our kinds."""
    word = label.strip(" *").lower()
    if "email" in "".join(columns):
        return {"work": "work", "home": "personal", "personal": "personal"}.get(word, "")
    kind = values.LABELS.get(word, "")
    return kind or ("mobile" if "mobile" in word or "cell" in word else "")


def _limited(data: dict[str, Any], flags: list[Flag]) -> None:
    for column, limit in LIMITS.items():
        if len(data[column]) > limit:
            flags.append(Flag(column, data[column], f"Cut to {limit} characters.", "repaired"))
            data[column] = data[column][:limit]


def _name(row: Row, flags: list[Flag]) -> tuple[dict[str, str], str, str]:
    """first/last/company, plus the QuickBooks parent and job the name may carry."""
    first, last = row.one("first_name"), row.one("last_name")
    company = row.one("company_name")  # a middle name column is not part of the name shown
    full, parent, job = row.one("full_name"), row.one("parent"), ""
    for text in (full, company):
        if ":" in text and not parent:
            parent, _, job = text.partition(":")
            parent, job = parent.strip(), job.strip()
    if full and ":" in full:
        full = full.partition(":")[0].strip()
    if company and ":" in company:
        company = company.partition(":")[0].strip()
    if full and not (first or last):
        if values.looks_like_business(full) or name_key(full) == name_key(company):
            company = company or full  # a business is never split into first and last
        else:
            name, found = values.person_name(full)
            first, last = name.first, name.last
            flags.extend(at(found, "first_name"))
    elif first and values.person_name(first)[0].honorific:
        name, found = values.person_name(f"{first} {last}".strip())
        first, last = name.first, name.last
        flags.extend(at(found, "first_name"))
    suffix = row.one("suffix")
    if suffix and not last.endswith(suffix):
        last = f"{last} {suffix}".strip()
    contact = row.one("contact_name")
    # only a contact person: they are the customer, unless the row names its customer by id
    # (a contacts file: the person is a contact of that customer)
    if not (first or last or company or row.one("source_id")) and contact:
        name, found = values.person_name(contact)
        first, last = name.first, name.last
        flags.extend(at(found, "first_name"))
    person = f"{first} {last}".strip()
    if person and not company and values.looks_like_business(person):
        flags.append(Flag("company_name", person, "A business: kept as the company name."))
        company, first, last = person, "", ""
    return {"first_name": first, "last_name": last, "company_name": company}, parent, job


def _kind(row: Row, names: dict[str, str]) -> str:
    said = row.one("customer_type").lower()
    if said in COMMERCIAL or any(w in said for w in ("commercial", "business", "company")):
        return "commercial"
    if said in RESIDENTIAL or said in ("no", "n", "false", "0"):
        return "residential"
    company = names["company_name"]
    if company and (not (names["first_name"] or names["last_name"])):
        return "commercial"
    return "commercial" if company and values.looks_like_business(company) else "residential"


def _phones(row: Row, draft: Draft, area_code: str) -> None:
    extension = re.sub(r"\D", "", row.one("phone_extension"))
    main_kind = label_kind(row.one("phone_kind"), PHONE_COLUMNS)  # "Phone type" of an export
    for target, cell, kind in row.typed(PHONE_COLUMNS, "phone_label"):
        if target == "phone" and not kind:
            kind = main_kind
        found, flags = values.phones_in(cell, kind or "other", area_code)
        if len(found) == 1:
            draft.value_flags.setdefault(found[0].number, []).extend(flags)
        else:
            draft.flags.extend(at(flags, target))
        for phone in found:
            if extension and not phone.extension:
                phone = Phone(phone.number, phone.kind, extension[:10])
                extension = ""
            add_phone(draft.phones, phone)


def add_phone(phones: list[Phone], phone: Phone) -> None:
    if not any(p.number == phone.number and p.extension == phone.extension for p in phones):
        phones.append(phone)


def _emails(row: Row, draft: Draft) -> None:
    for target, cell, kind in row.typed(EMAIL_COLUMNS, "email_label"):
        found, flags = values.emails_in(cell)
        if len(found) == 1:
            draft.value_flags.setdefault(found[0], []).extend(flags)
        else:
            draft.flags.extend(at(flags, target))
        for email in found:
            if email not in (e for e, _ in draft.emails):
                draft.emails.append((email, kind or "personal"))


def _address(row: Row, prefix: str) -> tuple[addresses.Address, list[Flag]]:
    cell = "\n".join(row.all(f"{prefix}address"))  # QuickBooks' "Bill to 1" … "Bill to 5"
    if cell:
        found, flags = addresses.address_in(cell)
    else:
        found, flags = addresses.Address(), []
    parts = {k: row.one(f"{prefix}{k}") for k in ("street", "unit", "city", "region")}
    parts["postal_code"] = row.one(f"{prefix}postal_code")
    parts["country"] = row.one(f"{prefix}country") if not prefix else ""
    if any(parts.values()):
        street_lines = [s.strip() for s in parts["street"].splitlines() if s.strip()]
        if len(street_lines) > 1 and not parts["unit"]:
            parts["street"], parts["unit"] = street_lines[0], " ".join(street_lines[1:])
        found = addresses.Address(**{k: v or getattr(found, k) for k, v in parts.items()})
    return found, flags


def one_line(place: addresses.Address) -> str:
    """`12 Elm St, Apt 4, Grafton, MA 01545` for the billing address kept as text."""
    tail = " ".join(p for p in (place.region, place.postal_code) if p)
    return ", ".join(p for p in (place.street, place.unit, place.city, tail) if p)[:500]


def _property(row: Row, draft: Draft, billing_is_a_place: bool) -> None:
    """The service address as a property (else the billing address, which in most exports is
    the home; not in Plenum's own, whose properties come in a file of their own)."""
    service, service_flags = _address(row, "")
    billing, billing_flags = _address(row, "billing_")
    draft.billing = addresses.cleaned(billing)[0] if billing else billing
    if not service and billing and not billing_is_a_place:
        draft.data["billing_address"] = one_line(draft.billing)
        return
    place, place_flags = (service, service_flags) if service else (billing, billing_flags)
    if not place:
        return
    place, by_field = addresses.cleaned(place)
    if not (place.street and place.city):
        missing = "a city" if place.street else "a street"
        note = f"The address needs {missing}: left out of the properties."
        draft.flags.append(Flag("properties", one_line(place), note, "left_out"))
        return
    flags = [f for f in place_flags] + [
        Flag(k, f.value, f.note, f.kind) for k, fs in by_field.items() for f in fs
    ]
    draft.properties.append(
        {
            "street": place.street[:200],
            "unit": place.unit[:100],
            "city": place.city[:100],
            "region": place.region[:100],
            "postal_code": place.postal_code[:20],
            "country": place.country if re.fullmatch(r"[A-Z]{2}", place.country) else "US",
            "label": (row.one("location_name") or draft.job)[:100],
            "source_id": row.one("location_id")[:200],
            **_building(row, flags),
            "_flags": flags,
        }
    )
    if service and billing and place_key(draft.billing) != place_key(place):
        draft.data["billing_address"] = one_line(draft.billing)


PROPERTY_TYPES = {
    "single family": "single_family", "house": "single_family", "multi family": "multi_family",
    "condo": "condo", "condominium": "condo", "townhouse": "townhouse",
    "mobile home": "mobile_home", "commercial": "commercial", "industrial": "industrial",
    "other": "other",
}  # fmt: skip
# what the table holds (its checks): square feet 1-10,000,000, built 1700-2100
BUILDING_NUMBERS = {"square_feet": (1, 10_000_000), "year_built": (1700, 2100)}


def _building(row: Row, flags: list[Flag]) -> dict[str, Any]:
    """The property's type, size, age and notes, when the file has them (a Plenum export)."""
    found: dict[str, Any] = {}
    kind = row.one("property_type")
    if kind:
        word = " ".join(re.sub(r"[^a-z]+", " ", kind.lower()).split())
        if word in PROPERTY_TYPES:
            found["property_type"] = PROPERTY_TYPES[word]
        else:
            flags.append(Flag("property_type", kind, "Not a property type: left out.", "left_out"))
    for column, (low, high) in BUILDING_NUMBERS.items():
        cell = re.sub(r"[,\s]", "", row.one(column))
        if not cell:
            continue
        if cell.isdigit() and low <= int(cell) <= high:
            found[column] = int(cell)
        else:
            note = f"Not a number from {low:,} to {high:,}: left out."
            flags.append(Flag(column, row.one(column), note, "left_out"))
    notes = "\n".join(row.all("property_notes")).strip()
    if notes:
        found["notes"] = notes[:NOTES_LIMIT]
    return found


def place_key(place: addresses.Address | dict[str, Any]) -> tuple[str, str, str]:
    """The same place however it is written: street, unit and city (`12 Elm Street` is
    `12 elm st`); the ZIP may have been repaired since."""
    get = place.get if isinstance(place, dict) else lambda k: getattr(place, k)
    return street_key(str(get("street"))), name_key(str(get("unit"))), name_key(str(get("city")))


def _contact(row: Row, draft: Draft, area_code: str) -> None:
    name = row.one("contact_name")
    if not name:
        name = f"{row.one('contact_first_name')} {row.one('contact_last_name')}".strip()
    commercial = draft.data["kind"] == "commercial"
    person = f"{draft.data['first_name']} {draft.data['last_name']}".strip()
    if name and _same_person(name, person):
        return  # QuickBooks' contact list names a person again as their own contact
    if not name and commercial and person:
        name = person  # Jobber, Outlook: the person of a company's row is its contact
        draft.data["first_name"] = draft.data["last_name"] = ""
    if not name:
        return
    contact: dict[str, Any] = {"full_name": name[:200], "title": row.one("contact_title")[:200]}
    index = len(draft.contacts)
    numbers: list[Phone] = []
    # the type and extension of the first "contact phone" column (a Plenum contacts export)
    main_kind = label_kind(row.one("contact_phone_kind"), PHONE_COLUMNS)
    extension = re.sub(r"\D", "", row.one("contact_phone_extension"))[:10]
    for target, kind in (("contact_mobile", "mobile"), ("contact_phone", "other")):
        for cell in row.all(target):
            typed = target == "contact_phone" and cell == row.one("contact_phone")
            found, flags = values.phones_in(cell, (typed and main_kind) or kind, area_code)
            draft.flags.extend(at(flags, f"contacts[{index}].phone"))
            for n, phone in enumerate(found):
                if typed and n == 0 and extension and not phone.extension:
                    phone = Phone(phone.number, phone.kind, extension)
                add_phone(numbers, phone)
    mails: list[str] = []
    for cell in row.all("contact_email"):
        found_mails, flags = values.emails_in(cell)
        draft.flags.extend(at(flags, f"contacts[{index}].email"))
        mails += [m for m in found_mails if m not in mails]
    draft.contacts.append(contact | contact_channels(numbers, mails))


def _same_person(name: str, person: str) -> bool:
    found, _ = values.person_name(name)
    return bool(person) and name_key(f"{found.first} {found.last}") == name_key(person)


def primary(phones: list[Phone]) -> tuple[Phone | None, list[Phone]]:
    """The number texts go to: the first mobile, else the first that is not a fax."""
    chosen = next((p for p in phones if p.kind == "mobile"), None)
    chosen = chosen or next((p for p in phones if p.kind != "fax"), None)
    return chosen, [p for p in phones if p is not chosen]


def contact_channels(numbers: list[Phone], mails: list[str]) -> dict[str, Any]:
    first, others = primary(numbers)
    return {
        "email": mails[0] if mails else "",
        "phone": first.number if first else "",
        "phone_kind": first.kind if first else "mobile",
        "phone_extension": first.extension if first else "",
        "phones": [vars(p) for p in others],
        "emails": [{"email": m, "kind": "work"} for m in mails[1:]],
    }


def draft_of(record: Record, mapping: list[str], options: dict[str, Any]) -> Draft:
    row = Row(record, mapping)
    flags: list[Flag] = []
    names, parent, job = _name(row, flags)
    notes = "\n".join(row.all("notes"))
    if len(notes) > NOTES_LIMIT:
        flags.append(Flag("notes", notes[:40], f"Cut to {NOTES_LIMIT} characters."))
    do_not_service, dns_flags = values.flag_in(row.one("do_not_service"))
    do_not_contact, dnc_flags = values.flag_in(row.one("do_not_contact"))
    data: dict[str, Any] = names | {
        "kind": _kind(row, names),
        "tags": [t for cell in row.all("tags") for t in values.tags_in(cell)],
        "lead_source": row.one("lead_source"),
        "notes": notes[:NOTES_LIMIT],
        "do_not_service": do_not_service,
        "do_not_contact": do_not_contact,
        "billing_address": "",
        "source_system": str(options.get("source_system") or "file"),
        "source_id": row.one("source_id")[:200],
    }
    flags += at(dns_flags, "do_not_service") + at(dnc_flags, "do_not_contact")
    _limited(data, flags)
    draft = Draft([record.line], record.cells, data, flags=flags, parent=parent, job=job)
    area_code = str(options.get("area_code") or "").strip()
    if not re.fullmatch(r"[2-9][0-9]{2}", area_code):
        area_code = ""  # the office's choice is checked by its form; never guess from junk
    _phones(row, draft, area_code)
    _emails(row, draft)
    _property(row, draft, options.get("source_system") != "plenum")
    _contact(row, draft, area_code)
    return draft
