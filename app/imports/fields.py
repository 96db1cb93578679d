"""A first guess of the field each column fills, from its header, for any kind of import
(each kind's targets and synonyms)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.imports.plan import Target

IGNORE = ""

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
    headers: list[str], kind_targets: Mapping[str, Target], synonyms: dict[str, tuple[str, ...]]
) -> list[str]:
    """A guess per column: a target that takes many columns (phones, emails, notes) gets each
    column naming it, any other target only the first."""
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
