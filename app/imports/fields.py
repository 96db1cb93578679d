"""The customer fields a CSV column can fill, and a first guess from the column's header."""

from __future__ import annotations

import re

IGNORE = ""
# value → label, in the order the mapping page offers them.
TARGETS: dict[str, str] = {
    IGNORE: "Ignore this column",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "company_name": "Company",
    "email": "Email",
    "phone": "Phone",
    "street": "Street",
    "unit": "Unit / apartment",
    "city": "City",
    "region": "State / province",
    "postal_code": "Postal code",
    "tags": "Tags",
    "lead_source": "Lead source",
    "notes": "Notes",
}
NAME_TARGETS = ("first_name", "last_name", "full_name", "company_name")

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "first", "fname", "firstname", "given name", "forename"),
    "last_name": ("last name", "last", "lname", "lastname", "surname", "family name"),
    "full_name": (
        "name",
        "full name",
        "fullname",
        "customer name",
        "customer",
        "contact name",
        "contact",
        "client",
        "client name",
    ),
    "company_name": (
        "company",
        "company name",
        "business",
        "business name",
        "organization",
        "organisation",
        "account name",
    ),
    "email": ("email", "e mail", "email address", "e mail address", "mail"),
    "phone": (
        "phone",
        "mobile",
        "cell",
        "telephone",
        "tel",
        "phone number",
        "mobile phone",
        "cell phone",
        "home phone",
        "primary phone",
        "mobile number",
    ),
    "street": (
        "address",
        "street",
        "address 1",
        "address1",
        "address line 1",
        "street address",
        "service address",
        "street 1",
    ),
    "unit": (
        "address 2",
        "address2",
        "address line 2",
        "unit",
        "apt",
        "apartment",
        "suite",
        "street 2",
    ),
    "city": ("city", "town", "service city"),
    "region": ("state", "province", "region", "st", "state province", "county"),
    "postal_code": (
        "zip",
        "zip code",
        "zipcode",
        "postal code",
        "postcode",
        "postal",
        "zip postal code",
    ),
    "tags": ("tags", "tag", "labels", "label", "categories"),
    "lead_source": ("lead source", "source", "referral source", "referred by", "how heard"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}
_EXACT = {synonym: target for target, words in _SYNONYMS.items() for synonym in words}
# Headers such as "Mobile Phone #" or "Primary Email Address": a telling word decides.
_WORDS = (
    ("email", "email"),
    ("phone", "phone"),
    ("mobile", "phone"),
    ("zip", "postal_code"),
    ("postal", "postal_code"),
    ("note", "notes"),
)


def normalize_header(header: str) -> str:
    """`E-Mail Address ` → `e mail address`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def guess(header: str) -> str:
    """The field a header most likely names, or IGNORE."""
    key = normalize_header(header)
    if key in _EXACT:
        return _EXACT[key]
    compact = key.replace(" ", "")
    return next((target for word, target in _WORDS if word in compact), IGNORE)


def guess_mapping(headers: list[str]) -> list[str]:
    """A guess per column; a field guessed twice goes to its first column only."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        target = guess(header)
        mapping.append(IGNORE if target in taken else target)
        taken.add(target)
    return mapping


def mapping_problem(mapping: list[str]) -> str | None:
    """Why a mapping cannot be used, or None."""
    chosen = [target for target in mapping if target != IGNORE]
    repeated = sorted({TARGETS[t] for t in chosen if chosen.count(t) > 1})
    if repeated:
        return f"Each field can come from one column only: {', '.join(repeated)}."
    if not any(target in NAME_TARGETS for target in chosen):
        return "Choose the column (or columns) holding the customer's name or company."
    return None
