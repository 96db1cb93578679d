"""An item of a stored plan as the preview shows it: each value beside its flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app import phones

PHONE_KINDS = {"mobile": "Mobile", "home": "Home", "work": "Work", "other": "Other", "fax": "Fax"}
ACTIONS = {"new": "New", "update": "Update", "unchanged": "Already so"}


@dataclass
class Line:
    """A value as it will be saved, the field it is (`key`, as flags name it), and its flags."""

    label: str
    text: str
    key: str
    flags: list[dict[str, str]] = field(default_factory=list)

    def owns(self, name: str) -> bool:
        return name == self.key or name.startswith((f"{self.key}.", f"{self.key}["))


def _phone(number: str, kind: str = "", extension: str = "") -> str:
    ext = f" ext. {extension}" if extension else ""
    return f"{PHONE_KINDS.get(kind, '')} {phones.readable(number)}{ext}".strip()


def _address(place: dict[str, Any]) -> str:
    street = ", ".join(p for p in (place.get("street", ""), place.get("unit", "")) if p)
    town = " ".join(p for p in (place.get("region", ""), place.get("postal_code", "")) if p)
    name = f"{place['label']}: " if place.get("label") else ""
    return name + ", ".join(p for p in (street, place.get("city", ""), town) if p)


def _reach(data: dict[str, Any], key: str = "") -> list[Line]:
    """The phones and emails of a customer or contact person (`key` their path)."""
    lines = []
    if data.get("phone"):
        text = _phone(data["phone"], data.get("phone_kind", ""), data.get("phone_extension", ""))
        lines.append(Line("Phone", text, f"{key}phone"))
    for n, p in enumerate(data.get("phones", [])):
        text = _phone(p.get("number", ""), p.get("kind", ""), p.get("extension", ""))
        lines.append(Line(f"Phone {n + 2}", text, f"{key}phones[{n}]"))
    lines.append(Line("Email", data.get("email", ""), f"{key}email"))
    lines += [
        Line(f"Email {n + 2}", e.get("email", ""), f"{key}emails[{n}]")
        for n, e in enumerate(data.get("emails", []))
    ]
    return lines


def _contact(n: int, contact: dict[str, Any]) -> list[Line]:
    key = f"contacts[{n}]."
    title = f" ({contact['title']})" if contact.get("title") else ""
    head = Line(f"Contact {n + 1}", contact.get("full_name", "") + title, f"contacts[{n}]")
    details = [
        Line(f"Contact {n + 1}: {x.label.lower()}", x.text, x.key) for x in _reach(contact, key)
    ]
    return [head, *details]


def customer_lines(data: dict[str, Any]) -> list[Line]:
    lines = [
        Line("Type", "Commercial" if data.get("kind") == "commercial" else "Residential", "kind"),
        Line("First name", data.get("first_name", ""), "first_name"),
        Line("Last name", data.get("last_name", ""), "last_name"),
        Line("Company", data.get("company_name", ""), "company_name"),
        *_reach(data),
    ]
    lines += [
        Line(f"Property {n + 1}", _address(p), f"properties[{n}]")
        for n, p in enumerate(data.get("properties", []))
    ]
    lines.append(Line("Billing address", data.get("billing_address", ""), "billing_address"))
    for n, contact in enumerate(data.get("contacts", [])):
        lines += _contact(n, contact)
    lines += [
        Line("Tags", ", ".join(data.get("tags", [])), "tags"),
        Line("Lead source", data.get("lead_source", ""), "lead_source"),
        Line("Notes", data.get("notes", ""), "notes"),
        Line("Do not service", "Yes" if data.get("do_not_service") else "", "do_not_service"),
        Line("Do not contact", "Yes" if data.get("do_not_contact") else "", "do_not_contact"),
        Line("Old system's id", data.get("source_id", ""), "source_id"),
    ]
    return lines


CHILDREN = ("phones", "emails", "properties", "contacts")


def update_lines(data: dict[str, Any]) -> list[Line]:
    """An update of a customer: what it changes and what it adds, nothing else."""
    changes = data.get("changes", {})
    shown = {**changes, **{key: data.get(key, []) for key in CHILDREN}}
    lines = []
    for line in customer_lines(shown):
        if line.key.startswith(CHILDREN):
            line.label += " (added)"
        elif line.key.split(".")[0] in changes:
            line.label += " (changed)"
        else:
            continue
        lines.append(line)
    for n, moved in enumerate(data.get("property_changes", [])):
        text = ", ".join(
            f"{key.replace('_', ' ')}: {value}" for key, value in moved["changes"].items()
        )
        lines.append(Line(f"Property {n + 1} (corrected)", text, f"property_changes[{n}]"))
    return lines


def plain_lines(data: dict[str, Any]) -> list[Line]:
    """Any other kind: each value under its field's name."""
    return [
        Line(key.replace("_", " ").capitalize(), _text(value), key)
        for key, value in data.items()
        if not key.endswith("_id") or key == "source_id"
    ]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else ""
    return "" if value is None else str(value)


def lines(item: dict[str, Any]) -> list[Line]:
    """What the preview shows of a stored item: the values that are set, each with its flags;
    a flag naming no shown value comes last, under "Other"."""
    if item["kind"] != "customer":
        shown = plain_lines(item["data"])
    elif item["action"] == "update":
        shown = update_lines(item["data"])
    else:
        shown = customer_lines(item["data"])
    rest: list[dict[str, str]] = []
    for flag in item["flags"]:
        owner = next((line for line in shown if line.owns(flag.get("field", ""))), None)
        (owner.flags if owner else rest).append(flag)
    kept = [line for line in shown if line.text or line.flags]
    if rest:
        kept.append(Line("Other", "", "", rest))
    return kept
