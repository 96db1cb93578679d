"""A first guess of the field each column fills, from its header, for any kind of import
(each kind's targets and synonyms); and the old customer import's fields (TARGETS, kept until
the engine switches to app.imports.kinds)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.imports.plan import Target

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


# Single words that name a field wherever they appear in a header ("Mobile Phone #", "Zip 4");
# other single words only as the whole header ("Customer" is a name, "Customer since" is not).
_TELLING = frozenset(
    {"email", "phone", "mobile", "cell", "fax", "zip", "postal", "notes", "note", "tags", "city"}
)


def normalize_header(header: str) -> str:
    """`E-Mail Address ` → `e mail address`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.lower()).split())


def _without_numbers(key: str) -> str:
    """`phone 2 value` → `phone value`: numbered columns (Google's "Phone 2 - Value")."""
    return " ".join(word for word in key.split() if not word.isdigit())


def _lookup(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalize_header(word): target for target, words in synonyms.items() for word in words}


def guess_target(header: str, synonyms: dict[str, tuple[str, ...]]) -> str | None:
    """The target a header names: the header itself, then without its numbers, then the
    longest synonym of several words (or telling word) inside it ("Primary Email Address" holds
    "email address"); None if none."""
    return _guess(header, _lookup(synonyms))


def _guess(header: str, exact: dict[str, str]) -> str | None:
    key = normalize_header(header)
    for candidate in (key, _without_numbers(key)):
        if candidate in exact:
            return exact[candidate]
    words = f" {_without_numbers(key)} "
    inside = [
        synonym
        for synonym in exact
        if (" " in synonym or synonym in _TELLING) and f" {synonym} " in words
    ]
    if not inside:
        return None
    return exact[max(inside, key=lambda synonym: (len(synonym.split()), len(synonym)))]


def guess_mapping(
    headers: list[str],
    kind_targets: Mapping[str, Target] | None = None,
    synonyms: dict[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """A guess per column: a target that takes many columns (phones, emails, notes) gets each
    column naming it, any other target only the first. Without a kind, the old customer
    import's fields (until the engine passes its kind)."""
    if kind_targets is None or synonyms is None:
        return _legacy_guess_mapping(headers)
    exact = _lookup(synonyms)
    taken: set[str] = set()
    mapping = []
    for header in headers:
        target = _guess(header, exact) or IGNORE
        if target not in kind_targets or (target in taken and not kind_targets[target].many):
            target = IGNORE
        mapping.append(target)
        taken.add(target)
    return mapping


# ---- the old customer import's fields (app/imports/rows.py); the lead removes them with it.


def guess(header: str) -> str:
    """The field a header most likely names, or IGNORE."""
    key = normalize_header(header)
    if key in _EXACT:
        return _EXACT[key]
    compact = key.replace(" ", "")
    return next((target for word, target in _WORDS if word in compact), IGNORE)


def _legacy_guess_mapping(headers: list[str]) -> list[str]:
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
