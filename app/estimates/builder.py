"""A draft estimate's options and lines, as the office's estimate page and the technician's
phone both build them: each step validates its form, asks the service, and puts a refusal next
to its field, so that both pages accept and refuse the same input."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort

from app.estimates import service
from app.estimates.forms import OptionForm
from app.estimates.vocabulary import LINE_KINDS
from app.forms import BookItemForm, LineForm
from app.views import found_or_404, submitted

NEW_OPTION_PREFIX = "new-option-"
GONE_FROM_THE_BOOK = "That item is no longer in the price book."
Forms = dict[str, tuple[LineForm, BookItemForm]]


def _prefix(option: Any) -> str:
    return f"o{option['position']}-"


def line_form(option: Any) -> LineForm:
    """An option's form for a line written by hand (its fields named after the option)."""
    return LineForm(prefix=_prefix(option) + "line-")


def item_form(option: Any, items: list[Any]) -> BookItemForm:
    """An option's price book form, offering `items`."""
    form = BookItemForm(prefix=_prefix(option) + "item-")
    form.set_items(items, LINE_KINDS)
    return form


def option_forms(estimate: service.Estimate, items: list[Any], failed: dict[str, Any]) -> Forms:
    """Each option's two line forms, by option id (a refused one from `failed`)."""
    forms: Forms = {}
    for option in estimate.options:
        key = str(option.row["id"])
        forms[key] = (
            failed.get(f"line-{key}") or line_form(option.row),
            failed.get(f"item-{key}") or item_form(option.row, items),
        )
    return forms


def new_option_form() -> OptionForm:
    return OptionForm(prefix=NEW_OPTION_PREFIX)


def draft_option(tenant_id: UUID, option_id: UUID) -> dict[str, Any]:
    """An option of a draft (404 when unseen, 409 once its estimate is sent)."""
    found = dict(found_or_404(service.get_option(tenant_id, option_id)))
    if found["status"] != "draft":
        abort(409)
    return found


def add_option(tenant_id: UUID, estimate_id: UUID, form: OptionForm) -> UUID | None:
    """A new option; None with the refusal on the form."""
    return submitted(
        form,
        lambda: service.add_option(
            tenant_id, estimate_id, form.name.data, form.description.data or ""
        ),
    )


def add_line(tenant_id: UUID, option_id: UUID, form: LineForm) -> bool:
    """A line written by hand; False with the refusal on the form."""
    added = submitted(form, lambda: service.add_line(tenant_id, option_id, form.values()))
    return added is not None


def add_item(tenant_id: UUID, option_id: UUID, member: bool, form: BookItemForm) -> bool:
    """A line from the price book (the member price for a `member`); False with the refusal on
    the form."""
    if not form.validate_on_submit():
        return False
    quantity = form.item_quantity.data
    assert quantity is not None  # validate_item_quantity refused an empty one
    if service.add_item(tenant_id, option_id, UUID(form.item.data), quantity, member):
        return True
    form.item.errors = [GONE_FROM_THE_BOOK]
    return False
