"""Small helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from app import sql
from app.db import ConstraintViolation

T = TypeVar("T")


def found_or_404(row: T | None) -> T:
    """The row, or a 404: another company's id reads as missing, never as forbidden."""
    if row is None:
        abort(404)
    return row


def page_number(last: int = sql.LAST_PAGE) -> int | None:
    """The list page asked for in `?page=` (1 when absent), or None when there is no such page."""
    text = request.args.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= last:
        return None
    return int(text)


def uuid_arg(name: str) -> UUID | None:
    """An id given in the query string (None when absent); a 404 when it is not one."""
    text = request.args.get(name, "")
    try:
        return UUID(text) if text else None
    except ValueError:
        abort(404)


def confirmed() -> None:
    """A button's POST carries the page's CSRF token (a form of no fields, as
    app.auth.forms.ConfirmForm renders it), or 400."""
    if not FlaskForm().validate_on_submit():
        abort(400)


def invalid(template: str, **context: Any) -> tuple[str, int]:
    """Re-show a form with its errors. 422 also rolls the request's transaction back."""
    return render_template(template, **context), 422


def form_page(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    """A form page: 200 when first shown, 422 when a submission had errors."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


class FormRefused(Exception):
    """A form that must be shown again: invalid input, or a write the database refused."""

    def __init__(self, response: tuple[str, int]) -> None:
        super().__init__("form refused")
        self.response = response


def saved(form: FlaskForm, template: str, save: Callable[[], T], **context: Any) -> T:
    """Validate `form`, then `save()`; otherwise show the form again with its errors next to the
    fields (422 rolls the request back, so nothing is half-saved)."""
    if not form.validate_on_submit():
        raise FormRefused(form_page(template, form, **context))
    try:
        return save()
    except ConstraintViolation as violation:
        show_violation(form, violation)
        raise FormRefused(invalid(template, form=form, **context)) from violation


def submitted(form: FlaskForm, save: Callable[[], T]) -> T | None:
    """Validate `form`, then `save()`; None when the form or the database refused it, with the
    message next to its field (the caller shows the form again with a 422, which rolls the
    request back)."""
    if not form.validate_on_submit():
        return None
    try:
        return save()
    except ConstraintViolation as violation:
        show_violation(form, violation)
        return None


def show_violation(form: FlaskForm, violation: ConstraintViolation) -> None:
    """Put the database's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, violation.field, None) if violation.field else None
    if field is not None:
        field.errors = [*field.errors, violation.message]
    else:
        form.form_errors.append(violation.message)


def safe_next(default: str) -> str:
    """Where to go after signing in: only a path on this site, never another host."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    # Browsers read "/\host" as "//host": a backslash anywhere makes the target refused, and
    # so does any character that could not stand in a Location header (CR, LF, NUL, spaces).
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and " " not in target
        and not parts.netloc
    ):
        return target
    return default


def client_address() -> str:
    return request.remote_addr or "unknown"
